// Per-repo lock around start/stop/purge: a file in the sessions dir, keyed by a hash of the repo
// path and holding the owner's pid from the moment it exists (hard-linked into place). A second
// command fails at once (never waits, never launches twice); a lock left by a process that no
// longer runs is taken over.
import { createHash } from 'node:crypto';
import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { SessionError, describeError } from '../util/errors.js';
import { ensureSessionsDir } from './store.js';

export interface RepoLock {
  path: string;
  release(): void;
}

/** A lock file that is still empty this long after creation was left by a crash mid-write. */
const EMPTY_LOCK_GRACE_MS = 10_000;

export function lockFilePath(sessionsDirPath: string, repoRoot: string): string {
  const key = createHash('sha256').update(repoRoot).digest('hex').slice(0, 16);
  return join(sessionsDirPath, `.${key}.lock`);
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

type Holder = { pid: number } | { stale: true } | { unknown: true };

function readHolder(path: string): Holder {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch {
    return { stale: true }; // vanished meanwhile: free again
  }
  const pid = Number.parseInt(text, 10);
  if (Number.isInteger(pid) && pid > 0) return processRuns(pid) ? { pid } : { stale: true };
  try {
    return Date.now() - statSync(path).mtimeMs > EMPTY_LOCK_GRACE_MS ? { stale: true } : { unknown: true };
  } catch {
    return { stale: true };
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

/** Takes the lock of `repoRoot` or throws a Session error naming the holder. */
export function acquireRepoLock(repoRoot: string, env: NodeJS.ProcessEnv = process.env): RepoLock {
  const path = lockFilePath(ensureSessionsDir(env), repoRoot);
  for (let attempt = 0; attempt < 2; attempt++) {
    if (tryCreate(path)) {
      return {
        path,
        release() {
          try {
            if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
          } catch {
            // Already gone.
          }
        },
      };
    }
    const holder = readHolder(path);
    if (!('stale' in holder)) {
      const who = 'pid' in holder ? ` (pid ${holder.pid})` : '';
      throw new SessionError(`another git-paw command is running for this repo${who}`, {
        hint: `wait for it to finish; if none is running, delete ${path}`,
      });
    }
    try {
      unlinkSync(path);
    } catch {
      // Someone else removed it first; the next attempt decides.
    }
  }
  throw new SessionError('another git-paw command is running for this repo', {
    hint: `wait for it to finish; if none is running, delete ${path}`,
  });
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
