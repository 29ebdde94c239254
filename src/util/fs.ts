// Atomic file writes: temp file in the same directory, fsync (unless not needed), rename. Readers
// never see a half-written file, and a failed write leaves the old file (and no temp file)
// behind. Also the one rule for comparing paths: canonical real paths.
import {
  closeSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** True when something (a dangling symlink too) is at `path`. */
export function pathExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The real path (symlinks resolved); the absolute path when it does not exist (any more). */
export function canonicalPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

export interface AtomicWriteOptions {
  /** File mode of the result (default 0o644). */
  mode?: number;
  /**
   * Flush file and directory to disk before returning (default true). Files that are generated
   * again whenever they are needed can skip it: the rename still keeps readers from ever seeing a
   * half-written file.
   */
  durable?: boolean;
}

/** Writes `content` to `path` atomically, creating parent directories as needed. */
export function writeFileAtomic(path: string, content: string, options: AtomicWriteOptions = {}): void {
  const durable = options.durable ?? true;
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(temp, 'w', options.mode ?? 0o644);
    try {
      // writeSync may write less than asked (a file-size limit, a nearly full disk); keep going
      // so the short write turns into the real error (EFBIG, ENOSPC) instead of a cut-off file.
      const bytes = Buffer.from(content, 'utf8');
      for (let written = 0; written < bytes.length;) written += writeSync(fd, bytes, written);
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  if (!durable) return;
  try {
    syncDirectory(dir);
  } catch {
    // Directory fsync is best effort (not supported on every platform).
  }
}

/** fsync of a directory, which makes a rename inside it durable; throws what the system says. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
