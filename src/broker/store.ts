// The per-session message log: JSON Lines, one record per line — `{"seq","ts","msg"}` for an
// accepted message, `{"ts","inbox"}` for an inbox opened by a poll, `{"ts","agent","signal"}` for
// a signal that decided an agent's observed state (logs written before it existed still load). Each record is written with
// a synchronous write on an O_APPEND descriptor before the broker answers, so the data is in the
// kernel before the 202 and a crash of the process (kill -9 included) never loses an
// acknowledged message. fdatasync runs in the background, batched (at most one per
// SYNC_INTERVAL_MS, covering every record written before it): only a power loss or kernel crash
// can lose the last few milliseconds of acknowledged messages. Waiting for each fsync before
// replying would cap throughput at (concurrent clients / fsync latency). Replay reads the file
// back at start-up, skipping a torn last line.
import {
  closeSync,
  fdatasync,
  fstatSync,
  fdatasyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import type { StateSignal } from '../agents/state.js';
import { describeError } from '../util/errors.js';
import { canonicalJson, isValidAgentId, messageFromJson } from './messages.js';
import { signalProblem } from './observed.js';
import type { LogRecord } from './state.js';

/** Serialises one record as its log line (newline included). */
export function recordLine(record: LogRecord): string {
  if (record.kind === 'inbox') return `${JSON.stringify({ ts: record.ts, inbox: record.agentId })}\n`;
  if (record.kind === 'state') {
    const { state, source, detail, at } = record.signal;
    return `${JSON.stringify({ ts: record.ts, agent: record.agentId, signal: { state, source, detail, at } })}\n`;
  }
  return `{"seq":${record.seq},"ts":${JSON.stringify(record.ts)},"msg":${canonicalJson(record.message)}}\n`;
}

/** Parses one log line; undefined when it is not a valid record. */
export function parseRecordLine(line: string): LogRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { seq, ts, msg, inbox, agent, signal } = value as Record<string, unknown>;
  if (typeof ts !== 'string' || Number.isNaN(Date.parse(ts))) return undefined;
  if (typeof inbox === 'string') return { kind: 'inbox', ts, agentId: inbox };
  if (typeof agent === 'string') return stateRecord(ts, agent, signal);
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return undefined;
  const parsed = messageFromJson(msg);
  return parsed.ok ? { kind: 'message', seq, ts, message: parsed.message } : undefined;
}

function stateRecord(ts: string, agentId: string, raw: unknown): LogRecord | undefined {
  if (!isValidAgentId(agentId) || typeof raw !== 'object' || raw === null) return undefined;
  const signal = raw as StateSignal;
  if (signalProblem(signal) !== undefined) return undefined;
  const { state, source, detail, at } = signal;
  return { kind: 'state', ts, agentId, signal: { state, source, detail, at } };
}

export interface ReplayReport {
  records: number;
  /** Lines that were not valid records and were skipped (a torn last line is not counted). */
  skipped: number;
  /** True when an unterminated last line was cut off the file. */
  tornTail: boolean;
}

const CHUNK = 1024 * 1024;

/**
 * Calls `onRecord` for every record of the log at `path`, in file order, reading in bounded
 * chunks. An unterminated last line (a write cut short by a crash) is removed from the file so
 * that the next append starts on a fresh line.
 */
export function replayLog(path: string, onRecord: (record: LogRecord) => void): ReplayReport {
  const report: ReplayReport = { records: 0, skipped: 0, tornTail: false };
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return report;
    throw error;
  }
  try {
    const chunk = Buffer.alloc(CHUNK);
    let carry: Buffer = Buffer.alloc(0);
    let offset = 0;
    let lineStart = 0;
    for (;;) {
      const read = readSync(fd, chunk, 0, CHUNK, offset);
      if (read === 0) break;
      offset += read;
      let data = Buffer.concat([carry, chunk.subarray(0, read)]);
      let newline = data.indexOf(0x0a);
      while (newline !== -1) {
        const line = data.toString('utf8', 0, newline).trim();
        lineStart += newline + 1;
        if (line !== '') {
          const record = parseRecordLine(line);
          if (record) {
            onRecord(record);
            report.records += 1;
          } else {
            report.skipped += 1;
          }
        }
        data = data.subarray(newline + 1);
        newline = data.indexOf(0x0a);
      }
      carry = Buffer.from(data);
    }
    if (carry.length > 0) {
      ftruncateSync(fd, lineStart);
      report.tornTail = true;
    }
  } finally {
    closeSync(fd);
  }
  return report;
}

/** Background fdatasync runs at most this often while records keep coming. */
export const SYNC_INTERVAL_MS = 20;

/**
 * A write that failed after part of it reached the file and could not be cut back: complete lines
 * of it may be in the log, so their seqs must stay used.
 */
export class TornWriteError extends Error {}

/** The append side of the log. */
export class MessageLog {
  private readonly fd: number;
  /** The file's size after the last complete append: where a failed write is cut back to. */
  private size: number;
  private dirty = false;
  private syncing = false;
  private timer: NodeJS.Timeout | undefined;
  private idle: (() => void)[] = [];
  private closed = false;

  /** Opens (creating it and its directory, mode 0600) the log at `path` for appending. */
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
  }

  /**
   * Writes the records (one write) before returning; throws when the write fails. A failed write
   * is cut back off the file, so that none of its lines is replayed while its seqs are handed out
   * again; when even that fails, it throws a TornWriteError.
   */
  append(records: readonly LogRecord[]): void {
    const line = Buffer.from(records.map(recordLine).join(''), 'utf8');
    let written = 0;
    try {
      while (written < line.length) written += writeSync(this.fd, line, written);
    } catch (error) {
      if (written > 0) this.cutBack(error);
      throw error;
    }
    this.size += line.length;
    this.dirty = true;
    this.timer ??= setTimeout(() => this.sync(), SYNC_INTERVAL_MS);
  }

  /** Waits for a running sync, syncs whatever is left and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    if (this.syncing) await new Promise<void>((resolve) => this.idle.push(resolve));
    try {
      fdatasyncSync(this.fd);
    } finally {
      closeSync(this.fd);
    }
  }

  private cutBack(cause: unknown): void {
    try {
      ftruncateSync(this.fd, this.size);
    } catch {
      try {
        this.size = fstatSync(this.fd).size;
      } catch {
        // The size stays unknown; the next cut-back goes to the last size known to be whole.
      }
      throw new TornWriteError(`${describeError(cause)} (part of the write stays in the log)`);
    }
  }

  private sync(): void {
    this.timer = undefined;
    if (this.syncing || this.closed || !this.dirty) return;
    this.syncing = true;
    this.dirty = false;
    fdatasync(this.fd, (error) => {
      this.syncing = false;
      // The data is written already (it survives a process crash); a failed sync is reported, and
      // the next append tries again.
      if (error) process.stderr.write(`warning: cannot sync the message log: ${error.message}\n`);
      for (const resolve of this.idle.splice(0)) resolve();
      if (this.dirty && !this.closed) this.timer ??= setTimeout(() => this.sync(), SYNC_INTERVAL_MS);
    });
  }
}
