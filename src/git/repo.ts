// Repository discovery: the main worktree's root, from any subdirectory or linked worktree, so
// a session is always found under the same path and worktrees never nest.
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { BareRepoError, BranchError, NotAGitRepoError, describeError } from '../util/errors.js';
import type { CommandRunner } from '../util/exec.js';
import { canonicalPath } from '../util/fs.js';

export interface RepoInfo {
  /** Canonical real path of the main worktree's root. */
  root: string;
  /** Last path component of `root` (`project` if there is none). */
  project: string;
  /** Canonical path of the common git dir (shared by all worktrees). */
  commonDir: string;
  /**
   * Where git looks for hooks: an absolute path, or a relative `core.hooksPath`, which git
   * resolves in each worktree separately.
   */
  hooksPath?: string;
}

/** Runs git (with `input` on its stdin), mapping "cannot start git" to a Branch error as upstream does. */
export async function git(runner: CommandRunner, cwd: string, args: readonly string[], input?: string) {
  try {
    return await runner.run('git', args, { cwd, input });
  } catch (error) {
    throw new BranchError(`failed to run git: ${describeError(error)}`, {
      hint: 'install git and make sure it is on PATH',
    });
  }
}

/**
 * Resolves the repository that `cwd` belongs to. Inside a linked worktree this returns the
 * main worktree. Throws BareRepoError in a bare repository, NotAGitRepoError outside a work tree
 * (also inside `.git`).
 */
export async function resolveRepo(runner: CommandRunner, cwd: string = process.cwd()): Promise<RepoInfo> {
  const result = await git(runner, cwd, [
    'rev-parse',
    '--is-bare-repository',
    '--absolute-git-dir',
    '--is-inside-work-tree',
    '--show-toplevel',
    '--git-common-dir',
    '--git-path',
    'hooks',
  ]);
  const [bare, gitDir, inside, toplevel, common, hooks] = result.stdout
    .split('\n')
    .map((line) => line.trim());
  // git prints the answers it has before failing on --show-toplevel outside a work tree.
  if (bare === 'true' && gitDir) throw new BareRepoError(gitDir);
  if (result.code !== 0 || inside !== 'true' || !toplevel || !common) throw new NotAGitRepoError();
  const commonDir = canonicalPath(isAbsolute(common) ? common : resolve(cwd, common));
  // The main worktree is the parent of the common dir when that dir is named `.git`; otherwise
  // (unusual layouts such as --separate-git-dir) fall back to the current worktree's top level.
  const root = basename(commonDir) === '.git' ? dirname(commonDir) : canonicalPath(toplevel);
  return { root, project: basename(root) || 'project', commonDir, ...hooksPathOf(hooks, cwd, commonDir) };
}

/** RepoInfo.hooksPath from `git rev-parse --git-path hooks`, which is relative to `cwd` unless configured otherwise. */
function hooksPathOf(hooks: string | undefined, cwd: string, commonDir: string): { hooksPath?: string } {
  if (!hooks) return {};
  if (isAbsolute(hooks)) return { hooksPath: hooks };
  // The default (inside the git dir) comes relative to cwd; a relative core.hooksPath as configured.
  const resolved = resolve(cwd, hooks);
  const real = join(canonicalPath(dirname(resolved)), basename(resolved));
  return { hooksPath: real.startsWith(`${commonDir}/`) ? real : hooks };
}

/**
 * The branch the main checkout is on, read from its HEAD file (no git process: a launch records
 * it as the session's base branch); undefined on a detached HEAD or when the file says nothing
 * usable (e.g. the placeholder a reftable repository keeps there).
 */
export function mainCheckoutBranch(repo: RepoInfo): string | undefined {
  let head: string;
  try {
    head = readFileSync(join(repo.commonDir, 'HEAD'), 'utf8').trim();
  } catch {
    return undefined;
  }
  const branch = /^ref: refs\/heads\/(.+)$/.exec(head)?.[1];
  return branch === undefined || branch === '.invalid' ? undefined : branch;
}
