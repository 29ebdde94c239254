// `git paw replay`: list log sessions, or print one pane log — stripped to plain text, or raw
// through `less -R` for colour. Output goes through a small ReplayIo seam; finding and matching
// logs lives in catalog.ts, the stripping in ansi.ts.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ReplayError, describeError } from '../util/errors.js';
import { logToPlainText } from './ansi.js';
import { chooseSession, formatLogList, listLogSessions, matchLog } from './catalog.js';

export interface ReplayRequest {
  repoRoot: string;
  list: boolean;
  /** Branch, log name or unique part of one (required unless `list`). */
  branch?: string;
  session?: string;
  color: boolean;
}

export interface ReplayIo {
  /** Writes to stdout and resolves once written. */
  write(data: string | Uint8Array): Promise<void>;
  warn(message: string): void;
  /** Absolute path of `less`, or undefined when it is not on PATH. */
  lessPath: string | undefined;
  /** Shows raw bytes through `less -R`; rejects only when less cannot be started. */
  page(lessPath: string, bytes: Uint8Array): Promise<void>;
}

/** The short reason of a file-system error, without the path Node repeats in its message. */
function ioReason(error: unknown): string {
  const text = describeError(error);
  const match = /^E[A-Z]+: ([^,]+)/.exec(text);
  return match?.[1] ?? text;
}

/** Every byte of a log file; failures become a Replay error naming the file. */
export function readLogBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ReplayError(`cannot read log file '${path}': ${ioReason(error)}`);
  }
}

export async function replay(request: ReplayRequest, io: ReplayIo): Promise<void> {
  const sessions = listLogSessions(request.repoRoot);
  if (request.list) {
    await io.write(formatLogList(sessions).map((line) => `${line}\n`).join(''));
    return;
  }
  const session = chooseSession(sessions, request.session);
  const file = matchLog(session, request.branch ?? '');
  const bytes = readLogBytes(file.path);
  if (bytes.length === 0) return;
  if (!request.color) {
    await io.write(logToPlainText(bytes));
    return;
  }
  if (io.lessPath === undefined) {
    io.warn("'less' not found, printing raw output");
    await io.write(bytes);
    return;
  }
  try {
    await io.page(io.lessPath, bytes);
  } catch {
    io.warn("'less' could not be started, printing raw output");
    await io.write(bytes);
  }
}

/**
 * Pipes `bytes` into `less -R` whose output is this process's stdout (a pager on a terminal;
 * a plain copy otherwise). Write errors (the user quit less early) and less's status are
 * ignored, as in upstream.
 */
export function pageWithLess(lessPath: string, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(lessPath, ['-R'], { stdio: ['pipe', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('close', () => resolve());
    child.stdin.on('error', () => undefined);
    child.stdin.end(bytes);
  });
}

/** Writes to process.stdout and waits until the data is handed to the OS (or the pipe closed). */
export function writeStdout(data: string | Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    process.stdout.write(data, () => resolve());
  });
}
