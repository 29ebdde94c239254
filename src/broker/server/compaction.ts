// Log compaction: the log sink the broker service writes through. Past the size limit it
// rewrites the log as one snapshot record of the whole state followed by the records appended
// since (MessageLog.compact does the crash-safe part), so the log, and the time to replay it at
// start-up, stay bounded however long a session runs. The snapshot is taken between two service
// operations (each writes its records and applies them in one synchronous step), so it is
// exactly the state the log held at that offset. A compaction that fails is reported and tried
// again once the log has grown by another half limit; the log stays whole meanwhile.
import { existsSync, writeFileSync } from 'node:fs';
import { describeError } from '../../util/errors.js';
import type { RecordSink } from './service.js';
import type { BrokerState, LogRecord } from './state.js';
import { recordLine, type CompactionReport, type MessageLog } from './store.js';

/** The default `[broker] log_limit`. */
export const DEFAULT_LOG_LIMIT = 64 * 1024 * 1024;

/**
 * Tests only: a file path. Before its final switch, a compaction creates that file and waits
 * until it is removed, which lets a test kill the broker, or publish, at a known moment of it.
 */
export const COMPACTION_PAUSE_ENV = 'GIT_PAW_TEST_COMPACTION_PAUSE';
const PAUSE_POLL_MS = 20;

export interface CompactionOutcome extends CompactionReport {
  /** How long taking the snapshot held the event loop. */
  snapshotMs: number;
}

/** One line about a finished compaction, for the broker window. */
export function compactionLine(outcome: CompactionOutcome): string {
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  const pause = Math.round(outcome.snapshotMs + outcome.switchMs);
  return `compacted the message log from ${mib(outcome.bytesBefore)} to ${mib(outcome.bytesAfter)} in ${Math.round(outcome.totalMs + outcome.snapshotMs)} ms (requests waited ${pause} ms)`;
}

export interface CompactionOptions {
  /** Bytes past which the log is compacted. */
  limit: number;
  onCompacted?: (outcome: CompactionOutcome) => void;
  onFailed?: (reason: string) => void;
  env?: NodeJS.ProcessEnv;
}

export class CompactingLog implements RecordSink {
  /** The log's size after the last compaction (or failed attempt). */
  private baseline = 0;
  private running = false;
  private readonly limit: number;

  constructor(
    private readonly log: MessageLog,
    private readonly state: BrokerState,
    private readonly options: CompactionOptions,
  ) {
    this.limit = options.limit;
  }

  append(records: readonly LogRecord[]): void {
    this.log.append(records);
    // A snapshot bigger than half the limit would otherwise be rewritten after every few records.
    if (!this.running && this.log.size >= Math.max(this.limit, this.baseline + this.limit / 2)) {
      this.running = true;
      setImmediate(() => void this.run());
    }
  }

  private async run(): Promise<void> {
    try {
      const started = performance.now();
      const head = recordLine({
        kind: 'snapshot',
        ts: new Date().toISOString(),
        fields: this.state.snapshotFields(),
      });
      const snapshotMs = performance.now() - started;
      const report = await this.log.compact(head, pauseHook(this.options.env ?? process.env));
      if (report) this.options.onCompacted?.({ ...report, snapshotMs });
    } catch (error) {
      this.options.onFailed?.(describeError(error));
    } finally {
      this.baseline = this.log.size;
      this.running = false;
    }
  }
}

function pauseHook(env: NodeJS.ProcessEnv): (() => Promise<void>) | undefined {
  const path = env[COMPACTION_PAUSE_ENV];
  if (!path) return undefined;
  return async () => {
    writeFileSync(path, `${process.pid}\n`);
    while (existsSync(path)) await new Promise((resolve) => setTimeout(resolve, PAUSE_POLL_MS));
  };
}
