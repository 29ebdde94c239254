// What the user is told about: an agent entering a state worth a notification (waiting, error,
// …), reporting itself done or blocked, or an event about the session such as a conflict between
// branches. `eventsBetween` finds them in two successive views of one agent; `NotifyGate`
// decides which of them are sent, so that flapping or many agents at once cause one notification
// rather than a storm. Pure: time comes in as an argument.
import type { AgentState } from '../agents/state.js';
import { reportedKindOf } from './counts.js';
import type { AttentionKind } from './kinds.js';

/** The notifications sent when the config says nothing. */
export const DEFAULT_NOTIFY_ON: readonly AttentionKind[] = ['waiting', 'error', 'done'];

export interface AttentionEvent {
  kind: AttentionKind;
  agentId: string;
  branch: string;
  cli: string;
  /** One line about it, e.g. `permission: Bash` or the agent's last message ('' when none). */
  summary: string;
}

/** One agent as the broker holds it, as far as attention is concerned. */
export interface AgentView {
  state: AgentState;
  /** The label the agent last reported about itself (null when it never did). */
  reported: string | null;
  /** The reason of the observed state, e.g. `permission: Bash`. */
  detail: string;
  /** The agent's last message. */
  summary: string;
}

const STATE_EVENTS: Partial<Record<AgentState, AttentionKind>> = {
  waiting: 'waiting',
  error: 'error',
  idle: 'idle',
  exited: 'exited',
};

/** The events of an agent going from `before` to `after` (a first sight counts as no change). */
export function eventsBetween(
  before: AgentView,
  after: AgentView,
  agent: { agentId: string; branch: string; cli: string },
): AttentionEvent[] {
  const events: AttentionEvent[] = [];
  const stateKind = STATE_EVENTS[after.state];
  if (stateKind && after.state !== before.state) {
    events.push({ kind: stateKind, ...agent, summary: after.detail || after.summary });
  }
  const reported = reportedKindOf(after.reported);
  if (reported && reported !== reportedKindOf(before.reported)) {
    events.push({ kind: reported, ...agent, summary: after.summary });
  }
  return events;
}

/** How long after a notification the same event of the same agent is not sent again. */
export const REPEAT_QUIET_MS = 30_000;
/** How long events are gathered before they are sent together. */
export const SETTLE_MS = 400;

/**
 * Decides which events are sent: only kinds the user asked for; one pending event per agent
 * (the latest), sent together after SETTLE_MS; an event the agent was notified of less than
 * REPEAT_QUIET_MS before is dropped (an agent flapping between waiting and working is told
 * once).
 */
export class NotifyGate {
  private readonly pending = new Map<string, AttentionEvent>();
  /** Per agent: the last event sent and when. */
  private readonly sent = new Map<string, { kind: AttentionKind; at: number }>();

  constructor(
    private readonly on: ReadonlySet<AttentionKind>,
    private readonly quietMs = REPEAT_QUIET_MS,
  ) {}

  /** True when the event is now pending (the caller sends the batch SETTLE_MS later). */
  offer(event: AttentionEvent, now: number): boolean {
    if (!this.on.has(event.kind)) return false;
    const key = `${event.agentId}\u0000${event.kind === 'conflict' ? 'conflict' : 'agent'}`;
    const last = this.sent.get(key);
    if (last && last.kind === event.kind && now - last.at < this.quietMs) return false;
    if (this.pending.get(key)?.kind === event.kind) return false;
    this.pending.set(key, event);
    return true;
  }

  /** The pending events, oldest agent first; each is remembered as sent at `now`. */
  take(now: number): AttentionEvent[] {
    const events = [...this.pending.entries()];
    this.pending.clear();
    for (const [key, event] of events) this.sent.set(key, { kind: event.kind, at: now });
    return events.map(([, event]) => event);
  }
}
