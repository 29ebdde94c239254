// The broker's state: agent registry (roster first, then unknown publishers), inboxes, the global
// sequence counter, routing, and each roster agent's observed state. Pure and synchronous:
// `apply` is the only mutation of messages and of decided states, and is used identically for
// live publishes and signals and for log replay, so a replayed log rebuilds exactly the state
// that acknowledged them. Memory is bounded by the caps in `BrokerLimits`. A snapshot (what log
// compaction writes) is every field of the state, whatever fields it has, so a field added here
// survives compaction as long as it holds plain data, Maps, Sets or the classes in STATE_CLASSES.
import type { AgentState, SignalSource, StateSignal } from '../../agents/state.js';
import { Inbox, type StoredMessage } from './inbox.js';
import {
  canonicalJson,
  deliveredJson,
  noticeJson,
  statusLabel,
  type ConflictNotice,
  type Message,
} from '../messages.js';
import { ObservedStates } from './observed.js';

export interface RosterAgent {
  agent_id: string;
  cli: string;
}

export interface BrokerLimits {
  /** Messages kept per inbox; the oldest are dropped beyond it. */
  inboxMessages: number;
  /** Ids outside the roster that may get an inbox or registry entry. */
  extraAgents: number;
  /** Total characters of delivered JSON held by all inboxes together. */
  retainedChars: number;
  /** Total distinct messages held (or waiting to be released) by all inboxes together. */
  retainedMessages: number;
  /** Total inbox entries (one broadcast to n inboxes counts n). */
  retainedRefs: number;
  /** Characters of delivered JSON in one poll reply (at least one message is always sent). */
  pageChars: number;
}

export const DEFAULT_LIMITS: BrokerLimits = {
  inboxMessages: 10_000,
  extraAgents: 1_000,
  retainedChars: 32 * 1024 * 1024,
  retainedMessages: 200_000,
  retainedRefs: 2_000_000,
  pageChars: 1024 * 1024,
};

/** The state's fields as a snapshot holds them (decoded, so of any shape: it replaces them all). */
export type SnapshotFields = Readonly<Record<string, unknown>>;

/**
 * One line of the message log: an accepted message, an inbox opened by a poll, a signal that
 * decided an agent's observed state, how far an agent's MCP `read_inbox` has read, or a
 * snapshot of the whole state (the first line of a compacted log).
 */
export type LogRecord =
  | {
      kind: 'message';
      seq: number;
      ts: string;
      message: Message;
      /** The message's canonical JSON when already at hand (a replayed line holds it verbatim). */
      canonical?: string;
    }
  | { kind: 'inbox'; ts: string; agentId: string }
  | { kind: 'state'; ts: string; agentId: string; signal: StateSignal }
  | { kind: 'notice'; seq: number; ts: string; to: string; notice: ConflictNotice }
  | { kind: 'cursor'; ts: string; agentId: string; seq: number }
  | { kind: 'snapshot'; ts: string; fields: SnapshotFields };

/**
 * One `/status` agent entry: 0.3.0's members in its alphabetical order, then the observed state
 * (added at the end so 0.3.0 clients see their members where they were).
 */
export interface AgentStatus {
  agent_id: string;
  cli: string;
  /** Whole seconds since the last accepted publish; null for a roster agent that never published. */
  last_seen_seconds: number | null;
  /** The label the agent last reported about itself; null for a roster agent that never published. */
  status: string | null;
  summary: string;
  state: AgentState;
  /** ISO time the state began; null while `not_started`. */
  state_since: string | null;
  state_source: SignalSource | null;
  state_detail: string;
}

export interface PollResult {
  /** Delivered JSON of each message, oldest first. */
  messages: string[];
  /** Highest seq returned, or the `since` given when nothing is returned (decimal text). */
  lastSeq: string;
  /** Present when messages after `since` were dropped: every seq below it may be missing. */
  droppedBefore?: number;
  /** True when the reply was cut at the page size; poll again with the new cursor. */
  more: boolean;
}

