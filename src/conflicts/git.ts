// The conflict checker's I/O seam for git: one small interface, and its implementation on the
// CommandRunner. Every call is one git process; none writes to the index or a ref, so the
// checker's own reads never wake the watcher that triggers them.
import { existsSync } from 'node:fs';
import { describeError } from '../util/errors.js';
import type { CommandRunner } from '../util/exec.js';
import { parsePorcelainV2, type WorktreeStatus } from './porcelain.js';

/** A read that failed, with one line saying why. */
export class GitReadError extends Error {}

export interface ConflictGit {
  /** The worktree's checked-out commit and uncommitted paths. */
  status(worktree: string): Promise<WorktreeStatus>;
  /** Paths the commits of `tip` changed since it forked from `base` (`base...tip`). */
  committedFiles(repo: string, base: string, tip: string): Promise<string[]>;
  /**
   * Paths that would conflict if `a` and `b` were merged (empty when they merge cleanly);
   * `unsupported` when this git has no `merge-tree --write-tree` (before 2.38).
   */
  mergeConflicts(repo: string, a: string, b: string): Promise<string[] | 'unsupported'>;
  /** The directories git tracks in the worktree's checked-out commit, for watching. */
  trackedDirs(worktree: string): Promise<string[]>;
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

function nulList(text: string): string[] {
  return text.split('\0').filter((path) => path !== '');
}

export function gitConflictReader(runner: CommandRunner): ConflictGit {
  const run = async (cwd: string, args: readonly string[]) => {
    if (!existsSync(cwd)) throw new GitReadError(`'${cwd}' is gone`);
    try {
      return await runner.run('git', args, { cwd });
    } catch (error) {
      throw new GitReadError(`cannot run git: ${describeError(error)}`);
    }
  };
  return {
    async status(worktree) {
      const result = await run(worktree, [
        // Without it, status refreshes the index: a write that would wake the watcher again.
        '--no-optional-locks',
        'status',
        '--porcelain=v2',
        '-z',
        '--branch',
        '--untracked-files=all',
        // A rename is listed as its two paths anyway; detecting it costs time for nothing.
        '--no-renames',
      ]);
      if (result.code !== 0)
        throw new GitReadError(firstLine(result.stderr) || `git status failed in '${worktree}'`);
      return parsePorcelainV2(result.stdout);
    },
    async committedFiles(repo, base, tip) {
      const result = await run(repo, ['diff', '--name-only', '-z', '--no-renames', `${base}...${tip}`, '--']);
      if (result.code !== 0)
        throw new GitReadError(firstLine(result.stderr) || `cannot compare with '${base}'`);
      return nulList(result.stdout);
    },
    async mergeConflicts(repo, a, b) {
      const result = await run(repo, [
        'merge-tree',
        '--write-tree',
        '--name-only',
        '--no-messages',
        '-z',
        a,
        b,
      ]);
      if (result.code === 0) return [];
      if (result.code === 1) return nulList(result.stdout).slice(1);
      // 129: an option this git does not know (merge-tree's old mode has no --write-tree).
      if (result.code === 129) return 'unsupported';
      throw new GitReadError(firstLine(result.stderr) || `git merge-tree failed (exit ${result.code})`);
    },
    async trackedDirs(worktree) {
      const result = await run(worktree, ['ls-tree', '-r', '-d', '-z', '--name-only', 'HEAD']);
      return result.code === 0 ? nulList(result.stdout) : [];
    },
  };
}
