// The broker's operations as the HTTP routes see them: publish (admit → log → apply → reply),
// poll (opening the inbox of a new valid id, logged), observe (an agent-state signal: judged, and
// logged before it is applied when it decides), the `/status` document and an agent's recent
// signals. Ties the pure state to the log so that every change is written before it becomes
// visible or acknowledged. Publishes that arrive in the same event-loop turn are written with one
// write (a batch): each gets its seq at once, and is applied and answered only after the batch is
// in the log.
import type { ObservedState, Outcome } from '../../agents/precedence.js';
import type { StateSignal } from '../../agents/state.js';
import { conflictsJson } from '../../conflicts/report.js';
import type { ConflictEntry, ConflictReport } from '../../conflicts/types.js';
import { describeError } from '../../util/errors.js';
import { CompactingLog, DEFAULT_LOG_LIMIT, type CompactionOptions } from './compaction.js';
import type { Message } from '../messages.js';
import { agentSignalOf, cleanSignal, signalProblem, type SignalEntry } from './observed.js';
import {
  BrokerState,
  DEFAULT_LIMITS,
  type AgentStatus,
  type BrokerLimits,
  type LogRecord,
  type PollResult,
  type RosterAgent,
} from './state.js';
import { MessageLog, replayLog, TornWriteError, type ReplayReport } from './store.js';

/** Who this broker is, as reported by `/status`. */
export interface BrokerIdentity {
  session: string;
  repoPath: string;
  instanceId: string;
  version: string;
  pid: number;
  startedAt: Date;
}

/** The append side of the log as the service needs it (MessageLog in production). */
export interface RecordSink {
  /**
   * Writes the records in order before returning; throws when that fails, leaving none of them
   * in the log — or a TornWriteError when some of them may be there.
   */
  append(records: readonly LogRecord[]): void;
}

interface PendingPublish {
  record: LogRecord & { kind: 'message' | 'notice' };
  reply: (outcome: PublishOutcome) => void;
}

/** At most this many `wait_for_message` calls of one agent wait at once (each holds a connection). */
export const MAX_WAITS_PER_AGENT = 4;

export type PublishOutcome = { ok: true; seq: number } | { ok: false; status: number; error: string };

/** What became of an observed signal, or why it was refused (an HTTP status and a reason). */
export type ObserveOutcome = { ok: true; outcome: Outcome } | { ok: false; status: number; error: string };

/** An agent's current observed state and its last signals, for `status --why`. */
export interface AgentSignals {
  agent_id: string;
  state: string;
  state_since: string | null;
  state_source: string | null;
  state_detail: string;
  /** Oldest first; times as ISO; `count` identical signals in a row from `at` to `last_at`. */
  signals: (Omit<SignalEntry, 'at' | 'lastAt'> & { at: string; last_at: string })[];
}

export class BrokerService {
  private pending: PendingPublish[] = [];
  /** Ids that pending messages will register or give an inbox (for the agent cap). */
  private opening = new Set<string>();
  private lastAllocated = 0;
  /** The conflict watcher's last report (not logged: the watcher recomputes it after a restart). */
  private conflicts: ConflictReport | undefined;
  /** Per agent, the wakers of its `wait_for_message` calls now waiting. */
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly changeListeners: ((agentId: string) => void)[] = [];

