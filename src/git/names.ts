// Names derived from a branch: the worktree directory (kept byte-compatible with 0.3.0 so
// existing worktrees are found again) and the agent id used by the broker.
import { basename, dirname, join } from 'node:path';
import { WorktreeError } from '../util/errors.js';

/**
 * `<project>-<branch>` with `/` → `-`, then every character that is not a Unicode letter or
 * number, `-`, `_` or `.` removed. No lower-casing, no dash collapsing (upstream-compatible).
 */
export function worktreeDirName(project: string, branch: string): string {
  return `${project}-${worktreeSlug(branch)}`;
}

/** The branch's part of its worktree directory name; empty when no character of it can be used. */
export function worktreeSlug(branch: string): string {
  return branch.replaceAll('/', '-').replace(/[^\p{Alphabetic}\p{N}_.-]/gu, '');
}

/** Absolute worktree path of `branch`: a sibling of the repo root. */
export function worktreePathFor(repoRoot: string, project: string, branch: string): string {
  const parent = dirname(repoRoot);
  if (parent === repoRoot) throw new WorktreeError('cannot determine parent directory of repo');
  return join(parent, worktreeDirName(project, branch));
}

/** How the dry-run plan shows a worktree path: relative to the repo root (`../proj-feat-a`). */
export function relativeWorktreeLabel(worktreePath: string): string {
  return `../${basename(worktreePath)}`;
}

/**
 * Agent id of a branch: ASCII-lowercased, every character outside `[a-z0-9_]` → `-`, dash runs
 * collapsed, leading/trailing dashes trimmed, `agent` when nothing is left.
 */
export function agentIdOf(branch: string): string {
  const slug = branch
    .replace(/[A-Z]/g, (c) => c.toLowerCase())
    .replace(/[^a-z0-9_]/gu, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return slug === '' ? 'agent' : slug;
}
