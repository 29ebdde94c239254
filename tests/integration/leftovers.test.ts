// A session git-paw has lost track of (its state file deleted by hand) is found again: `status`
// lists what it left — its tmux session (known by git-paw's own session option), its broker, its
// worktrees — `start` names them instead of tripping over them, and `purge` removes them after
// the same confirmation as any purge, keeping the branches. Built CLI, private tmux server, real
// broker process.
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canListen } from '../../src/broker/client.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { skipWithoutTmux } from '../helpers/tmux.js';
import { artifactMsg } from '../helpers/broker-harness.js';
import { brokerOf, enableBroker, publishTo } from '../helpers/broker-session.js';
import {
  liveSessions,
  localBranches,
  paw,
  pawOk,
  sessionFiles,
  statePath,
  worktreeDir,
  worktreePaths,
} from '../helpers/lifecycle.js';

let sandbox: Sandbox;
beforeEach(() => {
  sandbox = createSandbox();
  sandbox.fakeCli('claude');
});
afterEach(() => sandbox.cleanup());

const FOUND = 'Found what an earlier git-paw session of this repo left behind (its state file is gone):\n';

describe.skipIf(skipWithoutTmux)('a session whose state file is gone', () => {
  it('status lists it, start names it, purge removes it (branches kept)', async () => {
    const port = await enableBroker(sandbox);
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/b']);
    expect((await publishTo(brokerOf(sandbox), artifactMsg('feat-a', ['Api']))).status).toBe(202);
    rmSync(statePath(sandbox));

    const listed = `  tmux session 'paw-proj'\n  broker at http://127.0.0.1:${port} (session 'paw-proj')\n  worktree '${worktreeDir(sandbox, 'feat-a')}' (branch 'feat/a')\n  worktree '${worktreeDir(sandbox, 'feat-b')}' (branch 'feat/b')\n`;
    expect(await paw(sandbox, ['status'])).toMatchObject({
      code: 0,
      stdout: `No session for this repo.\n\n${FOUND}${listed}Run \`git paw purge\` to remove them.\n`,
    });

    // A new launch would run beside the old one: refused, naming it, nothing made.
    const start = await paw(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/c']);
    expect(start).toMatchObject({ code: 1, stdout: '' });
    expect(start.stderr).toBe(
      `error: Worktree error: an earlier git-paw session of this repo is still running without its state file: tmux session 'paw-proj', a broker at http://127.0.0.1:${port}\n` +
        'hint: run `git paw purge` to remove them (`git paw status` lists everything it left)\n',
    );
    expect(liveSessions(sandbox)).toEqual(['paw-proj']);
    expect(localBranches(sandbox)).toEqual(['feat/a', 'feat/b', 'main']);

    // No terminal, no --force: cancelled like any purge, nothing touched.
    expect(await paw(sandbox, ['purge'])).toMatchObject({ code: 2, stdout: '' });
    expect(liveSessions(sandbox)).toEqual(['paw-proj']);

    expect(await paw(sandbox, ['purge', '--force'])).toMatchObject({
      code: 0,
      stdout: "Removed what the earlier session 'paw-proj' left behind.\nKept its branches: feat/a, feat/b\n",
    });
    expect(liveSessions(sandbox)).toEqual([]);
    expect(await canListen('127.0.0.1', port)).toBe(true);
    expect(worktreePaths(sandbox)).toEqual([sandbox.repo]);
    expect(localBranches(sandbox)).toEqual(['feat/a', 'feat/b', 'main']);
    expect(sessionFiles(sandbox)).toEqual([]);
    expect(await paw(sandbox, ['status'])).toMatchObject({ code: 0, stdout: 'No session for this repo.\n' });
  });

  it('with only worktrees left, start names the one in the way instead of suggesting another branch', async () => {
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    sandbox.tmux(['kill-server']);
    rmSync(statePath(sandbox));

    const start = await paw(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    expect(start).toMatchObject({
      code: 1,
      stderr:
        `error: Worktree error: branch 'feat/a' is checked out in '${worktreeDir(sandbox, 'feat-a')}', left behind by an earlier git-paw session of this repo\n` +
        'hint: run `git paw purge` to remove them (`git paw status` lists everything it left)\n',
    });
    expect(liveSessions(sandbox)).toEqual([]);
    expect((await paw(sandbox, ['status'])).stdout).toBe(
      `No session for this repo.\n\n${FOUND}  worktree '${worktreeDir(sandbox, 'feat-a')}' (branch 'feat/a')\nRun \`git paw purge\` to remove them.\n`,
    );
    await pawOk(sandbox, ['purge', '--force']);
    expect(worktreePaths(sandbox)).toEqual([sandbox.repo]);
  });
});
