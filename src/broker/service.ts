// The broker's operations as the HTTP routes see them: publish (admit → log → apply), poll
// (opening the inbox of a new valid id, logged), and the `/status` document. Ties the pure state
// to the log so that every change is written before it becomes visible or acknowledged.
import { describeError } from '../util/errors.js';
import type { Message } from './messages.js';
import { BrokerState, DEFAULT_LIMITS, type BrokerLimits, type LogRecord, type PollResult, type RosterAgent } from './state.js';
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
  append(record: LogRecord): void;
  afterDurable(callback: () => void): void;
}

export type PublishOutcome = { ok: true; seq: number } | { ok: false; status: number; error: string };

export class BrokerService {
  constructor(
    private readonly state: BrokerState,
    private readonly sink: RecordSink,
    private readonly identity: BrokerIdentity,
    private readonly now: () => number = Date.now,
  ) {}

  /** Accepts a validated message: checks the agent cap, logs it, then routes it. */
  publish(message: Message): PublishOutcome {
    const problem = this.state.admissionProblem(message);
    if (problem) return { ok: false, status: 429, error: problem };
    const record: LogRecord = { kind: 'message', seq: this.state.lastSeq + 1, ts: new Date(this.now()).toISOString(), message };
    const failure = this.write(record);
    if (failure) return { ok: false, status: 500, error: failure };
    this.state.apply(record);
    return { ok: true, seq: record.seq };
  }

  /** Runs `callback` once the records written so far are on stable storage. */
  afterDurable(callback: () => void): void {
    this.sink.afterDurable(callback);
  }

  /** Reads an inbox; a valid id without one gets an inbox now (within the agent cap). */
  poll(agentId: string, since: bigint): PollResult | { error: string } {
    if (!this.state.hasInbox(agentId) && this.state.canOpenInbox(agentId)) {
      const record: LogRecord = { kind: 'inbox', ts: new Date(this.now()).toISOString(), agentId };
      const failure = this.write(record);
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

  private write(record: LogRecord): string | undefined {
    try {
      this.sink.append(record);
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
export function openBroker(
  options: { roster: readonly RosterAgent[]; logPath: string; identity: BrokerIdentity; limits?: BrokerLimits },
): OpenedBroker {
  const state = new BrokerState(options.roster, options.limits ?? DEFAULT_LIMITS);
  const replay = replayLog(options.logPath, (record) => state.apply(record));
  const log = new MessageLog(options.logPath);
  return { service: new BrokerService(state, log, options.identity), log, replay };
}
