// The broker's operations as the HTTP routes see them: publish (admit → log → apply → reply),
// poll (opening the inbox of a new valid id, logged), and the `/status` document. Ties the pure
// state to the log so that every change is written before it becomes visible or acknowledged.
// Publishes that arrive in the same event-loop turn are written with one write (a batch): each
// gets its seq at once, and is applied and answered only after the batch is in the log.
import { describeError } from '../util/errors.js';
import type { Message } from './messages.js';
import {
  BrokerState,
  DEFAULT_LIMITS,
  type BrokerLimits,
  type LogRecord,
  type PollResult,
  type RosterAgent,
} from './state.js';
import { MessageLog, replayLog, type ReplayReport } from './store.js';

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
  /** Writes the records in order before returning; throws when that fails. */
  append(records: readonly LogRecord[]): void;
}

interface PendingPublish {
  record: LogRecord & { kind: 'message' };
  reply: (outcome: PublishOutcome) => void;
}

export type PublishOutcome = { ok: true; seq: number } | { ok: false; status: number; error: string };

export class BrokerService {
  private pending: PendingPublish[] = [];
  /** Ids that pending messages will register or give an inbox (for the agent cap). */
  private opening = new Set<string>();
  private lastAllocated = 0;

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

  /** Writes the batch, then applies and acknowledges it; on a failed write nothing is applied. */
  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.opening = new Set();
    const failure = this.write(batch.map((entry) => entry.record));
    if (failure) {
      this.lastAllocated = this.state.lastSeq;
      for (const entry of batch) entry.reply({ ok: false, status: 500, error: failure });
      return;
    }
    for (const entry of batch) {
      this.state.apply(entry.record);
      entry.reply({ ok: true, seq: entry.record.seq });
    }
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
      if (failure) return { error: failure };
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

  private write(records: readonly LogRecord[]): string | undefined {
    try {
      this.sink.append(records);
      return undefined;
    } catch (error) {
      return `cannot write the message log: ${describeError(error)}`;
    }
  }
}

export interface OpenedBroker {
  service: BrokerService;
  log: MessageLog;
  replay: ReplayReport;
}

/** Rebuilds the state from the log at `logPath` (if any) and opens the log for appending. */
export function openBroker(options: {
  roster: readonly RosterAgent[];
  logPath: string;
  identity: BrokerIdentity;
  limits?: BrokerLimits;
}): OpenedBroker {
  const state = new BrokerState(options.roster, options.limits ?? DEFAULT_LIMITS);
  const replay = replayLog(options.logPath, (record) => state.apply(record));
  const log = new MessageLog(options.logPath);
  return { service: new BrokerService(state, log, options.identity), log, replay };
}
