// Recovery: a saved session whose tmux session is gone comes back under its
// saved name. Every worktree is checked first; a missing one is recreated from its branch when
// the branch still exists, otherwise nothing is touched and the user is told how to purge.
// Then the same bring-up as a fresh launch runs (AGENTS.md, log pipes, env, broker and dashboard,
// state). The broker follows the config as it is now: on when `[broker] enabled`, on the saved
// port with the saved token and log when the session had one (so its URL and messages survive
// stop → start), off otherwise — the log then stays recorded for purge. Worktrees recreated here
// get the files a new one would; `[worktree] setup` runs again only in them, or in all of them
// with `--rerun-setup`.
import { planBootstrap } from '../bootstrap/plan.js';
import { checkedOutIn, localBranchExists } from '../git/branches.js';
import { listWorktrees, pruneWorktrees } from '../git/worktrees.js';
import { commandOf, type SessionState, type WorktreeEntry } from '../session/schema.js';
import { WorktreeError } from '../util/errors.js';
import { canonicalPath } from '../util/fs.js';
import { warn } from '../util/output.js';
import { pathExists } from '../util/fs.js';
import { bringUpSession } from './bring-up.js';
import { planSessionBroker, withBrokerFields } from './broker.js';
import { withRollback } from './rollback.js';
import type { LaunchContext, LaunchSettings } from './types.js';
import { withRecoveredPorts } from './ports.js';
import { createAgentWorktrees, registerPruneOnRollback } from './worktrees.js';

const PURGE_HINT = 'run `git paw purge` to remove the session, then start a new one';

/** The entries whose worktree must be recreated; throws when one cannot be. */
async function missingWorktrees(ctx: LaunchContext, state: SessionState): Promise<WorktreeEntry[]> {
  // One listing serves both questions: nothing creates worktrees while the repo lock is held.
  const listing = await listWorktrees(ctx.runner, ctx.repo.root);
  const registered = new Set(listing.map((entry) => canonicalPath(entry.path)));
  const missing: WorktreeEntry[] = [];
  for (const entry of state.worktrees) {
    const present = pathExists(entry.worktree_path);
    if (present && registered.has(canonicalPath(entry.worktree_path))) continue;
    if (present) {
      throw new WorktreeError(
        `'${entry.worktree_path}' (branch '${entry.branch}') exists but is no longer a git worktree`,
        { hint: PURGE_HINT },
      );
    }
    if (!(await localBranchExists(ctx.runner, ctx.repo.root, entry.branch))) {
      throw new WorktreeError(
        `worktree '${entry.worktree_path}' is missing and its branch '${entry.branch}' no longer exists`,
        {
          hint: PURGE_HINT,
        },
      );
    }
    missing.push(entry);
  }
  const checkedOut = checkedOutIn(listing);
  for (const entry of missing) {
    const at = checkedOut.get(entry.branch);
    if (at !== undefined) {
      throw new WorktreeError(
        `worktree '${entry.worktree_path}' is missing and its branch '${entry.branch}' is checked out at '${at}'`,
        {
          hint: `switch '${at}' to another branch, or ${PURGE_HINT}`,
        },
      );
    }
  }
  return missing;
}

/** Recreates the tmux session of `state` (not running) and saves it as active. Does not attach. */
export async function recoverSession(
  ctx: LaunchContext,
  state: SessionState,
  settings: LaunchSettings,
  options: { rerunSetup?: boolean } = {},
): Promise<SessionState> {
  if (state.worktrees.length === 0) {
    throw new WorktreeError(`session '${state.session_name}' has no worktrees to recover`, {
      hint: PURGE_HINT,
    });
  }
  const brokerSettings = settings.broker;
  const broker =
    brokerSettings &&
    (await planSessionBroker(ctx, {
      sessionName: state.session_name,
      worktrees: state.worktrees,
      settings: brokerSettings,
      saved: state,
    }));
  // Before anything is touched: agents that recorded no ports get theirs (or the error).
  const withPorts = await withRecoveredPorts(ctx, state, settings.ports, broker?.port);
  return withRollback(async (rollback) => {
    await pruneWorktrees(ctx.runner, ctx.repo);
    const missing = await missingWorktrees(ctx, state);
    if (missing.length > 0) registerPruneOnRollback(ctx, rollback);
    const recreate = missing.map((entry) => ({
      branch: entry.branch,
      worktreePath: entry.worktree_path,
      source: 'local' as const,
    }));
    // Worktrees it recreates get the files a new one would.
    const files =
      missing.length > 0 ? await planBootstrap(ctx.runner, ctx.repo.root, settings.bootstrap) : undefined;
    await createAgentWorktrees(
      ctx,
      recreate,
      false,
      rollback,
      (index) => {
        const entry = missing[index] as WorktreeEntry;
        warn(`worktree '${entry.worktree_path}' was missing; recreated it from branch '${entry.branch}'`);
      },
      files,
    );
    const recovered = withBrokerFields(
      {
        ...withPorts,
        status: 'active',
        worktrees: withPorts.worktrees.map((entry) => ({ ...entry, command: commandOf(entry) })),
        mouse: settings.mouse,
      },
      broker,
    );
    const setupBranches = new Set(
      (options.rerunSetup ? state.worktrees : missing).map((entry) => entry.branch),
    );
    return bringUpSession(
      ctx,
      { state: recovered, settings, previous: state, setupBranches, ...(broker ? { broker } : {}) },
      rollback,
    );
  });
}
