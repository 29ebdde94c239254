// Branch listing and repo resolution against real repositories.
import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listBranches } from '../../src/git/branches.js';
import { resolveRepo } from '../../src/git/repo.js';
import type { CommandRunner } from '../../src/util/exec.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

describe('listBranches on a real clone', () => {
  let sandbox: Sandbox;
  let runner: CommandRunner;
  let clone: string;

  beforeEach(() => {
    sandbox = createSandbox();
    runner = sandbox.runner;
    for (const branch of ['feature/auth', 'feat/HEADER', 'remote-only']) sandbox.git(['branch', branch]);
    clone = join(sandbox.root, 'clone');
    sandbox.git(['clone', '-q', sandbox.repo, clone], sandbox.root);
    sandbox.git(['checkout', '-q', '-b', 'feature/auth', 'origin/feature/auth'], clone);
    sandbox.git(['checkout', '-q', 'main'], clone);
    // A second remote whose name contains a slash.
    sandbox.git(['remote', 'add', 'up/stream', sandbox.repo], clone);
    sandbox.git(['fetch', '-q', 'up/stream'], clone);
    sandbox.git(['worktree', 'add', '-q', join(sandbox.root, 'clone-wt'), 'feature/auth'], clone);
  });
  afterEach(() => sandbox.cleanup());

  it('lists each branch once, without remote prefixes or */HEAD, marking checked-out ones', async () => {
    const repo = await resolveRepo(runner, clone);
    const branches = await listBranches(runner, repo);
    expect(branches).toEqual([
      { name: 'feat/HEADER' },
      { name: 'feature/auth', checkedOutAt: realpathSync(join(sandbox.root, 'clone-wt')) },
      { name: 'main', checkedOutAt: realpathSync(clone) },
      { name: 'remote-only' },
    ]);
  });

  it('resolves the main worktree from a subdirectory and from a linked worktree', async () => {
    mkdirSync(join(clone, 'src'));
    expect((await resolveRepo(runner, join(clone, 'src'))).root).toBe(realpathSync(clone));
    expect((await resolveRepo(runner, join(sandbox.root, 'clone-wt'))).root).toBe(realpathSync(clone));
  });
});
