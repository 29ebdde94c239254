// The per-session message log: JSON Lines, one record per line — `{"seq","ts","msg"}` for an
// accepted message, `{"ts","inbox"}` for an inbox opened by a poll, `{"ts","agent","signal"}` for
// a signal that decided an agent's observed state, `{"ts","cursor","seq"}` for how far an agent's
// MCP `read_inbox` has read, `{"seq","ts","to","notice"}` for a message git-paw itself sent one
// agent (logs written before these existed still load). Each record is written with
// a synchronous write on an O_APPEND descriptor before the broker answers, so the data is in the
// kernel before the 202 and a crash of the process (kill -9 included) never loses an
// acknowledged message. A compacted log begins with `{"ts","snapshot"}`, the whole state at the
// moment of compaction, followed by the records appended since (see `compact`). fdatasync runs in the background, batched (at most one per
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
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StateSignal } from '../../agents/state.js';
import { describeError } from '../../util/errors.js';
import { syncDirectory } from '../../util/fs.js';
import {
  canonicalJson,
  isValidAgentId,
  messageFromJson,
  noticeFromJson,
  noticeJson,
  validateMessage,
  type Message,
} from '../messages.js';
import { signalProblem } from './observed.js';
import { decodeGraph, encodeGraph } from './snapshot.js';
import { STATE_CLASSES, type LogRecord, type SnapshotFields } from './state.js';

/** Version of the snapshot encoding; a snapshot of another version is skipped like any bad line. */
const SNAPSHOT_VERSION = 1;

/** Serialises one record as its log line (newline included). */
export function recordLine(record: LogRecord): string {
  if (record.kind === 'snapshot') {
    const state = encodeGraph(record.fields, STATE_CLASSES);
    return `{"ts":${JSON.stringify(record.ts)},"snapshot":{"v":${SNAPSHOT_VERSION},"state":${state}}}\n`;
  }
  if (record.kind === 'inbox') return `${JSON.stringify({ ts: record.ts, inbox: record.agentId })}\n`;
  if (record.kind === 'cursor')
    return `${JSON.stringify({ ts: record.ts, cursor: record.agentId, seq: record.seq })}\n`;
  if (record.kind === 'state') {
    const { state, source, detail, at } = record.signal;
    return `${JSON.stringify({ ts: record.ts, agent: record.agentId, signal: { state, source, detail, at } })}\n`;
  }
  if (record.kind === 'notice') {
    return `{"seq":${record.seq},"ts":${JSON.stringify(record.ts)},"to":${JSON.stringify(record.to)},"notice":${noticeJson(record.notice)}}\n`;
  }
  return `{"seq":${record.seq},"ts":${JSON.stringify(record.ts)},"msg":${canonicalJson(record.message)}}\n`;
}

/** Parses one log line; undefined when it is not a valid record. */
export function parseRecordLine(line: string): LogRecord | undefined {
  const written = writtenMessageRecord(line);
  if (written !== NOT_WRITTEN_FORM) return written;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { seq, ts, msg, inbox, agent, signal, cursor, snapshot, to, notice } = value as Record<
    string,
    unknown
  >;
  if (typeof ts !== 'string' || Number.isNaN(Date.parse(ts))) return undefined;
  if (snapshot !== undefined) return snapshotRecord(ts, snapshot);
  if (typeof inbox === 'string') return { kind: 'inbox', ts, agentId: inbox };
  if (typeof cursor === 'string') {
    return isValidAgentId(cursor) && typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0
      ? { kind: 'cursor', ts, agentId: cursor, seq }
      : undefined;
  }
  if (typeof agent === 'string') return stateRecord(ts, agent, signal);
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return undefined;
  if (typeof to === 'string') {
    const parsedNotice = noticeFromJson(notice);
    return parsedNotice && isValidAgentId(to)
      ? { kind: 'notice', seq, ts, to, notice: parsedNotice }
      : undefined;
  }
  const parsed = messageFromJson(msg);
  return parsed.ok ? { kind: 'message', seq, ts, message: parsed.message } : undefined;
}

/** A JSON string without escapes or control characters, captured: its text is its value. */
const PLAIN_STRING = String.raw`"([^"\\\u0000-\u001f]*)"`;
/** A JSON array of such strings, captured whole. */
const PLAIN_LIST = String.raw`(\[(?:"[^"\\\u0000-\u001f]*"(?:,"[^"\\\u0000-\u001f]*")*)?\])`;

/**
 * A message line exactly as `recordLine` writes it, when none of its strings needs an escape (the
 * common case): for such a line, the texts the groups capture are what JSON.parse would return,
 * and the message's text is its canonical JSON (a line decoded from UTF-8 holds no lone
 * surrogate, the one other character JSON.stringify escapes).
 */
