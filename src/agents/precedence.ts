// Which observation decides an agent's state when several sources disagree: pure, so the broker
// and its tests reason about the same rules. Before any signal an agent is `not_started`. Then,
// checked in this order:
// - a signal older than the current state is out of date (the newest signal wins);
// - `exited` holds until the CLI shows it runs again: only a non-`exited` signal from the CLI's
//   own hooks (e.g. SessionStart, UserPromptSubmit) or from the pane's process (a CLI back in the
//   foreground) ends it; a screen reading or a message the agent sent may be left over from
//   before the exit;
// - a signal with the current state only confirms it: the state keeps its start time and the
//   reason it began with (`permission: Bash` is not replaced by a later, vaguer `permission`, and
//   a turn stays "working since" its prompt while each tool call confirms it);
// - a screen reading never overrides a state a hook decided or confirmed less than
//   HOOK_SHIELD_MS ago: the hook knows, the screen guesses, and a screen often lags a frame;
// - any other signal decides a new state.
// Only a hook's confirmation renews its shield, so the screen cannot keep a hook state alive.
import type { AgentState, SignalSource, StateSignal } from './state.js';

/** How long a hook's word stands against the screen. */
export const HOOK_SHIELD_MS = 5_000;

/** An agent's current observed state. */
export interface ObservedState {
  state: AgentState;
  /** When the signal that decided it was observed (ms since the epoch); null before any signal. */
  since: number | null;
  /** Source of the deciding signal; null before any signal. */
  source: SignalSource | null;
  detail: string;
  /** When a hook last decided or confirmed this state (null when none did), for the shield. */
  hookAt: number | null;
}

export const NOT_STARTED: ObservedState = {
  state: 'not_started',
  since: null,
  source: null,
  detail: '',
  hookAt: null,
};

/** What became of one signal. */
export type Verdict =
  { outcome: 'decided' | 'confirmed'; next: ObservedState } | { outcome: 'overruled'; reason: string };

export type Outcome = Verdict['outcome'];

/** The state after `signal` has been taken as deciding (also used to rebuild state from the log). */
export function decidedBy(signal: StateSignal): ObservedState {
  return {
    state: signal.state,
    since: signal.at,
    source: signal.source,
    detail: signal.detail,
    hookAt: signal.source === 'hook' ? signal.at : null,
  };
}

export function judge(current: ObservedState, signal: StateSignal): Verdict {
  if (signal.state === 'not_started')
    return { outcome: 'overruled', reason: 'not_started is the absence of signals, not one' };
  if (current.since !== null && signal.at < current.since)
    return { outcome: 'overruled', reason: 'older than the current state' };
  if (
    current.state === 'exited' &&
    signal.state !== 'exited' &&
    signal.source !== 'hook' &&
    signal.source !== 'process'
  )
    return { outcome: 'overruled', reason: 'exited holds until the CLI starts again' };
  if (current.state === signal.state) {
    const hookAt = signal.source === 'hook' ? signal.at : current.hookAt;
    return { outcome: 'confirmed', next: { ...current, hookAt } };
  }
  if (signal.source === 'screen' && current.hookAt !== null && signal.at - current.hookAt < HOOK_SHIELD_MS)
    return { outcome: 'overruled', reason: 'a hook reported the state less than 5 s before' };
  return { outcome: 'decided', next: decidedBy(signal) };
}
