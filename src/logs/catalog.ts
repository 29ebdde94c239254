// What pane logs exist: log sessions under `<repo>/.git-paw/logs/`, their log files, which
// session is the most recent, and which log a user-typed BRANCH means. Reads directories only;
// the matching and formatting logic is pure.
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { ReplayError, describeError } from '../util/errors.js';
import { branchOfLogFile, logsRoot } from './paths.js';

export interface LogFile {
  /** File name, e.g. `feat--auth.log`. */
  fileName: string;
  /** Branch the file stands for, e.g. `feat/auth`. */
  branch: string;
  path: string;
  /** Modification time in ms (0 when the file cannot be stat'ed, e.g. a dangling link). */
  mtimeMs: number;
}

export interface LogSession {
  name: string;
  dir: string;
  /** Sorted by branch. */
  files: LogFile[];
}

function readEntries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new ReplayError(`cannot read log directory '${dir}': ${describeError(error)}`);
  }
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Log files of one session directory: entries ending in `.log` (any case) that are not
 * directories. Entries that cannot be stat'ed (e.g. dangling links) are kept, so replaying them
 * gives a clear "cannot read" error instead of silently hiding them.
 */
function listLogFiles(dir: string): LogFile[] {
  return readEntries(dir)
    .filter((entry) => /\.log$/i.test(entry.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      const stats = statOrUndefined(path);
      if (stats?.isDirectory()) return [];
      return [{ fileName: entry.name, branch: branchOfLogFile(entry.name), path, mtimeMs: stats?.mtimeMs ?? 0 }];
    })
    .sort((a, b) => compareText(a.branch, b.branch) || compareText(a.fileName, b.fileName));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every log session (immediate sub-directory of the logs root), sorted by name. */
export function listLogSessions(repoRoot: string): LogSession[] {
  const root = logsRoot(repoRoot);
  if (!statOrUndefined(root)?.isDirectory()) return [];
  return readEntries(root)
    .filter((entry) => statOrUndefined(join(root, entry.name))?.isDirectory())
    .map((entry) => entry.name)
    .sort(compareText)
    .map((name) => {
      const dir = join(root, name);
      return { name, dir, files: listLogFiles(dir) };
    });
}

/** `--list` output lines (without trailing newlines). */
export function formatLogList(sessions: readonly LogSession[]): string[] {
  if (sessions.length === 0) {
    return ['No log sessions found. Start a session with logging enabled to capture output.'];
  }
  return sessions.flatMap((session) => [
    `${session.name} (${session.files.length} ${session.files.length === 1 ? 'branch' : 'branches'})`,
    ...session.files.map(formatLogEntry),
  ]);
}

/** `  <filename>  →  <branch>` */
export function formatLogEntry(file: LogFile): string {
  return `  ${file.fileName}  →  ${file.branch}`;
}

function newestFileTime(session: LogSession): number {
  return Math.max(-1, ...session.files.map((file) => file.mtimeMs));
}

/**
 * The session to replay: `requested` when given (must exist), otherwise the session whose
 * newest log file was written last (ties go to the later name; sessions without logs last).
 */
export function chooseSession(sessions: readonly LogSession[], requested?: string): LogSession {
  if (sessions.length === 0) throw new ReplayError('No log sessions found. Session logging may not be enabled.');
  if (requested !== undefined) {
    const found = sessions.find((session) => session.name === requested);
    if (!found) {
      throw new ReplayError(`Session '${requested}' not found. Run \`git paw replay --list\` to see available sessions.`);
    }
    return found;
  }
  return sessions.reduce((best, session) => (newestFileTime(session) >= newestFileTime(best) ? session : best));
}

function stemOf(file: LogFile): string {
  return file.fileName.replace(/\.log$/i, '');
}

function namesOf(file: LogFile): string[] {
  return [file.branch, stemOf(file), file.fileName];
}

/**
 * The log of `session` that `query` means: an exact branch, file stem or file name first, then
 * a unique case-insensitive prefix, then a unique case-insensitive substring. Several partial
 * matches are an error listing them; no match lists every log of the session.
 */
export function matchLog(session: LogSession, query: string): LogFile {
  if (session.files.length === 0) throw new ReplayError(`No logs found in session '${session.name}'.`);
  const exact = session.files.find((file) => namesOf(file).includes(query));
  if (exact) return exact;

  const needle = query.toLowerCase();
  if (needle === '') throw noMatch(session, query);
  const tiers: ((name: string) => boolean)[] = [(name) => name.startsWith(needle), (name) => name.includes(needle)];
  for (const matches of tiers) {
    const candidates = session.files.filter((file) => namesOf(file).some((name) => matches(name.toLowerCase())));
    if (candidates.length === 1 && candidates[0]) return candidates[0];
    if (candidates.length > 1) {
      throw new ReplayError(
        `'${query}' matches more than one log in session '${session.name}':\n${candidates.map(formatLogEntry).join('\n')}`,
        { hint: 'give more of the branch name, or the full log file name' },
      );
    }
  }
  throw noMatch(session, query);
}

function noMatch(session: LogSession, query: string): ReplayError {
  return new ReplayError(
    `No log matching '${query}' in session '${session.name}'. Available branches:\n${session.files.map(formatLogEntry).join('\n')}`,
  );
}
