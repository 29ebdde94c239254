// `purge` when no state file names a session of the repo: what an earlier session left behind
// (leftovers.ts) is listed, confirmed like any purge (with the same account of what would be
// lost), and removed the way a session is: extra tmux sessions, then the session, its broker
// (waited for) and log, the worktrees. Branches are all kept: whether git-paw created them is
// not known any more.
import { killSession } from '../tmux/client.js';
import { describeError } from '../util/errors.js';
import { say, warn } from '../util/output.js';
import {
  describeLeftovers,
  findLeftovers,
  hasLeftovers,
  LEFTOVERS_HEADING,
  leftoverState,
} from './leftovers.js';
import { assessPurge, describePurgeLosses, purgeSession } from './purge.js';
import type { LaunchContext } from './types.js';

/** Asks before anything is removed (throws to cancel); skipped with --force. */
export type Confirm = (details: string[], question: string) => Promise<void>;

/** Removes the leftovers; false when there are none. The caller holds the repo lock. */
export async function purgeLeftovers(ctx: LaunchContext, confirm: Confirm | undefined): Promise<boolean> {
  const leftovers = await findLeftovers(ctx);
  if (!hasLeftovers(leftovers)) return false;
  const state = await leftoverState(ctx, leftovers);
  if (confirm) {
    const details = [
      LEFTOVERS_HEADING,
      ...describeLeftovers(leftovers),
      ...describePurgeLosses(await assessPurge(ctx, state)),
    ];
    await confirm(details, 'Remove them? (their branches are kept)');
  }
  for (const name of leftovers.sessions.slice(1)) {
    await killSession(ctx.runner, name).catch((error: unknown) => warn(describeError(error)));
  }
  await purgeSession(ctx, state);
  const branches = leftovers.worktrees.map(({ branch }) => branch);
  say(`Removed what the earlier session '${state.session_name}' left behind.`);
  if (branches.length > 0) say(`Kept its branches: ${branches.join(', ')}`);
  return true;
}
