// Which files every worktree a launch creates gets from the main checkout: the `[worktree] copy`
// and `link` paths, and the git-ignored files a `.worktreeinclude` at the repository root
// matches. Resolved once per launch, before anything is created — so a link to a tracked path
// stops the launch with nothing made, and `--dry-run` can list the result — in at most three git
// processes however many worktrees there are: the tracked configured paths, the
// `.worktreeinclude` listing (both at once), then one check-ignore for everything found.
import { lstatSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { AGENTS_MD } from '../agents-md/name.js';
import type { BootstrapSettings } from '../config/effective.js';
import { ConfigError, WorktreeError } from '../util/errors.js';
import { git } from '../git/repo.js';
import type { CommandRunner } from '../util/exec.js';
import { warn } from '../util/output.js';

/** The file (gitignore syntax) naming ignored files every new worktree gets a copy of. */
const WORKTREE_INCLUDE = '.worktreeinclude';

/** git-paw's own directory (config, session logs): never copied by a pattern that happens to match it. */
const PAW_DIR = '.git-paw';

export interface BootstrapPlan {
  /** The main checkout, where every copied file and every link target is. */
  source: string;
  /**
   * Repo-relative paths copied: the `copy` entries, then what `.worktreeinclude` added. A copied
   * directory is copied around a link inside it.
   */
  copy: string[];
  /** Repo-relative paths made symlinks to the main checkout's. */
  link: string[];
  /**
   * The configured paths (copied or linked) kept out of the worktrees' `git status` by an entry
   * in the common exclude file. `.worktreeinclude` matches need none: git ignores them already.
   */
  hide: string[];
  /** The configured paths the main checkout does not ignore yet: that entry hides them there too. */
  unignoredInMain: string[];
}

/** `a` is `b` or lies inside it. */
function isAtOrInside(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`);
}

/** A configured path as git names it: `./a//b/` is `a/b`. */
function normalized(path: string): string {
  return posix.normalize(path).replace(/\/+$/, '');
}

/** The paths in order, without repeats and without those inside an earlier or later one. */
function outermost(paths: readonly string[]): string[] {
  const unique = [...new Set(paths)];
  return unique.filter((path) => !unique.some((other) => other !== path && isAtOrInside(path, other)));
}

function existsInMain(source: string, path: string): boolean {
  try {
    lstatSync(join(source, path));
    return true;
  } catch {
    return false;
  }
}

/** Runs a git command that lists paths (NUL-separated) in the main checkout. */
async function gitPaths(runner: CommandRunner, cwd: string, args: readonly string[], input?: string) {
  const result = await git(runner, cwd, args, input);
  const command = args.find((arg) => !arg.startsWith('-')) ?? 'git';
  // check-ignore exits 1 when it ignores none of the paths.
  if (result.code > 1 || (result.code === 1 && command !== 'check-ignore')) {
    const reason = result.stderr.trim().split('\n')[0] ?? '';
    throw new WorktreeError(`failed to read which files new worktrees get (git ${command}): ${reason}`);
  }
  return result.stdout.split('\0').filter((path) => path !== '');
}

/** The configured paths git tracks (or tracks files inside of). */
async function trackedOf(
  runner: CommandRunner,
  source: string,
  paths: readonly string[],
): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  const files = await gitPaths(runner, source, [
    '--literal-pathspecs',
    'ls-files',
    '-z',
    '--cached',
    '--',
    ...paths,
  ]);
  return new Set(paths.filter((path) => files.some((file) => isAtOrInside(file, path))));
}

/**
 * What `.worktreeinclude` matches among the untracked files, a wholly matched directory as one
 * path. Whether git ignores them is asked afterwards, with the configured paths.
 */
async function worktreeIncludeCandidates(runner: CommandRunner, source: string): Promise<string[]> {
  if (!existsInMain(source, WORKTREE_INCLUDE)) return [];
  const listed = await gitPaths(runner, source, [
    'ls-files',
    '-z',
    '--others',
    '--ignored',
    '--directory',
    `--exclude-from=${WORKTREE_INCLUDE}`,
  ]);
  return listed.map(normalized).filter((path) => !isAtOrInside(path, PAW_DIR) && path !== AGENTS_MD);
}

async function ignoredOf(
  runner: CommandRunner,
  source: string,
  paths: readonly string[],
): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  const ignored = await gitPaths(runner, source, ['check-ignore', '-z', '--stdin'], `${paths.join('\0')}\0`);
  return new Set(ignored);
}

