// Launches racing with other commands or with the user: the per-repo lock
// makes a second command fail at once; Ctrl-C mid-launch rolls back.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pollUntil } from '../helpers/poll.js';
import { CLI_PATH } from '../helpers/run-cli.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { skipWithoutTmux } from '../helpers/tmux.js';
import { expectNothingCreated, liveSessions, paw, sessionFiles, worktreeDir, worktreePaths } from '../helpers/lifecycle.js';

describe.skipIf(skipWithoutTmux)('concurrent commands', () => {
  let sandbox: Sandbox;
  beforeEach(() => {
    sandbox = createSandbox({ broker: false });
    sandbox.fakeCli('claude');
  });
  afterEach(() => sandbox.cleanup());

  it('Ctrl-C during a launch rolls back everything and exits 2', async () => {
    const inHook = join(sandbox.root, 'in-hook');
    const go = join(sandbox.root, 'go');
    const hook = join(sandbox.repo, '.git', 'hooks', 'post-checkout');
    writeFileSync(hook, `#!/bin/sh\ntouch '${inHook}'\nwhile [ ! -f '${go}' ]; do sleep 0.02; done\n`);
    chmodSync(hook, 0o755);
    const child = spawn(process.execPath, [CLI_PATH, 'start', '--cli', 'claude', '--branches', 'feat/a,feat/b'], {
      cwd: sandbox.repo,
      env: sandbox.env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await pollUntil(() => existsSync(inHook), Boolean, { what: 'the launch to reach its worktree hook' });
    child.kill('SIGINT');
    writeFileSync(go, '');
    expect(await exited).toBe(2);
    expect(stderr).toContain('error: Cancelled.\n');
    expectNothingCreated(sandbox);
  });

  it('a second start fails at once while the first is mid-launch; one session results', async () => {
    // Hold the first launch inside `git worktree add` until the second one has finished.
    const inHook = join(sandbox.root, 'in-hook');
    const go = join(sandbox.root, 'go');
    const hook = join(sandbox.repo, '.git', 'hooks', 'post-checkout');
    writeFileSync(hook, `#!/bin/sh\ntouch '${inHook}'\nwhile [ ! -f '${go}' ]; do sleep 0.02; done\n`);
    chmodSync(hook, 0o755);

    const first = paw(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    await pollUntil(() => existsSync(inHook), Boolean, { what: 'the first launch to reach its worktree hook' });
    const second = await paw(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/b']);
    const stopped = await paw(sandbox, ['stop']);
    writeFileSync(go, '');

    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/^error: Session error: another git-paw command is running for this repo \(pid \d+\)\nhint: /);
    expect(stopped.code).toBe(1);
    expect((await first).code).toBe(0);
    expect(liveSessions(sandbox)).toEqual(['paw-proj']);
    expect(sessionFiles(sandbox)).toEqual(['paw-proj.json']);
    expect(worktreePaths(sandbox)).toEqual([sandbox.repo, worktreeDir(sandbox, 'feat-a')]);
  });
});