const WRITTEN_MESSAGE = new RegExp(
  String.raw`^\{"seq":([1-9][0-9]*),"ts":${PLAIN_STRING},"msg":(\{"type":"agent\.(?:` +
    String.raw`blocked","agent_id":${PLAIN_STRING},"payload":\{"needs":${PLAIN_STRING},"from":${PLAIN_STRING}\}` +
    String.raw`|artifact","agent_id":${PLAIN_STRING},"payload":\{"status":${PLAIN_STRING},"exports":${PLAIN_LIST},"modified_files":${PLAIN_LIST}\}` +
    String.raw`|status","agent_id":${PLAIN_STRING},"payload":\{"status":${PLAIN_STRING},"modified_files":${PLAIN_LIST},"message":(?:null|${PLAIN_STRING})\}` +
    String.raw`)\})\}$`,
);

const NOT_WRITTEN_FORM = Symbol('not in the written form');

/** The items of a list PLAIN_LIST matched: no item holds a quote, so `","` only ever separates two. */
function listItems(list: string): string[] {
  return list === '[]' ? [] : list.slice(2, -2).split('","');
}

/**
 * The record of a line in the form `recordLine` writes messages in, read straight from the
 * regex's groups instead of building JSON.parse's objects (most of replay's time); undefined when
 * the line is in that form but not a valid record, NOT_WRITTEN_FORM when it is in another form.
 * The checks after the match are the ones every other line goes through.
 */
function writtenMessageRecord(line: string): LogRecord | undefined | typeof NOT_WRITTEN_FORM {
  const match = WRITTEN_MESSAGE.exec(line);
  if (match === null) return NOT_WRITTEN_FORM;
  const [
    ,
    seqText,
    ts,
    canonical,
    blockedId,
    needs,
    from,
    artifactId,
    artifactStatus,
    exports,
    artifactFiles,
    statusId,
    status,
    statusFiles,
    text,
  ] = match as unknown as string[];
  const seq = Number(seqText);
  if (!Number.isSafeInteger(seq) || Number.isNaN(Date.parse(ts as string))) return undefined;
  let message: Message;
  if (blockedId !== undefined) {
    message = {
      type: 'agent.blocked',
      agent_id: blockedId,
      payload: { needs: needs as string, from: from as string },
    };
  } else if (artifactId !== undefined) {
    message = {
      type: 'agent.artifact',
      agent_id: artifactId,
      payload: {
        status: artifactStatus as string,
        exports: listItems(exports as string),
        modified_files: listItems(artifactFiles as string),
      },
    };
  } else {
    message = {
      type: 'agent.status',
      agent_id: statusId as string,
      payload: {
        status: status as string,
        modified_files: listItems(statusFiles as string),
        message: text ?? null,
      },
    };
  }
  if (validateMessage(message) !== undefined) return undefined;
  return { kind: 'message', seq, ts: ts as string, message, canonical: canonical as string };
}

