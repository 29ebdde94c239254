// Effective status: what `status` reports, combining the file with tmux.
import type { SessionState } from './schema.js';

export type EffectiveStatus = 'active' | 'stopped';

/** `active` only when the file says so and the tmux session is alive. */
export function effectiveStatus(state: SessionState, tmuxAlive: boolean): EffectiveStatus {
  return state.status === 'active' && tmuxAlive ? 'active' : 'stopped';
}
