// `git paw demo` end to end (built CLI, private tmux server, real broker, the shipped demo agent)
// with no AI CLI anywhere on PATH: the broker reports agents working, blocked and done within
// 20 s; a second `git paw demo` comes back to the running one; `--clean` leaves nothing behind.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canListen } from '../../src/broker/client.js';
import { KNOWN_CLIS } from '../../src/clis/known.js';
import { which } from '../../src/util/which.js';
import { pollUntil } from '../helpers/poll.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { listPanes, skipWithoutTmux } from '../helpers/tmux.js';
import { brokerStatus } from '../helpers/broker-session.js';
import { paw, pawOk, readState, sessionFiles, sessionsDirOf } from '../helpers/lifecycle.js';

let sandbox: Sandbox;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  sandbox = createSandbox({ noRepo: true });
  // Temp dirs of the demo inside the sandbox, so a failed test cannot leave them in /tmp.
  env = { TMPDIR: sandbox.root };
});
afterEach(() => sandbox.cleanup());

function demoDirs(): string[] {
  return readdirSync(sandbox.root).filter((name) => name.startsWith('git-paw-demo-'));
}

function markerPath(): string {
  return join(sandbox.home, '.local', 'share', 'git-paw', 'demo.json');
}

describe.skipIf(skipWithoutTmux)('git paw demo', () => {
  it('runs without any AI CLI, comes alive within 20 s, reattaches, and --clean leaves nothing', async () => {
    expect(KNOWN_CLIS.filter((name) => which(name, sandbox.env.PATH ?? '') !== undefined)).toEqual([]);

    const result = await pawOk(sandbox, ['demo', '--no-attach'], { cwd: sandbox.root, env });
    expect(result.stdout).toContain("What you're looking at: pane 0 is the dashboard");
    expect(result.stdout).toContain('Remove everything it made with: git paw demo --clean\n');
    expect(
      result.stdout.endsWith("Session 'paw-demo' is running. Attach with: tmux attach -t paw-demo\n"),
    ).toBe(true);
    expect(demoDirs()).toHaveLength(1);
    const marker = JSON.parse(readFileSync(markerPath(), 'utf8')) as { dir: string; repo: string };
    expect(marker.dir).toBe(join(sandbox.root, demoDirs()[0] ?? ''));

    const state = readState(sandbox, 'paw-demo');
    expect(state.repo_path).toBe(marker.repo);
    const port = state.broker_port as number;
    expect(listPanes(sandbox, 'paw-demo').map((pane) => pane.label)).toEqual([
      'dashboard → git paw dashboard',
      'feat/api → demo-agent',
      'feat/ui → demo-agent',
      'feat/docs → demo-agent',
    ]);

    // Every status the broker reports for any agent, until working, blocked and done were all seen.
    const seen = new Set<string>();
    await pollUntil(
      async () => {
        for (const agent of (await brokerStatus(port)).agents) if (agent.status) seen.add(agent.status);
        return seen;
      },
      (statuses) => ['working', 'blocked', 'done'].every((status) => statuses.has(status)),
      { timeoutMs: 20_000, intervalMs: 100, what: 'the demo agents to report working, blocked and done' },
    );

    const again = await pawOk(sandbox, ['demo', '--no-attach'], { cwd: sandbox.root, env });
    expect(again.stdout).toBe(
      "Demo session 'paw-demo' is already running.\nSession 'paw-demo' is running. Attach with: tmux attach -t paw-demo\n",
    );
    expect(demoDirs()).toHaveLength(1);

    const clean = await pawOk(sandbox, ['demo', '--clean'], { cwd: sandbox.root, env });
    expect(clean.stdout).toBe(`Removed the demo in ${marker.dir}.\n`);
    expect(sandbox.tmuxStatus(['has-session', '-t', '=paw-demo'])).not.toBe(0);
    expect(demoDirs()).toEqual([]);
    expect(sessionFiles(sandbox)).toEqual([]);
    expect(existsSync(markerPath())).toBe(false);
    expect(await canListen('127.0.0.1', port)).toBe(true);
    // Only the demo command's own lock stays (released); the demo repo's lock went with the repo.
    const dataDir = join(sessionsDirOf(sandbox), '..');
    expect(readdirSync(dataDir).sort()).toEqual(['locks', 'sessions']);
    const locks = readdirSync(join(dataDir, 'locks'));
    expect(locks).toHaveLength(1);
    expect(readFileSync(join(dataDir, 'locks', locks[0] ?? ''), 'utf8')).toBe('free');

    expect((await pawOk(sandbox, ['demo', '--clean'], { cwd: sandbox.root, env })).stdout).toBe(
      'No demo to clean up.\n',
    );
  });

  it('replaces a demo whose session is gone with a fresh one', async () => {
    await pawOk(sandbox, ['demo', '--no-attach'], { cwd: sandbox.root, env });
    const [first] = demoDirs();
    sandbox.tmux(['kill-server']);
    const result = await paw(sandbox, ['demo', '--no-attach'], { cwd: sandbox.root, env });
    expect(result.code, result.stderr).toBe(0);
    expect(demoDirs()).toHaveLength(1);
    expect(demoDirs()[0]).not.toBe(first);
    expect(readState(sandbox, 'paw-demo').status).toBe('active');
    await pawOk(sandbox, ['demo', '--clean'], { cwd: sandbox.root, env });
    expect(demoDirs()).toEqual([]);
    expect(sessionFiles(sandbox)).toEqual([]);
  });
});
