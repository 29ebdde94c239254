// Branches: the picker's list (local + remote, remote name stripped, `*/HEAD` dropped exactly,
// checked-out branches marked), existence checks by ref, unmerged counts and deletion. Names are
// validated without git (specs/branch-name). Nothing here parses git's human-readable messages.
import { BranchError } from '../util/errors.js';
import type { CommandRunner } from '../util/exec.js';
import { git, type RepoInfo } from './repo.js';
import { listWorktrees, oneLine, type WorktreeListing } from './worktrees.js';

export interface BranchInfo {
  name: string;
  /** Path of the worktree that has this branch checked out (it cannot be used for a pane). */
  checkedOutAt?: string;
}

export interface BranchRefs {
  local: Set<string>;
  /** Branch name → remotes that have it (for branches that may exist only remotely). */
  remote: Map<string, string[]>;
}

/**
 * Splits full ref names into local branches and remote branches. A remote ref belongs to the
 * longest remote name that prefixes it (remote names may contain `/`); `refs/remotes/<r>/HEAD`
 * is the remote's default-branch pointer, not a branch.
 */
export function classifyRefs(refnames: readonly string[], remotes: readonly string[]): BranchRefs {
  const local = new Set<string>();
  const remote = new Map<string, string[]>();
  const byLength = [...remotes].sort((a, b) => b.length - a.length);
  for (const ref of refnames) {
    if (ref.startsWith('refs/heads/')) {
      local.add(ref.slice('refs/heads/'.length));
      continue;
    }
    if (!ref.startsWith('refs/remotes/')) continue;
    const rest = ref.slice('refs/remotes/'.length);
    const owner = byLength.find((name) => rest.startsWith(`${name}/`));
    if (owner === undefined) continue;
    const branch = rest.slice(owner.length + 1);
    if (branch === '' || branch === 'HEAD') continue;
    remote.set(branch, [...(remote.get(branch) ?? []), owner]);
  }
  return { local, remote };
}

/**
 * Local and remote branches. Splitting `refs/remotes/<remote>/<branch>` needs the remote names
 * (one more git process), asked for only when a remote ref may concern one of `wanted` — all
 * branches when `wanted` is not given. Otherwise the remote map is left empty: none of the
 * wanted branches exists on a remote.
 */
export async function readBranchRefs(
  runner: CommandRunner,
  repoRoot: string,
  wanted?: readonly string[],
): Promise<BranchRefs> {
  const lines = (text: string) => text.split('\n').filter((line) => line !== '');
  const refs = await git(runner, repoRoot, [
    'for-each-ref',
    '--format=%(refname)',
    'refs/heads',
    'refs/remotes',
  ]);
  if (refs.code !== 0) throw new BranchError(`git for-each-ref failed: ${oneLine(refs.stderr)}`);
  const refnames = lines(refs.stdout);
  const concernsWanted = (ref: string) =>
    wanted === undefined ||
    wanted.some((branch) => ref === `refs/remotes/${branch}` || ref.endsWith(`/${branch}`));
  if (!refnames.some((ref) => ref.startsWith('refs/remotes/') && concernsWanted(ref)))
    return classifyRefs(refnames, []);
  const remotes = await git(runner, repoRoot, ['remote']);
  if (remotes.code !== 0) throw new BranchError(`git remote failed: ${oneLine(remotes.stderr)}`);
  return classifyRefs(refnames, lines(remotes.stdout));
}

/** Which live worktree of a listing has each branch checked out (stale, prunable entries do not count). */
export function checkedOutIn(listing: readonly WorktreeListing[]): Map<string, string> {
  const byBranch = new Map<string, string>();
  for (const entry of listing) {
    if (entry.branch !== undefined && !entry.prunable) byBranch.set(entry.branch, entry.path);
  }
  return byBranch;
}

/** Which live worktree has each branch checked out (one `git worktree list`). */
export async function checkedOutBranches(
  runner: CommandRunner,
  repoRoot: string,
): Promise<Map<string, string>> {
  return checkedOutIn(await listWorktrees(runner, repoRoot));
}

