// Giving each worktree a launch creates the files its bootstrap plan names (bootstrap/plan):
// copies — copy-on-write where the file system can, one `cp` per worktree for all paths — and
// symlinks to the main checkout; never over anything already in the worktree, never through a
// symlink out of it. The configured paths get entries in the common exclude file, so they stay
// out of the worktrees' `git status` and `git add -A`.
import { lstatSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { addMarkedEntries, commonExcludePath, removeMarkedEntries } from '../git/exclude.js';
import type { RepoInfo } from '../git/repo.js';
import { WorktreeError } from '../util/errors.js';
import type { CommandRunner } from '../util/exec.js';
import { ioReason } from '../util/io-reason.js';
import { warn } from '../util/output.js';
import { copyCommands, initialCopyMethod, isOptionError, type CopyMethod } from './copy.js';
import { copiesAround, type BootstrapPlan } from './plan.js';

/** Written before each of our exclude entries, so purge can tell them from the user's lines. */
export const HIDE_COMMENT = '# git-paw: copied or linked into session worktrees (removed by git paw purge)';

/** The ignore pattern for exactly `path` under the root: anchored, glob characters escaped. */
export function anchoredPattern(path: string): string {
  return `/${path.replace(/[\\*?[]/g, (char) => `\\${char}`).replace(/ $/, '\\ ')}`;
}

/** Adds the exclude entries of the plan's configured paths; warns when one hides a file of the main checkout. */
async function hideFromGit(repo: RepoInfo, plan: BootstrapPlan): Promise<void> {
  const added = new Set(
    await addMarkedEntries(repo, HIDE_COMMENT, plan.hide.map(anchoredPattern), WorktreeError),
  );
  for (const path of plan.unignoredInMain) {
    if (!added.has(anchoredPattern(path))) continue;
    warn(
      `added '${anchoredPattern(path)}' to ${commonExcludePath(repo)} so session worktrees stay clean; the untracked ${join(repo.root, path)} is now ignored by git too`,
    );
  }
}

/** Takes our exclude entries out again (purge, or a failed launch). */
export function removeBootstrapExclude(repo: RepoInfo): boolean {
  return removeMarkedEntries(repo, HIDE_COMMENT, WorktreeError);
}

/** What stands in the way of creating `path` in `worktree`, or undefined when nothing does. */
function obstacle(worktree: string, path: string): string | undefined {
  const parts = path.split('/');
  for (let depth = 1; depth <= parts.length; depth += 1) {
    const at = parts.slice(0, depth).join('/');
    let stats;
    try {
      stats = lstatSync(join(worktree, at));
    } catch {
      return undefined;
    }
    if (depth === parts.length) return 'it already exists in the worktree';
    if (stats.isSymbolicLink()) return `'${at}' in the worktree is a symlink`;
    if (!stats.isDirectory()) return `'${at}' in the worktree is not a directory`;
  }
  return undefined;
}

/** The paths that can be created in `worktree`; warns about the others. */
function placeable(worktree: string, paths: readonly string[], verb: 'copied' | 'linked'): string[] {
  return paths.filter((path) => {
    const reason = obstacle(worktree, path);
    if (reason !== undefined) warn(`'${path}' not ${verb} into '${worktree}': ${reason}`);
    return reason === undefined;
  });
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

/**
 * Copies `paths` from the main checkout into `worktree` with `method`, falling back to a plain
 * copy where `cp` lacks the options or the file system cannot clone. Returns the method that
 * worked, for the next worktree.
 */
async function copyInto(
  runner: CommandRunner,
  plan: BootstrapPlan,
  worktree: string,
  paths: readonly string[],
  method: CopyMethod,
): Promise<CopyMethod> {
  for (const command of copyCommands(method, plan.source, worktree, paths)) {
    if (command.makeDir !== undefined) mkdirSync(command.makeDir, { recursive: true });
    const result = await runner.run('cp', command.args, { cwd: plan.source });
    if (result.code === 0) continue;
    const fallback = method === 'clone' || (method === 'reflink' && isOptionError(result.stderr));
    if (fallback) return copyInto(runner, plan, worktree, paths, 'plain');
    throw new WorktreeError(`failed to copy files into '${worktree}': ${firstLine(result.stderr)}`, {
      hint: 'check [worktree] copy and .worktreeinclude',
    });
  }
  return method;
}

function linkInto(plan: BootstrapPlan, worktree: string, paths: readonly string[]): void {
  for (const path of paths) {
    const at = join(worktree, path);
    try {
      mkdirSync(dirname(at), { recursive: true });
      symlinkSync(join(plan.source, path), at);
    } catch (error) {
      throw new WorktreeError(`failed to link '${at}' to the main checkout: ${ioReason(error)}`);
    }
  }
}

/** Gives worktrees their files while a launch is still creating the next ones. */
export interface BootstrapPipeline {
  /** Starts on a worktree this launch just created. */
  add(worktreePath: string): void;
  /** Resolves once every worktree added has its files; rejects with the first failure. */
  done(): Promise<void>;
}

/**
 * One worktree after another (the copies share one disk), after the exclude entries are in
 * place. After a failure nothing new starts, so a rollback never races a copy.
 */
export function bootstrapPipeline(
  runner: CommandRunner,
  repo: RepoInfo,
  plan: BootstrapPlan,
): BootstrapPipeline {
  let method = initialCopyMethod(process.platform);
  let chain: Promise<void> | undefined;
  let sources: string[] = [];
  const prepare = async (): Promise<void> => {
    await hideFromGit(repo, plan);
    sources = copiesAround(plan.source, plan.copy, plan.link);
  };
  return {
    add(worktreePath) {
      chain = (chain ?? prepare()).then(async () => {
        const copies = placeable(worktreePath, sources, 'copied');
        if (copies.length > 0) method = await copyInto(runner, plan, worktreePath, copies, method);
        linkInto(plan, worktreePath, placeable(worktreePath, plan.link, 'linked'));
      });
      // The failure is reported by done(), which the launch always awaits.
      chain.catch(() => undefined);
    },
    async done() {
      await chain;
    },
  };
}