  constructor(
    private readonly state: BrokerState,
    private readonly sink: RecordSink,
    private readonly identity: BrokerIdentity,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Accepts a validated message: checks the agent cap and gives it the next seq; `reply` is
   * called once it is in the log and routed (or with the reason it was not).
   */
  publish(message: Message, reply: (outcome: PublishOutcome) => void): void {
    const problem = this.state.admissionProblem(message, this.opening);
    if (problem) return reply({ ok: false, status: 429, error: problem });
    this.lastAllocated = Math.max(this.lastAllocated, this.state.lastSeq) + 1;
    const record = {
      kind: 'message' as const,
      seq: this.lastAllocated,
      ts: new Date(this.now()).toISOString(),
      message,
    };
    for (const id of [
      message.agent_id,
      ...(message.type === 'agent.blocked' ? [message.payload.from] : []),
    ]) {
      if (!this.state.hasInbox(id)) this.opening.add(id);
    }
    this.pending.push({ record, reply });
    if (this.pending.length === 1) setImmediate(() => this.flush());
  }

  /**
   * Tells both agents of a pair that is new or changed kind: one `agent.conflict` notice in each
   * inbox, written to the log in the same batch and order as publishes, so seqs stay in order.
   */
  announceConflict(entry: ConflictEntry): void {
    const ts = new Date(this.now()).toISOString();
    const [a, b] = entry.agents;
    const flushScheduled = this.pending.length > 0;
    for (const [to, other] of [
      [a, b],
      [b, a],
    ] as const) {
      this.lastAllocated = Math.max(this.lastAllocated, this.state.lastSeq) + 1;
      const notice = { type: 'agent.conflict' as const, with: other, kind: entry.kind, paths: entry.paths };
      this.pending.push({
        record: { kind: 'notice', seq: this.lastAllocated, ts, to, notice },
        reply: (outcome) => {
          if (!outcome.ok)
            process.stderr.write(`broker: conflict notice to ${to} not sent: ${outcome.error}\n`);
        },
      });
    }
    if (!flushScheduled) setImmediate(() => this.flush());
  }

  /** The last conflict notice about a pair of agents, for the watcher's memory across restarts. */
  lastConflictNotice(a: string, b: string): { kind: ConflictEntry['kind']; since: string } | undefined {
    return this.state.lastNotice(a, b);
  }

  /** Keeps the conflict watcher's latest report for `/status`. */
  setConflictReport(report: ConflictReport): void {
    this.conflicts = report;
  }

  /**
   * Writes the batch, then applies and acknowledges it; on a failed write nothing is applied. The
   * batch's seqs are handed out again only when the write left none of its lines in the log:
   * a line there would come back at replay beside the message that reused its seq.
   */
  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.opening = new Set();
    const failure = this.write(batch.map((entry) => entry.record));
    if (failure) {
      if (!failure.torn) this.lastAllocated = this.state.lastSeq;
      for (const entry of batch) entry.reply({ ok: false, status: 500, error: failure.error });
      return;
    }
    for (const entry of batch) {
      const { record } = entry;
      this.state.apply(record);
      if (record.kind === 'message') {
        const signal = agentSignalOf(record.message, Date.parse(record.ts));
        if (signal) this.observe(record.message.agent_id, signal);
        this.changed(record.message.agent_id);
      }
      entry.reply({ ok: true, seq: record.seq });
    }
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    for (const [agentId, wakers] of this.waiters) {
      if (!this.state.hasUnread(agentId)) continue;
      for (const wake of wakers) wake();
    }
  }

  /**
   * The messages `agentId`'s MCP `read_inbox` has not returned yet (cut at `pageChars`). The
   * cursor moves past them in the log before they are returned, so each is handed out once, also
   * across a restart.
   */
  readInbox(agentId: string, pageChars: number): PollResult | { error: string } {
    const result = this.state.poll(agentId, BigInt(this.state.readCursor(agentId)), pageChars);
    if (result.messages.length === 0) return result;
    const record: LogRecord = {
      kind: 'cursor',
      ts: new Date(this.now()).toISOString(),
      agentId,
      seq: Number(result.lastSeq),
    };
    const failure = this.write([record]);
    if (failure) return { error: failure.error };
    this.state.apply(record);
    return result;
  }

  /**
   * Resolves `true` as soon as `agentId` has a message `read_inbox` has not returned, `false`
   * after `timeoutMs` or when `signal` aborts (the caller went away). Refused (`undefined`) when
   * the agent already has MAX_WAITS_PER_AGENT calls waiting, so waits stay bounded.
   */
  waitForUnread(agentId: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> | undefined {
    if (this.state.hasUnread(agentId)) return Promise.resolve(true);
    const wakers = this.waiters.get(agentId) ?? new Set<() => void>();
    if (wakers.size >= MAX_WAITS_PER_AGENT) return undefined;
    this.waiters.set(agentId, wakers);
    return new Promise((resolve) => {
      const finish = (arrived: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        wakers.delete(wake);
        if (wakers.size === 0) this.waiters.delete(agentId);
        resolve(arrived);
      };
      const wake = () => finish(true);
      const onAbort = () => finish(false);
      const timer = setTimeout(() => finish(false), timeoutMs);
      wakers.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) finish(false);
    });
  }

  /**
   * Calls `listener` after each accepted message and each decided state, with the agent's id
   * (the status line and notifications follow the state this way, without polling).
   */
  onAgentChange(listener: (agentId: string) => void): void {
    this.changeListeners.push(listener);
  }

  private changed(agentId: string): void {
    for (const listener of this.changeListeners) {
      try {
        listener(agentId);
      } catch (error) {
        process.stderr.write(`broker: after a change of ${agentId}: ${describeError(error)}\n`);
      }
    }
  }

  /** Every agent as `/status` reports it, in roster order. */
  agents(): AgentStatus[] {
    return this.state.agents(this.now());
  }

  /** A roster agent's current observed state (undefined for an id not in the session). */
  currentState(agentId: string): ObservedState | undefined {
    return this.state.observed.current(agentId);
  }

