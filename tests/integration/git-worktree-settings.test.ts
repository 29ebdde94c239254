// Whether a launch may check worktrees out while it adds the next one, and create its new
// branches in one step: the git settings read from a real repository, and the hooks, ref-storage
// and tracking cases that keep plain one-by-one adds.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveRepo, type RepoInfo } from '../../src/git/repo.js';
import { branchesAtOnce, checkoutsMayOverlap, readWorktreeGitSettings } from '../../src/git/worktrees.js';
import type { CommandRunner } from '../../src/util/exec.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

describe('checkoutsMayOverlap with a real repository', () => {
  let sandbox: Sandbox;
  let runner: CommandRunner;
  let repo: RepoInfo;

  beforeEach(async () => {
    sandbox = createSandbox();
    runner = sandbox.runner;
    repo = await resolveRepo(runner, sandbox.repo);
  });
  afterEach(() => sandbox.cleanup());

  const overlap = async () => checkoutsMayOverlap(repo, await readWorktreeGitSettings(runner, repo.root));

  function hook(dir: string, name: string): void {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, name), '#!/bin/sh\nexit 0\n');
    chmodSync(join(dir, name), 0o755);
  }

  it('allows it in a plain repository (sample hooks do not count)', async () => {
    expect(await readWorktreeGitSettings(runner, repo.root)).toEqual({});
    hook(join(repo.commonDir, 'hooks'), 'post-checkout.sample');
    hook(join(repo.commonDir, 'hooks'), 'pre-commit');
    expect(await overlap()).toBe(true);
  });

  it.each(['post-checkout', 'reference-transaction', 'post-index-change'])('refuses it when a %s hook would run', async (name) => {
    hook(join(repo.commonDir, 'hooks'), name);
    expect(await overlap()).toBe(false);
  });

  it('looks for hooks where core.hooksPath points, ~ expanded', async () => {
    sandbox.git(['config', 'core.hooksPath', '~/my-hooks']);
    expect(await readWorktreeGitSettings(runner, repo.root)).toEqual({ hooksPath: join(sandbox.home, 'my-hooks') });
    expect(await overlap()).toBe(true);
    hook(join(sandbox.home, 'my-hooks'), 'post-checkout');
    expect(await overlap()).toBe(false);
  });

  it('refuses it for a relative core.hooksPath, which each new worktree resolves itself', async () => {
    sandbox.git(['config', 'core.hooksPath', '.githooks']);
    expect(await overlap()).toBe(false);
  });

  it('creates new branches in one transaction only when no tracking config is due (branch.autoSetupMerge)', async () => {
    const atOnce = async () => branchesAtOnce(repo, await readWorktreeGitSettings(runner, repo.root));
    expect(await atOnce()).toBe(true);
    for (const [value, expected] of [['true', true], ['simple', true], ['false', true], ['Always', false], ['inherit', false]] as const) {
      sandbox.git(['config', 'branch.autoSetupMerge', value]);
      expect(await atOnce()).toBe(expected);
    }
    sandbox.git(['config', '--unset', 'branch.autoSetupMerge']);
    hook(join(repo.commonDir, 'hooks'), 'reference-transaction');
    expect(await atOnce()).toBe(false);
  });

  it('refuses it when refs live in a reftable (one lock for every ref update)', () => {
    expect(checkoutsMayOverlap(repo, { refStorage: 'reftable' })).toBe(false);
    expect(checkoutsMayOverlap(repo, { refStorage: 'files' })).toBe(true);
  });
});
