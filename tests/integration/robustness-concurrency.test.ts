// Concurrent `start` in one repo, released together with nothing holding either back (issue 7):
// whatever the interleaving, exactly one session results — one tmux session, one state file,
// the worktrees and branch of one launch only, one broker. Every other start either failed at
// once on the repo lock or, arriving after the winner finished, found its session running.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockFilePath } from '../../src/session/lock.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { skipWithoutTmux } from '../helpers/tmux.js';
import { brokerOf, brokerStatus, enableBroker } from '../helpers/broker-session.js';
import {
  liveSessions,
  localBranches,
  readState,
  sessionFiles,
  sessionsDirOf,
  worktreeDir,
  worktreePaths,
} from '../helpers/lifecycle.js';

const LOCKED =
  /^error: Session error: another git-paw command is running for this repo \(pid \d+\)\nhint: .+\n$/;

/** The pid of a process that has certainly exited. */
function deadPid(): number {
  return Number(
    spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
      .stdout,
  );
}

/** Spawns every start at once (runCli starts its process before any result is awaited). */
function startAll(sandbox: Sandbox, branches: string[]): Promise<CliResult[]> {
  return Promise.all(
    branches.map((branch) =>
      runCli(['start', '--cli', 'claude', '--branches', branch], { cwd: sandbox.repo, env: sandbox.env }),
    ),
  );
}

/** Checks the one-session outcome; returns the branch that won. */
function expectExactlyOneSession(sandbox: Sandbox, branches: string[], results: CliResult[]): string {
  expect(liveSessions(sandbox)).toEqual(['paw-proj']);
  expect(sessionFiles(sandbox).filter((name) => name.endsWith('.json'))).toEqual(['paw-proj.json']);
  const state = readState(sandbox);
  expect(state.worktrees).toHaveLength(1);
  const winner = state.worktrees[0]?.branch ?? '';
  const slug = winner.replace('/', '-');
  expect(worktreePaths(sandbox)).toEqual([sandbox.repo, worktreeDir(sandbox, slug)]);
  expect(localBranches(sandbox)).toEqual([winner, 'main']);

  const running = "Session 'paw-proj' is running. Attach with: tmux attach -t paw-proj\n";
  results.forEach((result, i) => {
    const what = `start --branches ${branches[i]}: ${JSON.stringify(result)}`;
    if (branches[i] === winner) {
      expect(result, what).toMatchObject({ code: 0, stdout: running });
    } else if (result.code === 0) {
      // Came after the winner had finished: found the live session and left it alone.
      expect(result.stdout, what).toBe(`Reattaching to session 'paw-proj'...\n${running}`);
      expect(result.stderr, what).toContain('warning:');
    } else {
      expect(result, what).toMatchObject({ code: 1, stdout: '' });
      expect(result.stderr, what).toMatch(LOCKED);
    }
  });
  return winner;
}

describe.skipIf(skipWithoutTmux)('concurrent starts released together', () => {
  let sandbox: Sandbox;
  beforeEach(() => {
    sandbox = createSandbox();
    sandbox.fakeCli('claude');
  });
  afterEach(() => sandbox.cleanup());

  it('four starts at once: exactly one session', async () => {
    const branches = ['feat/a', 'feat/b', 'feat/c', 'feat/d'];
    const results = await startAll(sandbox, branches);
    expectExactlyOneSession(sandbox, branches, results);
  });

  it('four starts at once against a lock left by a dead process: exactly one session', async () => {
    const locks = join(dirname(sessionsDirOf(sandbox)), 'locks');
    mkdirSync(locks, { recursive: true, mode: 0o700 });
    const stale = lockFilePath(locks, realpathSync(sandbox.repo));
    writeFileSync(stale, String(deadPid()));
    const branches = ['feat/a', 'feat/b', 'feat/c', 'feat/d'];
    const results = await startAll(sandbox, branches);
    expectExactlyOneSession(sandbox, branches, results);
    // The winner took the dead process's lock over (and cleared it).
    expect(existsSync(stale)).toBe(false);
  });

  it('two starts at once with the broker on: one session, one broker window, one broker', async () => {
    await enableBroker(sandbox);
    const branches = ['feat/a', 'feat/b'];
    const results = await startAll(sandbox, branches);
    const winner = expectExactlyOneSession(sandbox, branches, results);
    const windows = sandbox.tmux(['list-windows', '-a', '-F', '#{session_name} #{window_name}']).split('\n');
    expect(windows.filter((line) => line.endsWith(' broker'))).toEqual(['paw-proj broker']);
    const status = await brokerStatus(brokerOf(sandbox).port);
    expect(status.agents.map((agent) => agent.agent_id)).toEqual([winner.replace('/', '-')]);
  });
});
