// The facts a launch plan is checked against — whether HEAD has a commit, the branch refs, where
// branches are checked out, the live tmux sessions — gathered by three concurrent queries (one
// `git worktree list`, one `git for-each-ref`, one `tmux list-sessions`). When every choice is
// on the command line, `start` gathers them as soon as the repository is known, while the rest
// of the start path loads; the leftover check and the launch reuse them instead of asking again.
import { checkedOutIn, mainHeadHasCommit, readBranchRefs, type BranchRefs } from '../git/branches.js';
import { listWorktrees, type WorktreeListing } from '../git/worktrees.js';
import { liveSessionRepos } from '../tmux/client.js';
import type { LaunchContext } from './types.js';

/** Each fact as a settled result, so that failures surface in the order of the checks that use them. */
export interface PlanFacts {
  commits: PromiseSettledResult<boolean>;
  refs: PromiseSettledResult<BranchRefs>;
  checkedOut: PromiseSettledResult<Map<string, string>>;
  /** The live tmux sessions, each with the repository its `@paw_repo` option names ('' if none). */
  liveSessions: PromiseSettledResult<Map<string, string>>;
  /** The repository's worktrees, as `git worktree list` gave them. */
  worktrees: PromiseSettledResult<WorktreeListing[]>;
}

/** Runs the queries concurrently; never rejects. `branches`, when known, spare a look at remote names. */
export async function gatherPlanFacts(ctx: LaunchContext, branches?: readonly string[]): Promise<PlanFacts> {
  const { runner, repo } = ctx;
  const listing = listWorktrees(runner, repo.root);
  const [commits, refs, checkedOut, liveSessions, worktrees] = await Promise.allSettled([
    listing.then(mainHeadHasCommit),
    readBranchRefs(runner, repo.root, branches),
    listing.then(checkedOutIn),
    liveSessionRepos(runner),
    listing,
  ]);
  return { commits, refs, checkedOut, liveSessions, worktrees };
}
