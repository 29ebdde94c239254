// The vocabulary of observed agent state: what a CLI is doing right now (separate from the label
// an agent reports about itself in its messages), where each observation comes from, and one
// observation as the broker receives it.

/** What an agent's CLI is doing, as observed. */
export const AGENT_STATES = ['working', 'waiting', 'idle', 'error', 'exited', 'not_started'] as const;
export type AgentState = (typeof AGENT_STATES)[number];

/**
 * Where an observation came from: the CLI's own hooks, the pane's screen, the pane's foreground
 * process, or the agent's own broker messages.
 */
export const SIGNAL_SOURCES = ['hook', 'screen', 'process', 'agent'] as const;
export type SignalSource = (typeof SIGNAL_SOURCES)[number];

/** One observation of an agent's state. */
export interface StateSignal {
  state: AgentState;
  source: SignalSource;
  /** A short reason shown to the user, e.g. `permission: Bash` or `rate_limit` (may be empty). */
  detail: string;
  /** When it was observed (ms since the epoch). */
  at: number;
}

export function isAgentState(value: unknown): value is AgentState {
  return typeof value === 'string' && (AGENT_STATES as readonly string[]).includes(value);
}

/** The observed state a `/status` entry carries (a 0.3.0 broker sends none: not started). */
export function observedState(agent: { state?: unknown }): AgentState {
  return isAgentState(agent.state) ? agent.state : 'not_started';
}