interface AgentEntry {
  cli: string;
  status: string | null;
  lastSeenMs: number | null;
  summary: string;
  /**
   * The last message, while `status`, `lastSeenMs` and `summary` are not worked out from it yet:
   * only the last one of each sender is ever shown, so a replay of many messages does it once per
   * sender. Dropped at the next read of the registry (`/status`, the attention monitor on every
   * change, a snapshot).
   */
  latest?: { message: Message; ts: string };
}

/**
 * A copy of `text` that shares no memory with it, for what the state keeps long. A replayed
 * message's strings are slices of its log line (see store.ts), and V8 keeps a slice's whole
 * source alive, however short the slice: an agent's 20-character status would hold a 1 MB line.
 */
function detached(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

/** Works out the entry's status, time and summary from its last message, when not done yet. */
function settled(entry: AgentEntry): AgentEntry {
  if (entry.latest !== undefined) {
    entry.status = detached(statusLabel(entry.latest.message));
    entry.lastSeenMs = Date.parse(entry.latest.ts);
    entry.summary = detached(summaryOf(entry.latest.message));
    delete entry.latest;
  }
  return entry;
}

const SUMMARY_CHARS = 200;

/** One-line summary of an agent's last message: status text, artifact exports, blocked request. */
export function summaryOf(message: Message): string {
  let text: string;
  switch (message.type) {
    case 'agent.status':
      text = message.payload.message ?? '';
      break;
    case 'agent.artifact':
      text = message.payload.exports.length > 0 ? `exports: ${message.payload.exports.join(', ')}` : '';
      break;
    case 'agent.blocked':
      text = `needs ${message.payload.needs} from ${message.payload.from}`;
      break;
  }
  // eslint-disable-next-line no-control-regex -- control characters would break one-line views
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > SUMMARY_CHARS ? `${flat.slice(0, SUMMARY_CHARS - 1)}…` : flat;
}

function noticePairKey(a: string, b: string): string {
  return a < b ? `${a}\0${b}` : `${b}\0${a}`;
}

export class BrokerState {
  private readonly agentsById = new Map<string, AgentEntry>();
  private readonly inboxes = new Map<string, Inbox>();
  private readonly rosterSize: number;
  /** Every message held by some inbox, oldest first, for the global memory cap. */
  private retained: StoredMessage[] = [];
  private retainedHead = 0;
  private retainedChars = 0;
  private retainedRefs = 0;
  private last = 0;
  private accepted = 0;
  /** Observed state of the roster agents (agents outside the roster have none). */
  readonly observed: ObservedStates;
  /** The last conflict notice per pair of agents (`a\0b`, sorted): its kind and when it was sent. */
  private readonly notices = new Map<string, { kind: ConflictNotice['kind']; since: string }>();
  /**
   * The highest seq MCP `read_inbox` has handed to each agent: the broker keeps the cursor, so a
   * model never handles seqs, and it is logged so that a restart does not hand a message twice.
   */
  private readonly readCursors = new Map<string, number>();

  constructor(
    roster: readonly RosterAgent[],
    private readonly limits: BrokerLimits = DEFAULT_LIMITS,
  ) {
    for (const agent of roster) {
      if (this.agentsById.has(agent.agent_id)) continue;
      this.agentsById.set(agent.agent_id, { cli: agent.cli, status: null, lastSeenMs: null, summary: '' });
      this.inboxes.set(agent.agent_id, new Inbox());
    }
    this.rosterSize = this.inboxes.size;
    this.observed = new ObservedStates(this.inboxes.keys());
  }

  /** Highest seq handed out so far (0 before the first message). */
  get lastSeq(): number {
    return this.last;
  }

  /** Messages accepted over the broker's whole life (replayed ones included). */
  get messageCount(): number {
    return this.accepted;
  }

  /** The session's own agents, in roster order. */
  rosterIds(): string[] {
    return [...this.inboxes.keys()].slice(0, this.rosterSize);
  }

  /** The CLI of a roster agent; undefined for any other id. */
  rosterCli(agentId: string): string | undefined {
    return this.observed.current(agentId) === undefined ? undefined : this.agentsById.get(agentId)?.cli;
  }

  hasInbox(agentId: string): boolean {
    return this.inboxes.has(agentId);
  }

  /** True when `agentId` has an inbox or may get one without passing the agent cap. */
  canOpenInbox(agentId: string, alsoOpening = 0): boolean {
    return (
      this.inboxes.has(agentId) || this.inboxes.size - this.rosterSize + alsoOpening < this.limits.extraAgents
    );
  }

  /**
   * Why `message` cannot be accepted now (the agent cap), or undefined when it can. `opening`
   * holds ids that accepted-but-not-yet-applied messages will create.
   */
  admissionProblem(message: Message, opening: ReadonlySet<string> = new Set()): string | undefined {
    const ids = new Set([message.agent_id]);
    if (message.type === 'agent.blocked') ids.add(message.payload.from);
    const fresh = [...ids].filter((id) => !this.inboxes.has(id) && !opening.has(id)).length;
    if (fresh === 0 || this.inboxes.size - this.rosterSize + opening.size + fresh <= this.limits.extraAgents)
      return undefined;
    return `too many agents in this session (at most ${this.limits.extraAgents} besides the session's own)`;
  }

  /**
   * Applies one log record: registers, routes and delivers a message, opens an inbox, or sets the
   * state a signal decided.
   */
  apply(record: LogRecord): void {
    if (record.kind === 'snapshot') {
      // Fields a snapshot from an older version lacks keep the values the constructor gave them.
      Object.assign(this, record.fields, { limits: this.limits });
      return;
    }
    if (record.kind === 'inbox') {
      this.inboxOf(record.agentId);
      return;
    }
    if (record.kind === 'state') {
      this.observed.decide(record.agentId, record.signal);
      return;
    }
    if (record.kind === 'notice') {
      const { seq, ts, to, notice } = record;
      this.last = Math.max(this.last, seq);
      this.notices.set(noticePairKey(to, notice.with), { kind: notice.kind, since: ts });
      this.deliver({ seq, json: deliveredJson(noticeJson(notice), seq, ts), holders: 0 }, [this.inboxOf(to)]);
      return;
    }
    if (record.kind === 'cursor') {
      this.readCursors.set(record.agentId, Math.max(this.readCursor(record.agentId), record.seq));
      return;
    }
    const { message, seq, ts } = record;
    this.last = Math.max(this.last, seq);
    this.accepted += 1;
    let sender = this.agentsById.get(message.agent_id);
    if (sender === undefined) {
      sender = { cli: '', status: null, lastSeenMs: null, summary: '' };
      this.agentsById.set(detached(message.agent_id), sender);
    }
    sender.latest = { message, ts };
    const senderInbox = this.inboxOf(message.agent_id);

    const recipients: Inbox[] = [];
    if (message.type === 'agent.artifact') {
      for (const inbox of this.inboxes.values()) if (inbox !== senderInbox) recipients.push(inbox);
    } else if (message.type === 'agent.blocked') {
      recipients.push(this.inboxOf(message.payload.from));
    }
    if (recipients.length === 0) return;
    const canonical = record.canonical ?? canonicalJson(message);
    this.deliver({ seq, json: deliveredJson(canonical, seq, ts), holders: 0 }, recipients);
  }

  /** The last conflict notice sent about the pair (either order), for not sending it twice. */
  lastNotice(a: string, b: string): { kind: ConflictNotice['kind']; since: string } | undefined {
    return this.notices.get(noticePairKey(a, b));
  }

  /** Puts a delivered message in each inbox, within the caps. */
  private deliver(stored: StoredMessage, recipients: readonly Inbox[]): void {
    for (const inbox of recipients) {
      inbox.push(stored);
      this.retainedRefs += 1;
      if (inbox.length > this.limits.inboxMessages) this.dropOldest(inbox);
    }
    if (stored.holders > 0) {
      this.retained.push(stored);
      this.retainedChars += stored.json.length;
      this.enforceGlobalCap();
    }
  }

  /** The highest seq MCP `read_inbox` has handed to `agentId` (0 before its first read). */
  readCursor(agentId: string): number {
    return this.readCursors.get(agentId) ?? 0;
  }

  /** True when `agentId`'s inbox holds a message after its `read_inbox` cursor. */
  hasUnread(agentId: string): boolean {
    return (this.inboxes.get(agentId)?.lastSeq ?? 0) > this.readCursor(agentId);
  }

  /** Inbox read (non-destructive): messages after `since`, cut at the page size. */
  poll(agentId: string, since: bigint, pageChars = this.limits.pageChars): PollResult {
    const inbox = this.inboxes.get(agentId);
    const result: PollResult = { messages: [], lastSeq: since.toString(), more: false };
    if (!inbox) return result;
    if (BigInt(inbox.droppedThrough) > since) result.droppedBefore = inbox.droppedThrough + 1;
    if (since >= BigInt(this.last)) return result;
    const pending = inbox.after(Number(since));
    let chars = 0;
    for (const message of pending) {
      if (result.messages.length > 0 && chars + message.json.length > pageChars) {
        result.more = true;
        break;
      }
      chars += message.json.length;
      result.messages.push(message.json);
      result.lastSeq = String(message.seq);
    }
    return result;
  }

  /**
   * Every field of the state except its configuration (the limits come from the broker that
   * replays), for a snapshot: live objects, to be encoded before anything else changes them.
   */
  snapshotFields(): SnapshotFields {
    // Drop what was already evicted, so that the snapshot does not carry it.
    this.retained = this.retained.slice(this.retainedHead);
    this.retainedHead = 0;
    for (const inbox of this.inboxes.values()) inbox.trim();
    for (const entry of this.agentsById.values()) settled(entry);
    const { limits: _configuration, ...fields } = this as unknown as Record<string, unknown>;
    return fields;
  }

  /** Registry in roster order, then unknown publishers in order of their first publish. */
  agents(nowMs: number): AgentStatus[] {
    return [...this.agentsById].map(([agentId, registered]) => {
      const entry = settled(registered);
      const observed = this.observed.current(agentId);
      const since = observed?.since ?? null;
      return {
        agent_id: agentId,
        cli: entry.cli,
        last_seen_seconds:
          entry.lastSeenMs === null ? null : Math.max(0, Math.floor((nowMs - entry.lastSeenMs) / 1000)),
        status: entry.status,
        summary: entry.summary,
        state: observed?.state ?? 'not_started',
        state_since: since === null ? null : new Date(since).toISOString(),
        state_source: observed?.source ?? null,
        state_detail: observed?.detail ?? '',
      };
    });
  }

  private inboxOf(agentId: string): Inbox {
    let inbox = this.inboxes.get(agentId);
    if (!inbox) {
      inbox = new Inbox();
      this.inboxes.set(detached(agentId), inbox);
    }
    return inbox;
  }

  private dropOldest(inbox: Inbox): void {
    const dropped = inbox.shift();
    if (!dropped) return;
    this.retainedRefs -= 1;
    this.release(dropped);
  }

  /** Frees a message's text once no inbox holds it. */
  private release(message: StoredMessage | undefined): void {
    if (!message || message.holders > 0 || message.json === '') return;
    this.retainedChars -= message.json.length;
    message.json = '';
  }

  /**
   * Drops the globally oldest messages while the caps are exceeded. Eviction runs in seq order,
   * so an evicted message is always at the head of every inbox still holding it.
   */
  private enforceGlobalCap(): void {
    while (
      this.retainedHead < this.retained.length &&
      (this.retainedChars > this.limits.retainedChars ||
        this.retainedRefs > this.limits.retainedRefs ||
        this.retained.length - this.retainedHead > this.limits.retainedMessages)
    ) {
      const oldest = this.retained[this.retainedHead] as StoredMessage;
      this.retainedHead += 1;
      if (oldest.holders > 0) {
        for (const inbox of this.inboxes.values()) if (inbox.peek() === oldest) this.dropOldest(inbox);
      }
    }
    if (this.retainedHead > 1024 && this.retainedHead * 2 > this.retained.length) {
      this.retained = this.retained.slice(this.retainedHead);
      this.retainedHead = 0;
    }
  }
}

/** The classes a snapshot of the state holds instances of. */
export const STATE_CLASSES = { Inbox, ObservedStates };