/** Every branch, local and remote, once each, sorted by byte order (as upstream). */
export async function listBranches(runner: CommandRunner, repo: RepoInfo): Promise<BranchInfo[]> {
  const [refs, checkedOut] = await Promise.all([
    readBranchRefs(runner, repo.root),
    checkedOutBranches(runner, repo.root),
  ]);
  const names = [...new Set([...refs.local, ...refs.remote.keys()])].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return names.map((name) => {
    const at = checkedOut.get(name);
    return at === undefined ? { name } : { name, checkedOutAt: at };
  });
}

/** True when the main worktree's HEAD (first in a listing) is a commit, not an unborn branch (all zeros). */
export function mainHeadHasCommit(listing: readonly WorktreeListing[]): boolean {
  const head = listing[0]?.head;
  return head !== undefined && !/^0+$/.test(head);
}

/** True when the repo has at least one commit (HEAD resolves). */
export async function hasCommits(runner: CommandRunner, repoRoot: string): Promise<boolean> {
  const result = await git(runner, repoRoot, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  return result.code === 0;
}

export async function localBranchExists(
  runner: CommandRunner,
  repoRoot: string,
  branch: string,
): Promise<boolean> {
  const result = await git(runner, repoRoot, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]);
  return result.code === 0;
}

/**
 * The branches a session branch counts as merged into — real branches only, never a detached
 * HEAD: the branch the session was launched from, the main checkout's current branch, and the
 * default branch (the one `origin/HEAD` names, else `init.defaultBranch`, else main or master).
 * Returned as full refs, only those that exist.
 */
export async function mergeTargets(
  runner: CommandRunner,
  repoRoot: string,
  baseBranch: string | undefined,
): Promise<string[]> {
  const output = async (args: string[]) => {
    const result = await git(runner, repoRoot, args);
    return result.code === 0 ? result.stdout.trim() : '';
  };
  const [current, originHead, configured] = await Promise.all([
    output(['symbolic-ref', '-q', '--short', 'HEAD']),
    output(['symbolic-ref', '-q', 'refs/remotes/origin/HEAD']),
    output(['config', '--get', 'init.defaultBranch']),
  ]);
  const fromOrigin = originHead.startsWith('refs/remotes/origin/')
    ? originHead.slice('refs/remotes/origin/'.length)
    : '';
  const named = [baseBranch ?? '', current].filter((name) => name !== '');
  const defaults = [fromOrigin, configured, 'main', 'master'].filter((name) => name !== '');
  const names = [...new Set([...named, ...defaults])];
  const exists = new Map(
    await Promise.all(
      names.map(async (name) => [name, await localBranchExists(runner, repoRoot, name)] as const),
    ),
  );
  const defaultBranch = defaults.find((name) => exists.get(name));
  const targets = [...named.filter((name) => exists.get(name)), ...(defaultBranch ? [defaultBranch] : [])];
  return [...new Set(targets)].map((name) => `refs/heads/${name}`);
}

/**
 * Commits on `branch` missing from every one of `targets` (full refs): the fewest any target
 * lacks, so a branch merged into one of them counts 0. Without targets, every commit of the branch.
 */
export async function unmergedCount(
  runner: CommandRunner,
  repoRoot: string,
  branch: string,
  targets: readonly string[],
): Promise<number> {
  const ranges =
    targets.length === 0
      ? [`refs/heads/${branch}`]
      : targets.map((target) => `${target}..refs/heads/${branch}`);
  const counts = await Promise.all(
    ranges.map(async (range) => {
      const result = await git(runner, repoRoot, ['rev-list', '--count', range]);
      if (result.code !== 0)
        throw new BranchError(`git rev-list failed for '${branch}': ${oneLine(result.stderr)}`);
      return Number.parseInt(result.stdout.trim(), 10);
    }),
  );
  return Math.min(...counts);
}

/** `git branch -d` (refuses unmerged work) or `-D` (only for branches a failed launch just made). */
export async function deleteBranch(
  runner: CommandRunner,
  repoRoot: string,
  branch: string,
  options: { force: boolean },
): Promise<void> {
  const flag = options.force ? '-D' : '-d';
  const result = await git(runner, repoRoot, ['branch', flag, branch]);
  if (result.code !== 0)
    throw new BranchError(`git branch ${flag} failed for '${branch}': ${oneLine(result.stderr)}`);
}
