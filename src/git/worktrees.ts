// Worktree operations: listing (porcelain), creation (in one step, or added and checked out
// separately when checkouts are big), removal, pruning and the dirty check. Every decision is made from exit codes and
// machine-readable output, never from git's (localized) messages.
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { WorktreeError } from '../util/errors.js';
import type { CommandRunner } from '../util/exec.js';
import { git, type RepoInfo } from './repo.js';

export interface WorktreeListing {
  path: string;
  /** Commit checked out there (absent for a bare entry). */
  head?: string;
  /** Short branch name, absent for a detached HEAD or a bare entry. */
  branch?: string;
  /** The directory is gone; `git worktree prune` will drop the entry. */
  prunable: boolean;
  /** `git worktree lock`ed: removal refuses it (purge never forces twice). */
  locked?: boolean;
}

/** Parses `git worktree list --porcelain` (blocks of `key value` lines, blank-line separated). */
export function parseWorktreeList(porcelain: string): WorktreeListing[] {
  const entries: WorktreeListing[] = [];
  let current: WorktreeListing | undefined;
  for (const line of porcelain.split('\n')) {
    if (line.startsWith('worktree ')) {
      current = { path: line.slice('worktree '.length), prunable: false };
      entries.push(current);
    } else if (current && line.startsWith('HEAD ')) {
      current.head = line.slice('HEAD '.length);
    } else if (current && line.startsWith('branch refs/heads/')) {
      current.branch = line.slice('branch refs/heads/'.length);
    } else if (current && (line === 'prunable' || line.startsWith('prunable '))) {
      current.prunable = true;
    } else if (current && (line === 'locked' || line.startsWith('locked '))) {
      current.locked = true;
    }
  }
  return entries;
}

export async function listWorktrees(runner: CommandRunner, repoRoot: string): Promise<WorktreeListing[]> {
  const result = await git(runner, repoRoot, ['worktree', 'list', '--porcelain']);
  if (result.code !== 0) throw new WorktreeError(`git worktree list failed: ${result.stderr.trim()}`);
  return parseWorktreeList(result.stdout);
}

/** `git worktree prune`; skipped when the repo has no worktree records at all (git would do nothing). */
export async function pruneWorktrees(runner: CommandRunner, repo: RepoInfo): Promise<void> {
  if (!existsSync(join(repo.commonDir, 'worktrees'))) return;
  const result = await git(runner, repo.root, ['worktree', 'prune']);
  if (result.code !== 0) throw new WorktreeError(`git worktree prune failed: ${result.stderr.trim()}`);
}

export type WorktreeSource =
  /** Check out an existing local branch, or let git create a tracking branch for a remote-only one. */
  | { kind: 'existing' }
  /** Create a new branch from the current HEAD. */
  | { kind: 'new' };

/**
 * `git worktree add` for one branch; throws a Worktree error carrying git's reason. With
 * `checkout: false` the worktree stays empty until checkOutWorktree.
 */
export async function addWorktree(
  runner: CommandRunner,
  repoRoot: string,
  path: string,
  branch: string,
  source: WorktreeSource,
  { checkout = true }: { checkout?: boolean } = {},
): Promise<void> {
  const add = ['worktree', 'add', ...(checkout ? [] : ['--no-checkout'])];
  const args = source.kind === 'new' ? [...add, '-b', branch, path] : [...add, path, branch];
  const result = await git(runner, repoRoot, args);
  if (result.code !== 0) {
    const flag = source.kind === 'new' ? 'add -b' : 'add';
    throw new WorktreeError(`git worktree ${flag} failed for branch '${branch}': ${oneLine(result.stderr)}`);
  }
}

/** Fills a worktree added without checkout, exactly as `git worktree add` does itself. */
export async function checkOutWorktree(runner: CommandRunner, path: string, branch: string): Promise<void> {
  const result = await git(runner, path, ['reset', '--hard', '--quiet', '--no-recurse-submodules']);
  if (result.code !== 0)
    throw new WorktreeError(`checking out branch '${branch}' in '${path}' failed: ${oneLine(result.stderr)}`);
}

/** `git worktree remove [--force] <path>`. */
export async function removeWorktree(
  runner: CommandRunner,
  repoRoot: string,
  path: string,
  options: { force: boolean },
): Promise<void> {
  const args = ['worktree', 'remove', ...(options.force ? ['--force'] : []), path];
  const result = await git(runner, repoRoot, args);
  if (result.code !== 0) throw new WorktreeError(`git worktree remove failed: ${oneLine(result.stderr)}`);
}

/** Number of changed or untracked paths in a worktree (`git status --porcelain`). */
export async function countChanges(runner: CommandRunner, worktreePath: string): Promise<number> {
  const result = await git(runner, worktreePath, ['status', '--porcelain']);
  if (result.code !== 0)
    throw new WorktreeError(`git status failed in '${worktreePath}': ${oneLine(result.stderr)}`);
  return result.stdout.split('\n').filter((line) => line.trim() !== '').length;
}

