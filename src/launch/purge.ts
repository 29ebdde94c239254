// Purging a session: first find out what would be lost (dirty worktrees, commits on a detached
// HEAD, unmerged branches) so the confirmation can say it, then remove the tmux session, the
// worktrees, the session's broker log (once the broker is down; never another session's) and the
// state. Purge never loses a commit: a detached HEAD's commits are kept under a ref first, and a
// branch git-paw created is deleted only when a real branch (the session's base branch, the main
// checkout's branch or the default branch) has all its commits. Pre-existing branches, pane logs
// and locked worktrees are never touched.
import { removeAgentsMdExclude } from '../agents-md/exclude.js';
import { removeBootstrapExclude } from '../bootstrap/files.js';
import { deleteBranch, localBranchExists, mergeTargets, unmergedCount } from '../git/branches.js';
import {
  countChanges,
  createRef,
  detachedCommits,
  KEPT_REFS,
  listWorktrees,
  pruneWorktrees,
  removeWorktree,
  unheldCommits,
  type DetachedCommits,
  type WorktreeListing,
} from '../git/worktrees.js';
import type { SessionState, WorktreeEntry } from '../session/schema.js';
import { deleteState, saveState } from '../session/store.js';
import { SessionError, describeError } from '../util/errors.js';
import { removeAgentFiles } from './integration.js';
import { say, warn } from '../util/output.js';
import { shellQuote } from '../util/shell.js';
import { removeBrokerFiles } from './broker.js';
import { endSessionProcesses } from './stop.js';
import type { LaunchContext } from './types.js';
import { pathExists } from '../util/fs.js';