/** The configured paths that can be copied or linked; warns about the others. */
function usable(
  key: 'copy' | 'link',
  paths: readonly string[],
  source: string,
  tracked: ReadonlySet<string>,
): string[] {
  return paths.filter((path) => {
    if (path === AGENTS_MD) {
      warn(`[worktree] ${key} '${path}' skipped: git-paw writes each worktree's ${AGENTS_MD}`);
      return false;
    }
    if (key === 'link' && tracked.has(path)) {
      throw new ConfigError(`[worktree] link '${path}' is tracked by git, so every worktree has its own`, {
        hint: `remove '${path}' from link in [worktree]`,
      });
    }
    if (tracked.has(path)) {
      warn(`[worktree] copy '${path}' skipped: it is tracked by git, so every worktree checks it out`);
      return false;
    }
    if (!existsInMain(source, path)) {
      warn(`[worktree] ${key} '${path}' skipped: it does not exist in the main checkout (${source})`);
      return false;
    }
    return true;
  });
}

/**
 * Refuses a copy at or inside a link: the link already shares it. (A link inside a copied
 * directory is fine: the directory is copied around it, see copiesAround.)
 */
function refuseCopyInLink(copies: readonly string[], links: readonly string[]): void {
  for (const link of links) {
    const copy = copies.find((path) => isAtOrInside(path, link));
    if (copy === undefined) continue;
    const where = copy === link ? 'is also' : `is inside '${link}', which is`;
    throw new ConfigError(`[worktree] copy '${copy}' ${where} in link`, {
      hint: 'a path is either copied or linked: remove one of them',
    });
  }
}

/**
 * The paths to hand to cp: each copied directory that holds a link is replaced by its entries
 * in the main checkout, all but the link (recursively), so the copy goes around the link.
 */
export function copiesAround(source: string, copies: readonly string[], links: readonly string[]): string[] {
  return copies.flatMap((copy) => {
    const inner = links.filter((link) => link.startsWith(`${copy}/`));
    if (inner.length === 0) return [copy];
    const entries = readdirSync(join(source, copy)).map((name) => `${copy}/${name}`);
    return copiesAround(
      source,
      entries.filter((entry) => !inner.includes(entry)),
      inner,
    );
  });
}

/**
 * The files each new worktree gets, or undefined when there are none (nothing configured, no
 * `.worktreeinclude` or nothing it matches). Refuses a link to a tracked path; warns about and
 * drops configured paths that are missing or tracked.
 */
export async function planBootstrap(
  runner: CommandRunner,
  source: string,
  settings: Pick<BootstrapSettings, 'copy' | 'link'> | undefined,
): Promise<BootstrapPlan | undefined> {
  const configCopy = outermost((settings?.copy ?? []).map(normalized));
  const configLink = outermost((settings?.link ?? []).map(normalized));
  refuseCopyInLink(configCopy, configLink);
  const [tracked, candidates] = await Promise.all([
    trackedOf(runner, source, [...configCopy, ...configLink]),
    worktreeIncludeCandidates(runner, source),
  ]);
  const link = usable('link', configLink, source, tracked);
  const copy = usable('copy', configCopy, source, tracked);
  const ignored = await ignoredOf(runner, source, [...new Set([...copy, ...link, ...candidates])]);
  // A match inside an ignored directory is also listed on its own: keep the outermost path git ignores.
  const included = outermost(candidates.filter((path) => ignored.has(path))).filter(
    (path) =>
      !link.some((linked) => isAtOrInside(path, linked)) &&
      !copy.some((copied) => isAtOrInside(path, copied)),
  );
  if (copy.length + link.length + included.length === 0) return undefined;
  const hide = [...copy, ...link];
  return {
    source,
    copy: [...copy, ...included],
    link,
    hide,
    unignoredInMain: hide.filter((path) => !ignored.has(path)),
  };
}

/** The `--dry-run` lines saying what each new worktree gets (none without a plan). */
export function bootstrapDryRunLines(plan: BootstrapPlan | undefined): string[] {
  if (plan === undefined) return [];
  const lines = [''];
  if (plan.copy.length > 0) {
    lines.push('  Copied into each new worktree:', ...plan.copy.map((path) => `    ${path}`));
  }
  if (plan.link.length > 0) {
    lines.push(
      '  Linked into each new worktree:',
      ...plan.link.map((path) => `    ${path} → ${join(plan.source, path)}`),
    );
  }
  return lines;
}
