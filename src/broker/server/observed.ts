// The observed state of the session's roster agents, as the broker holds it: each agent's current
// state (decided by the precedence rules) and a ring of its last signals, each marked with what
// became of it, for `status --why`. Repeats of the same non-deciding signal share one entry (a
// screen watcher confirms the state every tick and would otherwise push everything else out).
// Only roster agents have an entry and the ring has a fixed size, so memory stays bounded
// whatever the hooks and the screen send. Pure and synchronous;
// the service logs every deciding signal before `decide` applies it.
import { decidedBy, judge, NOT_STARTED, type ObservedState, type Verdict } from '../../agents/precedence.js';
import { SIGNAL_SOURCES, isAgentState, type StateSignal } from '../../agents/state.js';
import type { Message } from '../messages.js';

/** Signals kept per agent for `status --why`. */
export const SIGNAL_RING = 10;
/** A state's reason is a short label; longer text from a hook or a screen is cut. */
export const MAX_DETAIL_CHARS = 200;

/** One remembered signal (or a run of identical ones) and what became of it. */
export interface SignalEntry extends StateSignal {
  outcome: Verdict['outcome'];
  /** Why an overruled signal did not count. */
  reason?: string;
  /** How many identical signals in a row this entry stands for (from `at` to `lastAt`). */
  count: number;
  lastAt: number;
}

interface Observation {
  current: ObservedState;
  ring: SignalEntry[];
}

/** Why `signal` is not a well-formed observation, or undefined when it is. */
export function signalProblem(signal: StateSignal): string | undefined {
  if (!isAgentState(signal.state)) return 'unknown state';
  if (!(SIGNAL_SOURCES as readonly string[]).includes(signal.source)) return 'unknown signal source';
  if (typeof signal.detail !== 'string') return 'the detail must be a string';
  if (!Number.isFinite(signal.at)) return 'the observation time must be a number';
  return undefined;
}

/** The signal with its detail on one line and cut to MAX_DETAIL_CHARS. */
export function cleanSignal(signal: StateSignal): StateSignal {
  // eslint-disable-next-line no-control-regex -- control characters would break one-line views
  const flat = signal.detail.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  const detail = flat.length > MAX_DETAIL_CHARS ? `${flat.slice(0, MAX_DETAIL_CHARS - 1)}…` : flat;
  return { state: signal.state, source: signal.source, detail, at: signal.at };
}

export class ObservedStates {
  private readonly byAgent = new Map<string, Observation>();

  constructor(agentIds: Iterable<string>) {
    for (const id of agentIds) this.byAgent.set(id, { current: NOT_STARTED, ring: [] });
  }

  /** The current state of a roster agent; undefined for any other id. */
  current(agentId: string): ObservedState | undefined {
    return this.byAgent.get(agentId)?.current;
  }

  /** The last signals of a roster agent, oldest first; undefined for any other id. */
  signals(agentId: string): readonly SignalEntry[] | undefined {
    return this.byAgent.get(agentId)?.ring;
  }

  /** What `signal` would do to the agent's state; undefined when the agent is not on the roster. */
  judge(agentId: string, signal: StateSignal): Verdict | undefined {
    const entry = this.byAgent.get(agentId);
    return entry ? judge(entry.current, signal) : undefined;
  }

  /** Makes `signal` the agent's current state (a live decision once logged, or a replayed one). */
  decide(agentId: string, signal: StateSignal): void {
    const entry = this.byAgent.get(agentId);
    if (!entry) return;
    entry.current = decidedBy(signal);
    this.remember(entry, { ...signal, outcome: 'decided', count: 1, lastAt: signal.at });
  }

  /** Remembers a signal that did not decide; a confirming one renews what it confirms. */
  note(agentId: string, signal: StateSignal, verdict: Verdict): void {
    const entry = this.byAgent.get(agentId);
    if (!entry) return;
    if (verdict.outcome === 'overruled') {
      this.remember(entry, {
        ...signal,
        outcome: 'overruled',
        reason: verdict.reason,
        count: 1,
        lastAt: signal.at,
      });
      return;
    }
    entry.current = verdict.next;
    this.remember(entry, { ...signal, outcome: verdict.outcome, count: 1, lastAt: signal.at });
  }

  private remember(entry: Observation, signal: SignalEntry): void {
    const last = entry.ring.at(-1);
    if (
      last !== undefined &&
      signal.outcome !== 'decided' &&
      last.outcome === signal.outcome &&
      last.source === signal.source &&
      last.state === signal.state &&
      last.detail === signal.detail &&
      last.reason === signal.reason
    ) {
      last.count += 1;
      last.lastAt = signal.at;
      return;
    }
    entry.ring.push(signal);
    if (entry.ring.length > SIGNAL_RING) entry.ring.shift();
  }
}

/**
 * The observed state an agent's own message stands for. Publishing is itself proof that the CLI
 * is busy (it is running a command), so `agent.status` with status `working` means `working`
 * (no detail: `state_source` = `agent` already says where it came from).
 * Other labels (`done`, `blocked`, free text) describe the task, not what the CLI is doing, and
 * stay in `status` only.
 */
export function agentSignalOf(message: Message, at: number): StateSignal | undefined {
  if (message.type !== 'agent.status' || message.payload.status !== 'working') return undefined;
  return { state: 'working', source: 'agent', detail: '', at };
}