function snapshotRecord(ts: string, raw: unknown): LogRecord | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { v, state } = raw as Record<string, unknown>;
  if (v !== SNAPSHOT_VERSION) return undefined;
  let fields: unknown;
  try {
    fields = decodeGraph(state, STATE_CLASSES);
  } catch {
    return undefined;
  }
  if (typeof fields !== 'object' || fields === null || fields instanceof Map || Array.isArray(fields))
    return undefined;
  return { kind: 'snapshot', ts, fields: fields as SnapshotFields };
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
    const buffer = Buffer.alloc(CHUNK);
    // Pieces of a line not ended yet: a snapshot line spans many chunks, and joining them only
    // once its end is found keeps reading it linear.
    let partial: Buffer[] = [];
    let offset = 0;
    let lineStart = 0;
    for (;;) {
      const read = readSync(fd, buffer, 0, CHUNK, offset);
      if (read === 0) break;
      const chunk = buffer.subarray(0, read);
      let start = 0;
      let newline = chunk.indexOf(0x0a);
      while (newline !== -1) {
        const piece = chunk.subarray(start, newline);
        const bytes = partial.length === 0 ? piece : Buffer.concat([...partial, piece]);
        partial = [];
        lineStart = offset + newline + 1;
        const line = bytes.toString('utf8').trim();
        if (line !== '') {
          const record = parseRecordLine(line);
          if (record) {
            onRecord(record);
            report.records += 1;
          } else {
            report.skipped += 1;
          }
        }
        start = newline + 1;
        newline = chunk.indexOf(0x0a, start);
      }
      if (start < read) partial.push(Buffer.from(chunk.subarray(start)));
      offset += read;
    }
    if (partial.length > 0) {
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

/** Where a compaction writes the new log before renaming it over the old one. */
export function compactionPath(path: string): string {
  return `${path}.compact`;
}

/** What a compaction did, in bytes and milliseconds. */
export interface CompactionReport {
  bytesBefore: number;
  bytesAfter: number;
  /** How long the final switch held the event loop (copy of the last records, fsync, rename). */
  switchMs: number;
  totalMs: number;
}

/** Records appended during a compaction are copied in the background until fewer than this remain. */
const SWITCH_BYTES = 256 * 1024;

/** The append side of the log. */
export class MessageLog {
  private fd: number;
  /** The file's size after the last complete append: where a failed write is cut back to. */
  private bytes: number;
  private dirty = false;
  private syncing = false;
  private timer: NodeJS.Timeout | undefined;
  private idle: (() => void)[] = [];
  private closed = false;
  private compacting = false;

  /**
   * Opens (creating it and its directory, mode 0600) the log at `path` for appending, and removes
   * what a compaction cut short left beside it.
   */
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    rmSync(compactionPath(path), { force: true });
    this.fd = openSync(path, 'a', 0o600);
    this.bytes = fstatSync(this.fd).size;
  }

  /** The log's size in bytes (every complete record). */
  get size(): number {
    return this.bytes;
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
    this.bytes += line.length;
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

  /**
   * Replaces the log by `head` — a snapshot of the state as it is at this call, which stands for
   * every record written so far — followed by every record appended from now on. The new file is
   * written beside the log while appends go on as usual, fsynced, then renamed over it and the
   * directory fsynced, so a crash at any moment leaves either the old log or the new one, each
   * holding every acknowledged record. Appends made meanwhile are copied in the background; only
   * the last few (under SWITCH_BYTES) are copied while the event loop waits, together with the
   * rename. `beforeSwitch` runs just before that step (the tests' pause point). Undefined when the
   * log was closed first.
   */
  async compact(head: string, beforeSwitch?: () => Promise<void>): Promise<CompactionReport | undefined> {
    if (this.compacting) throw new Error('the message log is already being compacted');
    if (this.closed) return undefined;
    this.compacting = true;
    const started = performance.now();
    const bytesBefore = this.bytes;
    let copied = this.bytes;
    const tempPath = compactionPath(this.path);
    let temp: FileHandle | undefined;
    let source: FileHandle | undefined;
    let switched = false;
    try {
      temp = await open(tempPath, 'w', 0o600);
      source = await open(this.path, 'r');
      const headBytes = Buffer.from(head, 'utf8');
      await temp.write(headBytes, 0, headBytes.length, 0);
      let written = headBytes.length;
      const catchUp = async (files: { source: FileHandle; temp: FileHandle }) => {
        while (!this.closed && this.bytes - copied > SWITCH_BYTES) {
          const end = this.bytes;
          const chunk = Buffer.alloc(Math.min(CHUNK, end - copied));
          const { bytesRead } = await files.source.read(chunk, 0, chunk.length, copied);
          if (bytesRead === 0) throw new Error('the message log is shorter than its records');
          await files.temp.write(chunk, 0, bytesRead, written);
          copied += bytesRead;
          written += bytesRead;
        }
      };
      await catchUp({ source, temp });
      await temp.datasync();
      await beforeSwitch?.();
      await catchUp({ source, temp });
      if (this.closed) return undefined;

      const switchStarted = performance.now();
      const chunk = Buffer.alloc(CHUNK);
      while (copied < this.bytes) {
        const read = readSync(source.fd, chunk, 0, Math.min(CHUNK, this.bytes - copied), copied);
        if (read === 0) throw new Error('the message log is shorter than its records');
        for (let done = 0; done < read;) done += writeSync(temp.fd, chunk, done, read - done, written + done);
        copied += read;
        written += read;
      }
      fdatasyncSync(temp.fd);
      // Opened before the rename so that, once the new file is in place, nothing can fail before
      // appends go to it.
      const appendFd = openSync(tempPath, 'a', 0o600);
      try {
        renameSync(tempPath, this.path);
      } catch (error) {
        closeSync(appendFd);
        throw error;
      }
      switched = true;
      const previous = this.fd;
      this.fd = appendFd;
      this.bytes = written;
      this.dirty = false;
      // A background fdatasync may still be using the old descriptor.
      if (this.syncing) this.idle.push(() => closeSync(previous));
      else closeSync(previous);
      try {
        syncDirectory(dirname(this.path));
      } catch (error) {
        // A failure only weakens the rename against a power loss: reported, not thrown.
        process.stderr.write(
          `warning: cannot sync the directory of the message log: ${describeError(error)}\n`,
        );
      }
      const switchMs = performance.now() - switchStarted;
      return { bytesBefore, bytesAfter: written, switchMs, totalMs: performance.now() - started };
    } catch (error) {
      // Once the log is closed (the broker stopping), the half-made file no longer matters.
      if (this.closed) return undefined;
      throw error;
    } finally {
      this.compacting = false;
      await source?.close();
      await temp?.close();
      if (!switched) rmSync(tempPath, { force: true });
    }
  }

  private cutBack(cause: unknown): void {
    try {
      ftruncateSync(this.fd, this.bytes);
    } catch {
      try {
        this.bytes = fstatSync(this.fd).size;
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
