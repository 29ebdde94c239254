// `purge`: safe by default — never deletes unmerged commits or
// pre-existing branches, keeps logs, and never touches another session.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { skipWithoutTmux } from '../helpers/tmux.js';
import { localBranches, paw, pawOk, readState, sessionAlive, sessionFiles, statePath, worktreeDir, worktreePaths } from '../helpers/lifecycle.js';

describe.skipIf(skipWithoutTmux)('purge', () => {
  let sandbox: Sandbox;
  beforeEach(() => {
    sandbox = createSandbox({ broker: false });
    sandbox.fakeCli('claude');
  });
  afterEach(() => sandbox.cleanup());

  async function launch(): Promise<void> {
    sandbox.git(['branch', 'feat/a']);
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/new']);
  }

  it('says so when there is no session', async () => {
    expect(await paw(sandbox, ['purge', '--force'])).toMatchObject({ code: 0, stdout: 'No session to purge for this repo.\n' });
    expect(await paw(sandbox, ['purge'])).toMatchObject({ code: 0, stdout: 'No session to purge for this repo.\n' });
  });

  it('--force removes session, worktrees, created branch and state; keeps pre-existing branches and logs', async () => {
    sandbox.writeRepoConfig('[logging]\nenabled = true\n');
    await launch();
    sandbox.tmux(['new-session', '-d', '-s', 'paw-projx']);
    const exclude = join(sandbox.repo, '.git', 'info', 'exclude');
    expect(readFileSync(exclude, 'utf8')).toContain('/AGENTS.md');

    const result = await paw(sandbox, ['purge', '--force']);
    expect(result).toMatchObject({ code: 0, stdout: "Purged session 'paw-proj'.\n", stderr: '' });
    expect(sessionAlive(sandbox)).toBe(false);
    expect(sessionAlive(sandbox, 'paw-projx')).toBe(true);
    expect(existsSync(worktreeDir(sandbox, 'feat-a'))).toBe(false);
    expect(existsSync(worktreeDir(sandbox, 'feat-new'))).toBe(false);
    expect(worktreePaths(sandbox)).toEqual([sandbox.repo]);
    expect(localBranches(sandbox)).toEqual(['feat/a', 'main']);
    expect(sessionFiles(sandbox)).toEqual([]);
    expect(existsSync(join(sandbox.repo, '.git-paw', 'logs', 'paw-proj', 'feat--a.log'))).toBe(true);
    expect(readFileSync(exclude, 'utf8')).not.toContain('/AGENTS.md');
  });

  it('without a terminal and without --force: Cancelled, exit 2, nothing touched', async () => {
    await launch();
    const result = await paw(sandbox, ['purge']);
    expect(result).toMatchObject({
      code: 2,
      stderr: 'error: Cancelled.\nhint: there is no terminal to confirm on; run `git paw purge --force` to purge without asking\n',
      stdout: '',
    });
    expect(sessionAlive(sandbox)).toBe(true);
    expect(existsSync(worktreeDir(sandbox, 'feat-new'))).toBe(true);
    expect(readState(sandbox).status).toBe('active');
  });

  it('keeps a created branch that has commits, saying how to delete it', async () => {
    await launch();
    writeFileSync(join(worktreeDir(sandbox, 'feat-new'), 'work.txt'), 'agent work\n');
    sandbox.git(['add', 'work.txt'], worktreeDir(sandbox, 'feat-new'));
    sandbox.git(['commit', '-q', '-m', 'agent commit'], worktreeDir(sandbox, 'feat-new'));
    const result = await paw(sandbox, ['purge', '--force']);
    expect(result.stdout).toBe(
      "kept branch 'feat/new' (1 unmerged commit); delete it with: git branch -D feat/new\nPurged session 'paw-proj'.\n",
    );
    expect(localBranches(sandbox)).toEqual(['feat/a', 'feat/new', 'main']);
    expect(sandbox.git(['log', '-1', '--format=%s', 'feat/new'])).toBe('agent commit');
  });

  it('removes a worktree with uncommitted changes when forced', async () => {
    await launch();
    writeFileSync(join(worktreeDir(sandbox, 'feat-a'), 'dirty.txt'), 'x');
    expect((await paw(sandbox, ['purge', '--force'])).code).toBe(0);
    expect(existsSync(worktreeDir(sandbox, 'feat-a'))).toBe(false);
  });

  it('warns about a worktree deleted by hand and still purges', async () => {
    await launch();
    rmSync(worktreeDir(sandbox, 'feat-a'), { recursive: true, force: true });
    const result = await paw(sandbox, ['purge', '--force']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `warning: failed to remove worktree '${worktreeDir(sandbox, 'feat-a')}': the directory no longer exists (its record is pruned)\n`,
    );
    expect(worktreePaths(sandbox)).toEqual([sandbox.repo]);
    expect(sessionFiles(sandbox)).toEqual([]);
  });

  it('never deletes branches when branch_created is absent (state files of 0.3.0)', async () => {
    await launch();
    const state = readState(sandbox);
    for (const entry of state.worktrees) delete entry.branch_created;
    writeFileSync(statePath(sandbox), JSON.stringify(state));
    expect((await paw(sandbox, ['purge', '--force'])).code).toBe(0);
    expect(localBranches(sandbox)).toEqual(['feat/a', 'feat/new', 'main']);
  });

  it('cleans up a damaged state file of this repo', async () => {
    await launch();
    writeFileSync(statePath(sandbox), '');
    expect(await paw(sandbox, ['purge'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^error: Cancelled\.\nhint: .*--force/) as unknown });
    const result = await paw(sandbox, ['purge', '--force']);
    expect(result.code).toBe(0);
    // What the damaged file named is found as leftovers and removed by the same purge.
    expect(result.stdout).toBe(
      "Removed what the earlier session 'paw-proj' left behind.\nKept its branches: feat/a, feat/new\nPurged session 'paw-proj'.\n",
    );
    expect(sessionFiles(sandbox)).toEqual([]);
    expect((await paw(sandbox, ['status'])).stdout).toBe('No session for this repo.\n');
  });
});