  /**
   * Takes one observation of a roster agent's state (from its hooks, its screen, its process or
   * its own messages). A signal that decides a new state is written to the log before it is
   * applied; one that only confirms or is overruled is remembered for `status --why` alone.
   */
  observe(agentId: string, signal: StateSignal): ObserveOutcome {
    const problem = signalProblem(signal);
    if (problem) return { ok: false, status: 400, error: problem };
    const clean = cleanSignal(signal);
    const verdict = this.state.observed.judge(agentId, clean);
    if (!verdict) return { ok: false, status: 404, error: `agent '${agentId}' is not in this session` };
    if (verdict.outcome !== 'decided') {
      this.state.observed.note(agentId, clean, verdict);
      return { ok: true, outcome: verdict.outcome };
    }
    const record: LogRecord = {
      kind: 'state',
      ts: new Date(this.now()).toISOString(),
      agentId,
      signal: clean,
    };
    const failure = this.write([record]);
    if (failure) return { ok: false, status: 500, error: failure.error };
    this.state.apply(record);
    this.changed(agentId);
    return { ok: true, outcome: 'decided' };
  }

  /** The CLI of one of the session's own agents (the roster); undefined for any other id. */
  rosterCli(agentId: string): string | undefined {
    return this.state.rosterCli(agentId);
  }

  /** The session's own agents, in roster order. */
  rosterIds(): string[] {
    return this.state.rosterIds();
  }

  /** The agent's state and last signals; undefined when it is not on the roster. */
  signalsOf(agentId: string): AgentSignals | undefined {
    const current = this.state.observed.current(agentId);
    const signals = this.state.observed.signals(agentId);
    if (!current || !signals) return undefined;
    return {
      agent_id: agentId,
      state: current.state,
      state_since: current.since === null ? null : new Date(current.since).toISOString(),
      state_source: current.source,
      state_detail: current.detail,
      signals: signals.map(({ lastAt, ...entry }) => ({
        ...entry,
        at: new Date(entry.at).toISOString(),
        last_at: new Date(lastAt).toISOString(),
      })),
    };
  }

  /** Reads an inbox; a valid id without one gets an inbox now (within the agent cap). */
  poll(agentId: string, since: bigint): PollResult | { error: string } {
    if (
      !this.state.hasInbox(agentId) &&
      !this.opening.has(agentId) &&
      this.state.canOpenInbox(agentId, this.opening.size)
    ) {
      const record: LogRecord = { kind: 'inbox', ts: new Date(this.now()).toISOString(), agentId };
      const failure = this.write([record]);
      if (failure) return { error: failure.error };
      this.state.apply(record);
    }
    return this.state.poll(agentId, since);
  }

  /** The `/status` body: compact JSON (so the `"git_paw":true` marker is byte-exact), members sorted. */
  statusJson(): string {
    const nowMs = this.now();
    const { identity } = this;
    return JSON.stringify({
      agents: this.state.agents(nowMs),
      ...(this.conflicts ? conflictsJson(this.conflicts) : {}),
      git_paw: true,
      instance_id: identity.instanceId,
      message_count: this.state.messageCount,
      next_seq: this.state.lastSeq + 1,
      pid: identity.pid,
      repo_path: identity.repoPath,
      session: identity.session,
      started_at: identity.startedAt.toISOString(),
      uptime_seconds: Math.max(0, Math.floor((nowMs - identity.startedAt.getTime()) / 1000)),
      version: identity.version,
    });
  }

  private write(records: readonly LogRecord[]): { error: string; torn: boolean } | undefined {
    try {
      this.sink.append(records);
      return undefined;
    } catch (error) {
      return {
        error: `cannot write the message log: ${describeError(error)}`,
        torn: error instanceof TornWriteError,
      };
    }
  }
}

export interface OpenedBroker {
  service: BrokerService;
  log: MessageLog;
  replay: ReplayReport;
}

/**
 * Rebuilds the state from the log at `logPath` (if any) and opens the log for appending, compacted
 * past `compaction.limit` (DEFAULT_LOG_LIMIT unless given).
 */
export function openBroker(options: {
  roster: readonly RosterAgent[];
  logPath: string;
  identity: BrokerIdentity;
  limits?: BrokerLimits;
  compaction?: Partial<CompactionOptions>;
  now?: () => number;
}): OpenedBroker {
  const state = new BrokerState(options.roster, options.limits ?? DEFAULT_LIMITS);
  const replay = replayLog(options.logPath, (record) => state.apply(record));
  const log = new MessageLog(options.logPath);
  const sink = new CompactingLog(log, state, {
    ...options.compaction,
    limit: options.compaction?.limit ?? DEFAULT_LOG_LIMIT,
  });
  return { service: new BrokerService(state, sink, options.identity, options.now), log, replay };
}
