// The session state files: `<sessions dir>/<session_name>.json`, pretty JSON in upstream key order
// (no trailing newline), written atomically with mode 0600. Lookup is by the canonical repo path;
// unreadable JSON of other repos is skipped, but a corrupt file that belongs to this repo is
// reported (with the way out) instead of silently making the session vanish.
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RepoInfo } from '../git/repo.js';
import { baseSessionName } from '../tmux/naming.js';
import { SessionError, describeError } from '../util/errors.js';
import { sessionsDir } from '../util/dirs.js';
import { canonicalPath, writeFileAtomic } from '../util/fs.js';
import { safeParse, type Issue } from '../util/schema.js';
import { sessionStateSchema, type SessionState } from './schema.js';

type Env = NodeJS.ProcessEnv;

export function stateFilePath(sessionName: string, env: Env = process.env): string {
  return join(sessionsDir(env), `${sessionName}.json`);
}

/** `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds), as upstream writes it. */
export function formatCreatedAt(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** The file content: schema order (upstream keys first, additive keys after), 2-space indent. */
export function serializeState(state: SessionState): string {
  const checked = safeParse(sessionStateSchema, state);
  if (!checked.success) throw new Error(`invalid session state: ${issueText(checked.issues)}`);
  return JSON.stringify(checked.data, null, 2);
}

/** Creates the sessions dir private to the user (it holds broker tokens). */
export function ensureSessionsDir(env: Env = process.env): string {
  const dir = sessionsDir(env);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new SessionError(`cannot create session directory '${dir}': ${describeError(error)}`);
  }
  return dir;
}

export function saveState(state: SessionState, env: Env = process.env): void {
  const dir = ensureSessionsDir(env);
  const path = stateFilePath(state.session_name, env);
  try {
    writeFileAtomic(path, serializeState(state), { mode: 0o600 });
  } catch (error) {
    throw new SessionError(`cannot save session state '${path}': ${describeError(error)}`, {
      hint: `make sure ${dir} is writable`,
    });
  }
}

export function deleteState(sessionName: string, env: Env = process.env): void {
  rmSync(stateFilePath(sessionName, env), { force: true });
}

export type ParsedStateFile = { ok: true; state: SessionState } | { ok: false; reason: string };

/** JSON.parse quotes the bytes it choked on; escape control characters so the error stays one clean line. */
function printable(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex -- raw NULs, newlines and escapes must not reach the terminal
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function parseStateText(text: string): ParsedStateFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      reason: text.trim() === '' ? 'the file is empty' : `invalid JSON (${printable(describeError(error))})`,
    };
  }
  const parsed = safeParse(sessionStateSchema, json);
  return parsed.success ? { ok: true, state: parsed.data } : { ok: false, reason: issueText(parsed.issues) };
}

/** The first problem as `key.path: message`. */
function issueText(issues: readonly Issue[]): string {
  const [issue] = issues;
  return issue ? `${issue.path.join('.') || 'file'}: ${issue.message}` : 'invalid state';
}


interface StateFileEntry {
  path: string;
  stem: string;
  text: string;
  parsed: ParsedStateFile;
}

function readStateFiles(env: Env): StateFileEntry[] {
  const dir = sessionsDir(env);
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new SessionError(`failed to read ${dir}: ${describeError(error)}`);
  }
  return names.map((name) => {
    const path = join(dir, name);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new SessionError(`failed to read ${path}: ${describeError(error)}`);
    }
    return { path, stem: name.slice(0, -'.json'.length), text, parsed: parseStateText(text) };
  });
}

/** The repo a damaged file names, when its `repo_path` is still readable. */
function repoPathInDamagedText(text: string): string | undefined {
  const match = /"repo_path"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(text);
  if (!match?.[1]) return undefined;
  try {
    const value: unknown = JSON.parse(match[1]);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function damagedFileBelongsTo(entry: StateFileEntry, repo: RepoInfo): boolean {
  const named = repoPathInDamagedText(entry.text);
  if (named !== undefined) return canonicalPath(named) === repo.root;
  // Nothing left to identify the repo (e.g. truncated): go by this repo's session names.
  const base = baseSessionName(repo.project);
  return entry.stem === base || new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-([2-9]|1[01])$`).test(entry.stem);
}

export type SessionLookup =
  | { kind: 'found'; state: SessionState; path: string }
  | { kind: 'corrupt'; path: string; sessionName: string; reason: string }
  | { kind: 'none' };

/** The session of `repo`: a valid state file wins; else a damaged one that belongs to it. */
export function findSession(repo: RepoInfo, env: Env = process.env): SessionLookup {
  const entries = readStateFiles(env);
  for (const entry of entries) {
    if (entry.parsed.ok && canonicalPath(entry.parsed.state.repo_path) === repo.root) {
      return { kind: 'found', state: entry.parsed.state, path: entry.path };
    }
  }
  for (const entry of entries) {
    if (!entry.parsed.ok && damagedFileBelongsTo(entry, repo)) {
      return { kind: 'corrupt', path: entry.path, sessionName: entry.stem, reason: entry.parsed.reason };
    }
  }
  return { kind: 'none' };
}

/** Session names whose state files belong to other repos (or cannot be read, to be safe). */
export function namesUsedByOtherRepos(repo: RepoInfo, env: Env = process.env): Set<string> {
  const names = new Set<string>();
  for (const entry of readStateFiles(env)) {
    if (entry.parsed.ok && canonicalPath(entry.parsed.state.repo_path) === repo.root) continue;
    names.add(entry.stem);
  }
  return names;
}

/** The readable saved sessions other than `session`. */
function otherSessions(session: string, env: Env): SessionState[] {
  return readStateFiles(env).flatMap((entry) =>
    entry.stem === session || !entry.parsed.ok ? [] : [entry.parsed.state],
  );
}

/** Broker ports recorded by the saved sessions other than `session`, so a new broker leaves them free. */
export function brokerPortsOfOtherSessions(session: string, env: Env = process.env): Set<number> {
  const ports = new Set<number>();
  for (const state of otherSessions(session, env)) {
    if (state.broker_port !== undefined) ports.add(state.broker_port);
  }
  return ports;
}

/**
 * Every port recorded by the saved sessions other than `session` (their agents' blocks and their
 * brokers): a stopped session takes them back when it is recovered.
 */
export function portsOfOtherSessions(session: string, env: Env = process.env): Set<number> {
  const ports = new Set<number>();
  for (const state of otherSessions(session, env)) {
    if (state.broker_port !== undefined) ports.add(state.broker_port);
    for (const entry of state.worktrees) for (const port of entry.ports ?? []) ports.add(port);
  }
  return ports;
}

/** The error for commands that need a readable state file. */
export function corruptStateError(lookup: { path: string; reason: string }): SessionError {
  return new SessionError(`session state file '${lookup.path}' is damaged: ${lookup.reason}`, {
    hint: `run \`git paw purge\` to clean up (or delete the file by hand)`,
  });
}