export interface PurgeAssessment {
  /** Worktrees with uncommitted or untracked changes, and how many paths changed. */
  dirty: { path: string; changes: number }[];
  /** Session branches with commits that no branch they count as merged into has (kept by purge). */
  unmerged: { branch: string; commits: number }[];
  /** Worktrees whose detached HEAD holds commits no branch has (purge keeps them under a ref). */
  detached: { path: string; ref: string; commits: number }[];
  /** The branches merges were counted against (short names), for the prompt. */
  mergeTargets: string[];
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Where purge keeps the commits of a worktree's detached HEAD. */
function keptRef(entry: WorktreeEntry, found: DetachedCommits): string {
  return `${KEPT_REFS}/${entry.branch}-${found.short}`;
}

async function unmergedOf(
  ctx: LaunchContext,
  branch: string,
  targets: readonly string[],
): Promise<number | undefined> {
  if (!(await localBranchExists(ctx.runner, ctx.repo.root, branch))) return undefined;
  return unmergedCount(ctx.runner, ctx.repo.root, branch, targets);
}

/** The repo's worktrees as git records them (empty when git cannot say). */
async function worktreeRecords(ctx: LaunchContext): Promise<WorktreeListing[]> {
  return listWorktrees(ctx.runner, ctx.repo.root).catch(() => []);
}

/**
 * The commits only a session worktree's detached HEAD holds — read in the worktree, or, when its
 * directory was deleted by hand, from git's record of it (which the purge's prune would drop).
 */
async function detachedOf(
  ctx: LaunchContext,
  entry: WorktreeEntry,
  records: readonly WorktreeListing[],
): Promise<DetachedCommits | undefined> {
  if (pathExists(entry.worktree_path)) return detachedCommits(ctx.runner, entry.worktree_path);
  const record = records.find((item) => item.path === entry.worktree_path);
  if (record?.head === undefined || record.branch !== undefined || /^0+$/.test(record.head)) return undefined;
  return unheldCommits(ctx.runner, ctx.repo.root, record.head);
}

export async function assessPurge(ctx: LaunchContext, state: SessionState): Promise<PurgeAssessment> {
  const [targets, records] = await Promise.all([
    mergeTargets(ctx.runner, ctx.repo.root, state.base_branch),
    worktreeRecords(ctx),
  ]);
  const findings = await Promise.all(
    state.worktrees.map(async (entry) => {
      const exists = pathExists(entry.worktree_path);
      return {
        entry,
        changes: exists ? await countChanges(ctx.runner, entry.worktree_path).catch(() => 0) : 0,
        commits: (await unmergedOf(ctx, entry.branch, targets).catch(() => undefined)) ?? 0,
        detached: await detachedOf(ctx, entry, records).catch(() => undefined),
      };
    }),
  );
  return {
    dirty: findings
      .filter((f) => f.changes > 0)
      .map((f) => ({ path: f.entry.worktree_path, changes: f.changes })),
    unmerged: findings
      .filter((f) => f.commits > 0)
      .map((f) => ({ branch: f.entry.branch, commits: f.commits })),
    detached: findings.flatMap((f) =>
      f.detached
        ? [{ path: f.entry.worktree_path, ref: keptRef(f.entry, f.detached), commits: f.detached.commits }]
        : [],
    ),
    mergeTargets: targets.map((ref) => ref.slice('refs/heads/'.length)),
  };
}

/** The lines shown above the confirmation: what will be lost, and what is kept. */
export function describePurgeLosses(assessment: PurgeAssessment): string[] {
  const lines: string[] = [];
  if (assessment.dirty.length > 0) {
    lines.push('Uncommitted or untracked changes in these worktrees will be lost:');
    for (const { path, changes } of assessment.dirty)
      lines.push(`  ${path} (${plural(changes, 'changed file', 'changed files')})`);
  }
  if (assessment.detached.length > 0) {
    lines.push(
      'Commits on a detached HEAD, on no branch, will be lost from these worktrees (purge keeps them under a ref):',
    );
    for (const { path, ref, commits } of assessment.detached)
      lines.push(`  ${path} (${plural(commits, 'commit', 'commits')}, kept as ${ref})`);
  }
  if (assessment.unmerged.length > 0) {
    const into = assessment.mergeTargets.length > 0 ? assessment.mergeTargets.join(' or ') : 'any branch';
    lines.push(`These branches have commits not merged into ${into} (the branches are kept):`);
    for (const { branch, commits } of assessment.unmerged)
      lines.push(`  ${branch} (${plural(commits, 'unmerged commit', 'unmerged commits')})`);
  }
  return lines;
}

export const PURGE_QUESTION =
  'This will remove the tmux session, all worktrees, and session state. Continue?';

/**
 * Keeps the commits only a worktree's detached HEAD reaches under a ref (and says where); false
 * when they could not be kept, so the worktree must stay.
 */
async function keepDetachedCommits(
  ctx: LaunchContext,
  entry: WorktreeEntry,
  records: readonly WorktreeListing[],
): Promise<boolean> {
  try {
    const found = await detachedOf(ctx, entry, records);
    if (found === undefined) return true;
    const ref = keptRef(entry, found);
    await createRef(ctx.runner, ctx.repo.root, ref, found.head);
    say(
      `kept ${plural(found.commits, 'commit', 'commits')} of the detached HEAD in '${entry.worktree_path}' as ${ref}; see it with: git log ${shellQuote(ref)}`,
    );
    return true;
  } catch (error) {
    warn(`could not keep the detached HEAD's commits of '${entry.worktree_path}': ${describeError(error)}`);
    return false;
  }
}

/** Removes one worktree of the session; returns why it is still there, or undefined once it is gone. */
async function removeSessionWorktree(
  ctx: LaunchContext,
  entry: WorktreeEntry,
  records: readonly WorktreeListing[],
): Promise<string | undefined> {
  const path = entry.worktree_path;
  // A lock says "keep this"; purge never overrides it with a second --force.
  if (pathExists(path) && records.some((record) => record.path === path && record.locked)) return 'locked';
  if (!(await keepDetachedCommits(ctx, entry, records))) return 'its detached commits could not be kept';
  if (!pathExists(path)) {
    warn(`failed to remove worktree '${path}': the directory no longer exists (its record is pruned)`);
    return undefined;
  }
  try {
    // The user confirmed (or forced) after being told about uncommitted changes.
    await removeWorktree(ctx.runner, ctx.repo.root, path, { force: true });
    return undefined;
  } catch (error) {
    warn(`failed to remove worktree '${path}': ${describeError(error)}`);
    return pathExists(path) ? describeError(error) : undefined;
  }
}

async function deleteCreatedBranch(
  ctx: LaunchContext,
  branch: string,
  targets: readonly string[],
): Promise<void> {
  try {
    const commits = await unmergedOf(ctx, branch, targets);
    if (commits === undefined) return;
    if (commits > 0) {
      say(
        `kept branch '${branch}' (${plural(commits, 'unmerged commit', 'unmerged commits')}); delete it with: git branch -D ${shellQuote(branch)}`,
      );
      return;
    }
    // Merged into a real branch (counted above), whatever the main checkout has checked out.
    await deleteBranch(ctx.runner, ctx.repo.root, branch, { force: true });
  } catch (error) {
    warn(`failed to delete branch '${branch}': ${describeError(error)}`);
  }
}

/**
 * Removes the session; a step that fails becomes a warning and purge carries on. Worktrees that
 * stay (locked, or not removable) keep their entries in the state, so that a second purge can
 * finish; purge then fails naming them.
 */
export async function purgeSession(ctx: LaunchContext, state: SessionState): Promise<void> {
  const broker = await endSessionProcesses(ctx.runner, state);
  const records = await worktreeRecords(ctx);
  const left: { entry: WorktreeEntry; why: string }[] = [];
  for (const entry of state.worktrees) {
    const why = await removeSessionWorktree(ctx, entry, records);
    if (why !== undefined) left.push({ entry, why });
  }
  await pruneWorktrees(ctx.runner, ctx.repo).catch((error: unknown) => warn(describeError(error)));
  const targets = await mergeTargets(ctx.runner, ctx.repo.root, state.base_branch);
  for (const entry of state.worktrees) {
    if (entry.branch_created && !left.some((kept) => kept.entry === entry))
      await deleteCreatedBranch(ctx, entry.branch, targets);
  }
  if (left.length > 0) {
    saveState({ ...state, status: 'stopped', worktrees: left.map(({ entry }) => entry) }, ctx.env);
    throw new SessionError(
      `purge left ${plural(left.length, 'worktree', 'worktrees')} of session '${state.session_name}': ${left
        .map(({ entry, why }) => `'${entry.worktree_path}' (${why})`)
        .join(', ')}`,
      {
        hint: left.some(({ why }) => why === 'locked')
          ? 'unlock it with `git worktree unlock <path>`, then run `git paw purge` again to finish'
          : 'fix what kept it, then run `git paw purge` again to finish',
      },
    );
  }
  try {
    // A broker that would not stop may still append: its log is kept (settle warned about it).
    if (broker !== 'still running') removeBrokerFiles(state);
    removeAgentsMdExclude(ctx.repo);
    removeBootstrapExclude(ctx.repo);
    removeAgentFiles(state.session_name, ctx.env);
  } catch (error) {
    warn(describeError(error));
  }
  deleteState(state.session_name, ctx.env);
}
