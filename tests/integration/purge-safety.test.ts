// Purge never loses a commit: commits made on a detached HEAD inside a worktree are named in the
// confirmation and kept under a ref; a branch counts as merged only into real branches; a locked
// worktree stays, with its state entry, and purge says so and fails until a second purge can
// finish. Sessions run with the broker on, through the built CLI, real git and real tmux.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveRepo } from '../../src/git/repo.js';
import { assessPurge, describePurgeLosses } from '../../src/launch/purge.js';
import { findSession } from '../../src/session/store.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { skipWithoutTmux } from '../helpers/tmux.js';
import { enableBroker } from '../helpers/broker-session.js';
import {
  localBranches,
  paw,
  pawOk,
  readState,
  sessionAlive,
  sessionFiles,
  worktreeDir,
  worktreePaths,
} from '../helpers/lifecycle.js';

describe.skipIf(skipWithoutTmux)('purge keeps every commit', () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = createSandbox();
    sandbox.fakeCli('claude');
    await enableBroker(sandbox);
  });
  afterEach(() => sandbox.cleanup());

  function commitIn(dir: string, file: string, message: string): string {
    writeFileSync(join(dir, file), `${message}\n`);
    sandbox.git(['add', file], dir);
    sandbox.git(['commit', '-q', '-m', message], dir);
    return sandbox.git(['rev-parse', 'HEAD'], dir);
  }

  async function promptLines(): Promise<string[]> {
    const repo = await resolveRepo(sandbox.runner, sandbox.repo);
    const lookup = findSession(repo, sandbox.env);
    if (lookup.kind !== 'found') throw new Error(`no session state: ${lookup.kind}`);
    return describePurgeLosses(
      await assessPurge({ runner: sandbox.runner, repo, env: sandbox.env }, lookup.state),
    );
  }

  it('names commits on a detached HEAD as lost in the confirmation, and --force keeps them under a ref', async () => {
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a', '--no-attach']);
    const dir = worktreeDir(sandbox, 'feat-a');
    sandbox.git(['checkout', '-q', '--detach'], dir);
    const head = commitIn(dir, 'detached.txt', 'work on a detached HEAD');
    const short = sandbox.git(['rev-parse', '--short', head]);
    const ref = `refs/git-paw/kept/feat/a-${short}`;

    expect(await promptLines()).toEqual([
      'Commits on a detached HEAD, on no branch, will be lost from these worktrees (purge keeps them under a ref):',
      `  ${dir} (1 commit, kept as ${ref})`,
    ]);
    const result = await paw(sandbox, ['purge', '--force']);
    expect(result).toMatchObject({
      code: 0,
      stdout: `kept 1 commit of the detached HEAD in '${dir}' as ${ref}; see it with: git log ${ref}\nPurged session 'paw-proj'.\n`,
    });
    expect(sandbox.git(['rev-parse', ref])).toBe(head);
    expect(existsSync(dir)).toBe(false);
  });

  it('keeps the commits of a detached HEAD whose worktree directory was deleted by hand', async () => {
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a', '--no-attach']);
    const dir = worktreeDir(sandbox, 'feat-a');
    sandbox.git(['checkout', '-q', '--detach'], dir);
    const head = commitIn(dir, 'detached.txt', 'work on a detached HEAD');
    rmSync(dir, { recursive: true, force: true });
    const ref = `refs/git-paw/kept/feat/a-${sandbox.git(['rev-parse', '--short', head])}`;

    expect(await promptLines()).toContain(`  ${dir} (1 commit, kept as ${ref})`);
    const result = await paw(sandbox, ['purge', '--force']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`kept 1 commit of the detached HEAD in '${dir}' as ${ref}`);
    expect(sandbox.git(['rev-parse', ref])).toBe(head);
    expect(worktreePaths(sandbox)).toEqual([sandbox.repo]);
  });

  it('counts a branch merged only into a detached HEAD of the main checkout as unmerged, and keeps it', async () => {
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a', '--no-attach']);
    commitIn(worktreeDir(sandbox, 'feat-a'), 'a.txt', 'agent work');
    sandbox.git(['checkout', '-q', '--detach']);
    sandbox.git(['merge', '-q', '--ff-only', 'feat/a']);

    expect(await promptLines()).toEqual([
      'These branches have commits not merged into main (the branches are kept):',
      '  feat/a (1 unmerged commit)',
    ]);
    const result = await paw(sandbox, ['purge', '--force']);
    expect(result.stdout).toBe(
      "kept branch 'feat/a' (1 unmerged commit); delete it with: git branch -D feat/a\nPurged session 'paw-proj'.\n",
    );
    expect(localBranches(sandbox)).toEqual(['feat/a', 'main']);
  });

  it("deletes a branch merged into the session's base branch even when the main checkout is elsewhere", async () => {
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a', '--no-attach']);
    commitIn(worktreeDir(sandbox, 'feat-a'), 'a.txt', 'agent work');
    sandbox.git(['merge', '-q', '--ff-only', 'feat/a']);
    sandbox.git(['checkout', '-q', '--detach', 'HEAD~1']);
    expect(await promptLines()).toEqual([]);
    expect(await paw(sandbox, ['purge', '--force'])).toMatchObject({
      code: 0,
      stdout: "Purged session 'paw-proj'.\n",
    });
    expect(localBranches(sandbox)).toEqual(['main']);
  });

  it('leaves a locked worktree, says so, exits 1, and keeps its state entry so a second purge finishes', async () => {
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/b', '--no-attach']);
    const locked = worktreeDir(sandbox, 'feat-b');
    sandbox.git(['worktree', 'lock', locked]);

    const first = await paw(sandbox, ['purge', '--force']);
    expect(first).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `error: Session error: purge left 1 worktree of session 'paw-proj': '${locked}' (locked)\nhint: unlock it with \`git worktree unlock <path>\`, then run \`git paw purge\` again to finish\n`,
    });
    expect(sessionAlive(sandbox)).toBe(false);
    expect(worktreePaths(sandbox)).toEqual([sandbox.repo, locked]);
    expect(localBranches(sandbox)).toEqual(['feat/b', 'main']);
    expect(readState(sandbox).worktrees.map((entry) => [entry.branch, entry.branch_created])).toEqual([
      ['feat/b', true],
    ]);

    sandbox.git(['worktree', 'unlock', locked]);
    expect(await paw(sandbox, ['purge', '--force'])).toMatchObject({
      code: 0,
      stdout: "Purged session 'paw-proj'.\n",
    });
    expect(worktreePaths(sandbox)).toEqual([sandbox.repo]);
    expect(localBranches(sandbox)).toEqual(['main']);
    expect(sessionFiles(sandbox)).toEqual([]);
  });
});
