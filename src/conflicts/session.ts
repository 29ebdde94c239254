// The session as the conflict checker sees it: each worktree's agent id, branch, path and the
// commit it forked from, from the saved session state.
import { agentIdOf } from '../git/names.js';
import type { SessionState } from '../session/schema.js';
import type { CheckSession } from './check.js';

export function checkSessionOf(state: SessionState): CheckSession {
  return {
    repo: state.repo_path,
    ...(state.base_branch === undefined ? {} : { baseBranch: state.base_branch }),
    targets: state.worktrees.map((entry) => ({
      agent: agentIdOf(entry.branch),
      branch: entry.branch,
      worktree: entry.worktree_path,
      ...(entry.base_commit === undefined ? {} : { forkPoint: entry.base_commit }),
    })),
  };
}
