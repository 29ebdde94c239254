import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireRepoLock, lockFilePath, withRepoLock } from '../../src/session/lock.js';

let root: string;
let env: NodeJS.ProcessEnv;
let locks: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'paw-lock-'));
  env = { HOME: root, XDG_DATA_HOME: join(root, 'data') };
  locks = join(root, 'data', 'git-paw', 'locks');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

/** The pid of a process that has certainly exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

describe('per-repo lock', () => {
  it('holds the pid, refuses a second holder at once, and frees on release', () => {
    const lock = acquireRepoLock('/repo/a', env);
    expect(readFileSync(lock.path, 'utf8')).toBe(String(process.pid));
    expect(() => acquireRepoLock('/repo/a', env)).toThrow(
      `Session error: another git-paw command is running for this repo (pid ${process.pid})`,
    );
    const other = acquireRepoLock('/repo/b', env);
    lock.release();
    other.release();
    // Released: marked free, not removed, so a takeover never has to delete anything.
    expect(readFileSync(lock.path, 'utf8')).toBe('free');
    const again = acquireRepoLock('/repo/a', env);
    expect(readFileSync(again.path, 'utf8')).toBe(String(process.pid));
    again.release();
    // The pid went in through a temp file that is gone again, and the winner cleared the older
    // generation: one file per repo.
    expect(readdirSync(locks).sort()).toEqual([basename(again.path), basename(other.path)].sort());
  });

  it('takes over a lock left by a process that no longer runs', () => {
    mkdirSync(locks, { recursive: true });
    const path = lockFilePath(locks, '/repo/a');
    writeFileSync(path, String(deadPid()));
    const lock = acquireRepoLock('/repo/a', env);
    expect(readFileSync(lock.path, 'utf8')).toBe(String(process.pid));
    expect(existsSync(path)).toBe(false);
    expect(() => acquireRepoLock('/repo/a', env)).toThrow(`(pid ${process.pid})`);
    lock.release();
  });

  it('treats a long-empty lock file as stale but a fresh empty one as held', () => {
    mkdirSync(locks, { recursive: true });
    const path = lockFilePath(locks, '/repo/a');
    writeFileSync(path, '');
    expect(() => acquireRepoLock('/repo/a', env)).toThrow('another git-paw command is running for this repo');
    const old = new Date(Date.now() - 60_000);
    utimesSync(path, old, old);
    acquireRepoLock('/repo/a', env).release();
  });

  it('releases after the work, also when it throws', async () => {
    await expect(withRepoLock('/repo/a', () => Promise.reject(new Error('boom')), env)).rejects.toThrow(
      'boom',
    );
    expect(await withRepoLock('/repo/a', async () => 42, env)).toBe(42);
  });

  it('does not remove a lock that another process took over', () => {
    const lock = acquireRepoLock('/repo/a', env);
    writeFileSync(lock.path, '999999');
    lock.release();
    expect(readFileSync(lock.path, 'utf8')).toBe('999999');
  });
});
