// Purging a session (TARGET §7, W-5): first find out what would be lost (dirty worktrees,
// unmerged commits) so the confirmation can say it, then remove the tmux session, the worktrees,
// the session's broker log (once the broker is down, W4; never another session's, W7) and the
// state. A branch git-paw created is deleted only when it holds no unmerged commits;
// pre-existing branches and pane logs are never touched.
import { removeAgentsMdExclude } from '../agents-md/exclude.js';
import { deleteBranch, localBranchExists, unmergedCount } from '../git/branches.js';
import { countChanges, pruneWorktrees, removeWorktree } from '../git/worktrees.js';
import type { SessionState } from '../session/schema.js';
import { deleteState } from '../session/store.js';
import { removeAgentFiles } from './integration.js';
import { describeError } from '../util/errors.js';
import { say, warn } from '../util/output.js';
import { shellQuote } from '../util/shell.js';
import { removeBrokerFiles } from './broker.js';
import { endSessionProcesses } from './stop.js';
import type { LaunchContext } from './types.js';
import { pathExists } from './worktrees.js';

export interface PurgeAssessment {
  /** Worktrees with uncommitted or untracked changes, and how many paths changed. */
  dirty: { path: string; changes: number }[];
  /** Session branches with commits the repo's current branch lacks (kept by purge). */
  unmerged: { branch: string; commits: number }[];
}

async function unmergedOf(ctx: LaunchContext, branch: string): Promise<number | undefined> {
  if (!(await localBranchExists(ctx.runner, ctx.repo.root, branch))) return undefined;
  return unmergedCount(ctx.runner, ctx.repo.root, branch);
}

export async function assessPurge(ctx: LaunchContext, state: SessionState): Promise<PurgeAssessment> {
  const findings = await Promise.all(
    state.worktrees.map(async (entry) => ({
      entry,
      changes: pathExists(entry.worktree_path) ? await countChanges(ctx.runner, entry.worktree_path).catch(() => 0) : 0,
      commits: (await unmergedOf(ctx, entry.branch).catch(() => undefined)) ?? 0,
    })),
  );
  return {
    dirty: findings.filter((f) => f.changes > 0).map((f) => ({ path: f.entry.worktree_path, changes: f.changes })),
    unmerged: findings.filter((f) => f.commits > 0).map((f) => ({ branch: f.entry.branch, commits: f.commits })),
  };
}

/** The lines shown above the confirmation: what will be lost, and what is kept. */
export function describePurgeLosses(assessment: PurgeAssessment): string[] {
  const lines: string[] = [];
  if (assessment.dirty.length > 0) {
    lines.push('Uncommitted or untracked changes in these worktrees will be lost:');
    for (const { path, changes } of assessment.dirty) lines.push(`  ${path} (${changes} changed ${changes === 1 ? 'file' : 'files'})`);
  }
  if (assessment.unmerged.length > 0) {
    lines.push('These branches have commits not merged into the current branch (the branches are kept):');
    for (const { branch, commits } of assessment.unmerged) lines.push(`  ${branch} (${commits} unmerged commits)`);
  }
  return lines;
}

export const PURGE_QUESTION = 'This will remove the tmux session, all worktrees, and session state. Continue?';

async function removeSessionWorktree(ctx: LaunchContext, path: string): Promise<void> {
  if (!pathExists(path)) {
    warn(`failed to remove worktree '${path}': the directory no longer exists (its record is pruned)`);
    return;
  }
  // The user confirmed (or forced) after being told about uncommitted changes.
  await removeWorktree(ctx.runner, ctx.repo.root, path, { force: true }).catch((error: unknown) =>
    warn(`failed to remove worktree '${path}': ${describeError(error)}`),
  );
}

async function deleteCreatedBranch(ctx: LaunchContext, branch: string): Promise<void> {
  try {
    const commits = await unmergedOf(ctx, branch);
    if (commits === undefined) return;
    if (commits > 0) {
      say(`kept branch '${branch}' (${commits} unmerged commits); delete it with: git branch -D ${shellQuote(branch)}`);
      return;
    }
    await deleteBranch(ctx.runner, ctx.repo.root, branch, { force: false });
  } catch (error) {
    warn(`failed to delete branch '${branch}': ${describeError(error)}`);
  }
}

/** Removes the session; every step that fails becomes a warning and purge carries on. */
export async function purgeSession(ctx: LaunchContext, state: SessionState): Promise<void> {
  const broker = await endSessionProcesses(ctx.runner, state);
  for (const entry of state.worktrees) await removeSessionWorktree(ctx, entry.worktree_path);
  await pruneWorktrees(ctx.runner, ctx.repo).catch((error: unknown) => warn(describeError(error)));
  for (const entry of state.worktrees) {
    if (entry.branch_created) await deleteCreatedBranch(ctx, entry.branch);
  }
  try {
    // A broker that would not stop may still append: its log is kept (settle warned about it).
    if (broker !== 'still running') removeBrokerFiles(state);
    removeAgentsMdExclude(ctx.repo);
    removeAgentFiles(state.session_name, ctx.env);
  } catch (error) {
    warn(describeError(error));
  }
  deleteState(state.session_name, ctx.env);
}
