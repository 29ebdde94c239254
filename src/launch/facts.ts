// The facts a launch plan is checked against — whether HEAD has a commit, the branch refs, where
// branches are checked out, the live tmux sessions, the settings that decide whether checkouts
// may overlap worktree creation — gathered by four concurrent queries. When
// every choice is on the command line, `start` gathers them as soon as the repository is known,
// while the rest of the start path loads.
import { checkedOutIn, mainHeadHasCommit, readBranchRefs, type BranchRefs } from '../git/branches.js';
import { listWorktrees, readWorktreeGitSettings, type WorktreeGitSettings } from '../git/worktrees.js';
import { liveSessionNames } from '../tmux/client.js';
import type { LaunchContext } from './types.js';

/** Each fact as a settled result, so that failures surface in the order of the checks that use them. */
export interface PlanFacts {
  commits: PromiseSettledResult<boolean>;
  refs: PromiseSettledResult<BranchRefs>;
  checkedOut: PromiseSettledResult<Map<string, string>>;
  /** Names of the live tmux sessions (for the session name). */
  liveSessions: PromiseSettledResult<Set<string>>;
  worktreeGit: PromiseSettledResult<WorktreeGitSettings>;
}

/** Runs the four queries concurrently; never rejects. */
export async function gatherPlanFacts(ctx: LaunchContext): Promise<PlanFacts> {
  const { runner, repo } = ctx;
  // One `git worktree list` says where branches are checked out and whether HEAD has a commit.
  const listing = listWorktrees(runner, repo.root);
  const [commits, refs, checkedOut, liveSessions, worktreeGit] = await Promise.allSettled([
    listing.then(mainHeadHasCommit),
    readBranchRefs(runner, repo.root),
    listing.then(checkedOutIn),
    liveSessionNames(runner),
    readWorktreeGitSettings(runner, repo.root),
  ]);
  return { commits, refs, checkedOut, liveSessions, worktreeGit };
}
