// Per-repo lock around start/stop/purge, in `<data dir>/git-paw/locks/` and keyed by a hash of
// the repo path. A second command fails at once (never waits, never launches twice); a lock left by a
// process that no longer runs is taken over.
//
// Taking over a stale lock must not race: two processes that both see it stale must not both
// win, and neither may delete the other's fresh lock. So a lock is never deleted to be taken
// over. Lock files are numbered generations (`<key>.lock.<n>`, each created once by hard-linking
// a file that already holds the creator's pid, so none is ever seen empty); the lock is the
// highest generation. Taking over a stale or released generation n means creating n + 1, which
// only one process can do. Release marks the generation free instead of removing it, so the
// highest number only ever grows; lower generations are cleared by the next winner.
import { createHash } from 'node:crypto';
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { sessionsDir } from '../util/dirs.js';
import { SessionError, describeError } from '../util/errors.js';
import { processRuns } from '../util/process.js';

export interface RepoLock {
  /** The lock file this holder created. */
  path: string;
  release(): void;
}

/** A lock file that is still empty this long after creation was left by a crash mid-write. */
const EMPTY_LOCK_GRACE_MS = 10_000;
/** What a released generation holds. */
const FREE = 'free';
/** Rounds of "read the highest generation, try the next" before giving up on a busy lock. */
const MAX_ATTEMPTS = 8;

/** Where the locks live: next to the sessions dir, so a released lock never shows among the sessions. */
export function locksDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(dirname(sessionsDir(env)), 'locks');
}

/** The lock's base path; generations are `<base>.<n>`, and a file at the base path is generation 0. */
export function lockFilePath(locksDirPath: string, repoRoot: string): string {
  const key = createHash('sha256').update(repoRoot).digest('hex').slice(0, 16);
  return join(locksDirPath, `${key}.lock`);
}

function generationPath(base: string, generation: number): string {
  return generation === 0 ? base : `${base}.${generation}`;
}

/** The generations present, highest first. */
function generations(base: string): number[] {
  const prefix = `${basename(base)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(base));
  } catch (error) {
    throw new SessionError(`cannot read lock directory '${dirname(base)}': ${describeError(error)}`);
  }
  const found: number[] = [];
  for (const name of names) {
    if (name === basename(base)) found.push(0);
    else if (name.startsWith(prefix) && /^[1-9]\d{0,14}$/.test(name.slice(prefix.length))) {
      found.push(Number(name.slice(prefix.length)));
    }
  }
  return found.sort((a, b) => b - a);
}

type Holder = { pid: number } | { free: true } | { unknown: true } | { gone: true };

function readHolder(path: string): Holder {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch {
    return { gone: true }; // cleared by a newer winner meanwhile: look again
  }
  if (text === FREE) return { free: true };
  const pid = Number.parseInt(text, 10);
  if (Number.isInteger(pid) && pid > 0) return processRuns(pid) ? { pid } : { free: true };
  try {
    return Date.now() - statSync(path).mtimeMs > EMPTY_LOCK_GRACE_MS ? { free: true } : { unknown: true };
  } catch {
    return { gone: true };
  }
}

/** Creates the lock file with O_EXCL, then writes the pid (a moment exists where it is empty). */
function createEmptyThenWrite(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new SessionError(`cannot create lock file '${path}': ${describeError(error)}`);
  }
  try {
    writeSync(fd, String(process.pid));
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Creates the lock file holding our pid, or returns false when it exists. The pid goes into a
 * private temp file that is hard-linked into place, so a competing command never reads an empty
 * lock; where hard links are not supported, O_EXCL creation is the fallback.
 */
function tryCreate(path: string): boolean {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, String(process.pid), { mode: 0o600 });
    linkSync(temp, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') return createEmptyThenWrite(path);
    throw new SessionError(`cannot create lock file '${path}': ${describeError(error)}`);
  } finally {
    rmSync(temp, { force: true });
  }
}

/** Replaces the content of a generation we hold with FREE, atomically (readers see pid or FREE). */
function markFree(path: string): void {
  const temp = `${path}.${process.pid}.free`;
  try {
    if (readFileSync(path, 'utf8').trim() !== String(process.pid)) return;
    writeFileSync(temp, FREE, { mode: 0o600 });
    renameSync(temp, path);
  } catch {
    rmSync(temp, { force: true }); // already gone: nothing to release
  }
}

function busyError(path: string, holder?: { pid: number }): SessionError {
  const who = holder ? ` (pid ${holder.pid})` : '';
  return new SessionError(`another git-paw command is running for this repo${who}`, {
    hint: `wait for it to finish; if none is running, delete ${path}`,
  });
}

/** Takes the lock of `repoRoot` or throws a Session error naming the holder. */
export function acquireRepoLock(repoRoot: string, env: NodeJS.ProcessEnv = process.env): RepoLock {
  const dir = locksDir(env);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new SessionError(`cannot create lock directory '${dir}': ${describeError(error)}`);
  }
  const base = lockFilePath(dir, repoRoot);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const [top] = generations(base);
    if (top !== undefined) {
      const holder = readHolder(generationPath(base, top));
      if ('gone' in holder) continue;
      if ('pid' in holder) throw busyError(generationPath(base, top), holder);
      if ('unknown' in holder) throw busyError(generationPath(base, top));
    }
    const mine = (top ?? 0) + 1;
    const path = generationPath(base, mine);
    // Another process that saw the same generation free won the next one: look again.
    if (!tryCreate(path)) continue;
    // A process working from an older listing may have created a generation that a newer winner
    // had cleared already; the highest generation is the lock, so such a creator backs off.
    const [highest] = generations(base);
    if (highest !== undefined && highest > mine) {
      markFree(path);
      continue;
    }
    for (const older of generations(base)) {
      if (older < mine) rmSync(generationPath(base, older), { force: true });
    }
    return { path, release: () => markFree(path) };
  }
  throw busyError(base);
}

/**
 * Deletes the lock files of a repo that is gone for good (the demo's throwaway repo), so nothing
 * of it stays behind; a generation some live process still holds is left alone.
 */
export function forgetRepoLock(repoRoot: string, env: NodeJS.ProcessEnv = process.env): void {
  const base = lockFilePath(locksDir(env), repoRoot);
  let found: number[];
  try {
    found = generations(base);
  } catch {
    return; // no lock dir: nothing to forget
  }
  const [top] = found;
  if (top !== undefined && 'pid' in readHolder(generationPath(base, top))) return;
  for (const generation of found) rmSync(generationPath(base, generation), { force: true });
}

/** Runs `work` while holding the repo lock. */
export async function withRepoLock<T>(
  repoRoot: string,
  work: () => Promise<T>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<T> {
  const lock = acquireRepoLock(repoRoot, env);
  try {
    return await work();
  } finally {
    lock.release();
  }
}