/** Commits on a worktree's detached HEAD that no branch, tag, remote branch or kept ref holds. */
export interface DetachedCommits {
  /** Full and short hash of the detached HEAD. */
  head: string;
  short: string;
  /** How many commits only that HEAD reaches. */
  commits: number;
}

/** Where purge keeps a detached HEAD's commits: `refs/git-paw/kept/<branch>-<short hash>`. */
export const KEPT_REFS = 'refs/git-paw/kept';

/**
 * The commits only `commit` reaches (no branch, tag, remote branch or kept ref holds them), asked
 * in `dir`; undefined when there are none.
 */
export async function unheldCommits(
  runner: CommandRunner,
  dir: string,
  commit: string,
): Promise<DetachedCommits | undefined> {
  const [short, count] = await Promise.all([
    git(runner, dir, ['rev-parse', '--short', commit]),
    git(runner, dir, [
      'rev-list',
      '--count',
      commit,
      '--not',
      '--branches',
      '--tags',
      '--remotes',
      `--glob=${KEPT_REFS}/*`,
    ]),
  ]);
  if (count.code !== 0 || short.code !== 0)
    throw new WorktreeError(`git rev-list failed in '${dir}': ${oneLine(count.stderr || short.stderr)}`);
  const commits = Number.parseInt(count.stdout.trim(), 10);
  return commits > 0 ? { head: commit, short: short.stdout.trim(), commits } : undefined;
}

/** The commits only a detached HEAD of `worktreePath` reaches; undefined when HEAD is on a branch or reaches nothing new. */
export async function detachedCommits(
  runner: CommandRunner,
  worktreePath: string,
): Promise<DetachedCommits | undefined> {
  const onBranch = await git(runner, worktreePath, ['symbolic-ref', '-q', 'HEAD']);
  if (onBranch.code === 0) return undefined;
  const head = await git(runner, worktreePath, ['rev-parse', '--verify', '-q', 'HEAD']);
  if (head.code !== 0) return undefined;
  return unheldCommits(runner, worktreePath, head.stdout.trim());
}

/** Points `ref` at `commit` (creating it; an existing ref is never moved). */
export async function createRef(
  runner: CommandRunner,
  repoRoot: string,
  ref: string,
  commit: string,
): Promise<void> {
  const result = await git(runner, repoRoot, ['update-ref', ref, commit, '']);
  if (result.code !== 0) throw new WorktreeError(`git update-ref ${ref} failed: ${oneLine(result.stderr)}`);
}

/** git's multi-line stderr as one line (the error model prints one line). */
export function oneLine(stderr: string): string {
  return stderr
    .split('\n')
    .map((line) => line.trim())
    .filter(
      (line) => line !== '' && !line.startsWith('Preparing worktree') && !line.startsWith('HEAD is now at'),
    )
    .join('; ');
}

/** Hooks that creating a worktree runs: on the new refs, on the new index, after the checkout. */
const WORKTREE_HOOKS = ['reference-transaction', 'post-index-change', 'post-checkout'];

/**
 * A checkout of this many files costs more than the extra git process that checking it out
 * beside the next `git worktree add` takes (one spawn: ~10–80 ms, with the machine).
 */
export const OVERLAP_FROM_FILES = 250;

/** How many entries the main checkout's index holds (its header says), 0 when it cannot be read. */
function indexEntries(repo: RepoInfo): number {
  try {
    const header = Buffer.alloc(12);
    const fd = openSync(join(repo.commonDir, 'index'), 'r');
    try {
      if (readSync(fd, header, 0, 12, 0) < 12 || header.toString('latin1', 0, 4) !== 'DIRC') return 0;
    } finally {
      closeSync(fd);
    }
    return header.readUInt32BE(8);
  } catch {
    return 0;
  }
}

/**
 * True when each worktree's checkout should run while git adds the next worktree (addWorktree
 * without checkout, then checkOutWorktree): the checkouts are big (the main checkout's index has
 * OVERLAP_FROM_FILES entries or more), so doing two at a time pays for the extra git process of
 * each. `git worktree add` itself cannot overlap another: it reads every worktree's admin files,
 * which a concurrent add is still writing. A checkout writes only its own worktree's index,
 * files and branch ref — unless refs live in a reftable, where every ref update takes one lock,
 * or hooks may run: they must run as in a plain `git worktree add` and may expect one git
 * command at a time. A relative hooks path is resolved in each new worktree, so it counts as hooks.
 */
export function checkoutsShouldOverlap(repo: RepoInfo): boolean {
  if (existsSync(join(repo.commonDir, 'reftable'))) return false;
  const hooks = repo.hooksPath ?? join(repo.commonDir, 'hooks');
  if (!isAbsolute(hooks) || WORKTREE_HOOKS.some((hook) => existsSync(join(hooks, hook)))) return false;
  return indexEntries(repo) >= OVERLAP_FROM_FILES;
}
