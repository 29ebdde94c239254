// Ending a session's processes — shared by stop, purge and `demo --clean`: kill its tmux session
// (exact name, when it runs; without tmux installed nothing can run), release its `[tmux]
// jump_key` binding when no other session uses it, and wait, bounded, until its broker has
// flushed and released the port.
import type { SessionState } from '../session/schema.js';
import { hasSession, killSession, tmuxInstalled } from '../tmux/client.js';
import type { CommandRunner } from '../util/exec.js';
import { settleBrokerAfterKill, type BrokerStopOutcome } from './broker.js';

/** Undefined when the session has no broker; otherwise how its broker ended. */
export async function endSessionProcesses(
  runner: CommandRunner,
  state: SessionState,
): Promise<BrokerStopOutcome | undefined> {
  if (tmuxInstalled() && (await hasSession(runner, state.session_name))) {
    const { jumpKeyOf, releaseJumpKey } = await import('../attention/jump-key.js');
    const jumpKey = await jumpKeyOf(runner, state.session_name);
    await killSession(runner, state.session_name);
    if (jumpKey !== undefined) await releaseJumpKey(runner, jumpKey);
  }
  return settleBrokerAfterKill(state);
}
