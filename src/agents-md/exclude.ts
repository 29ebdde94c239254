// Keeping a worktree's generated AGENTS.md out of `git status`, `git add -A` and commits.
//
// Untracked case: git reads `info/exclude` only from the COMMON git dir (a linked worktree's
// private one is ignored), so an anchored `/AGENTS.md` entry goes there, once, marked as ours
// (git/exclude, which also keeps the files copied and linked into worktrees out of git).
// Its side effect: an untracked AGENTS.md at the root of the main worktree (or of any other
// worktree) is ignored too; we warn when that happens, and removeAgentsMdExclude() undoes it.
// The alternative, `extensions.worktreeConfig` + a per-worktree `core.excludesFile`, changes
// the repository format for every tool and replaces the user's global excludes file in that
// worktree, which is more invasive than one marked line.
//
// Tracked case: `skip-worktree`, not `assume-unchanged`. Both hide the change from status and
// `git add -A`, but `git stash` / `git reset --hard` silently overwrite an assume-unchanged file
// (the injected section is lost), while they leave a skip-worktree file alone, and a checkout
// or merge that would overwrite it is refused. Under sparse-checkout git clears skip-worktree
// on files that are present, so there we fall back to assume-unchanged.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  addMarkedEntries,
  commonExcludePath,
  excludeLines,
  readExcludeFile,
  removeMarkedEntries,
} from '../git/exclude.js';
import type { RepoInfo } from '../git/repo.js';
import { AgentsMdError } from '../util/errors.js';
import type { CommandRunner } from '../util/exec.js';
import { warn } from '../util/output.js';
import { AGENTS_MD } from './name.js';

export { AGENTS_MD };
/** The entry we add to `<common dir>/info/exclude`; anchored so only root-level files match. */
export const EXCLUDE_ENTRY = '/AGENTS.md';
/** Written on the line before our entry, so we can tell it from the user's own lines. */
export const EXCLUDE_COMMENT =
  '# git-paw: generated AGENTS.md of session worktrees (removed by git paw purge)';

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

async function git(runner: CommandRunner, cwd: string, args: readonly string[]) {
  return runner.run('git', args, { cwd });
}

/** True when git ignores `AGENTS.md` at the root of `worktree` (by any ignore source). */
async function isIgnored(runner: CommandRunner, worktree: string): Promise<boolean> {
  const result = await git(runner, worktree, ['check-ignore', '-q', '--', AGENTS_MD]);
  if (result.code > 1) {
    throw new AgentsMdError(`failed to read the ignore rules of '${worktree}': ${firstLine(result.stderr)}`);
  }
  return result.code === 0;
}

/** True when the exclude file has a line that ignores a root `AGENTS.md` (ours, or the user's own). */
function hasAgentsMdLine(lines: readonly string[]): boolean {
  return lines.includes(EXCLUDE_ENTRY) || lines.includes(AGENTS_MD);
}

/** Whether the exclude file already has such a line; false when it cannot be read (the slow path then reports why). */
function excludeAlreadyCovers(repo: RepoInfo): boolean {
  try {
    return hasAgentsMdLine(excludeLines(readExcludeFile(repo, AgentsMdError)));
  } catch {
    return false;
  }
}

/** Adds our entry to the common exclude file unless a line there already ignores a root AGENTS.md. */
async function addExcludeEntry(runner: CommandRunner, repo: RepoInfo): Promise<void> {
  const added = await addMarkedEntries(
    repo,
    EXCLUDE_COMMENT,
    [EXCLUDE_ENTRY],
    AgentsMdError,
    hasAgentsMdLine,
  );
  if (added.length > 0) await warnIfMainAgentsMdNowIgnored(runner, repo, commonExcludePath(repo));
}

/**
 * Untracked case: makes sure git ignores `<worktree>/AGENTS.md`, adding our exclude entry if needed.
 * When the entry is already there (every worktree after the first), one check-ignore decides.
 * `ignoredNow` is the answer of a check-ignore the caller just ran, if any. Returns false (after
 * warning) when an ignore rule of the worktree re-includes the file.
 */
async function excludeUntrackedAgentsMd(
  runner: CommandRunner,
  repo: RepoInfo,
  worktree: string,
  ignoredNow?: boolean,
): Promise<boolean> {
  if (!excludeAlreadyCovers(repo)) {
    if (ignoredNow ?? (await isIgnored(runner, worktree))) return true;
    await addExcludeEntry(runner, repo);
  }
  if (await isIgnored(runner, worktree)) return true;
  warnNotIgnored(worktree);
  return false;
}

/**
 * A fresh worktree whose commit has no AGENTS.md: makes sure the exclude file has our entry and
 * says whether the file is ignored, without asking git when nothing can re-include it. Ignore
 * rules rank the root `.gitignore` above the exclude file and the exclude file above the user's
 * global excludes, so with our line in place only a `!` line of the commit's root `.gitignore`
 * (`gitignoreMayReinclude`) or of the exclude file itself can undo it; then check-ignore decides.
 * The entry is added even when another rule already ignores the file: that costs one marked line
 * (removed by purge) instead of a git process per launch.
 */
export async function keepFreshAgentsMdOutOfGit(
  runner: CommandRunner,
  repo: RepoInfo,
  worktree: string,
  gitignoreMayReinclude: boolean,
): Promise<boolean> {
  let exclude: string | undefined;
  try {
    exclude = readExcludeFile(repo, AgentsMdError);
  } catch {
    // Unreadable: adding the entry reports why.
  }
  if (exclude === undefined || !hasAgentsMdLine(excludeLines(exclude))) await addExcludeEntry(runner, repo);
  // Our own lines hold no `!`, so the text read before adding them answers this too.
  const excludeMayReinclude = (exclude ?? '').split('\n').some((line) => line.startsWith('!'));
  if (!gitignoreMayReinclude && !excludeMayReinclude) return true;
  if (await isIgnored(runner, worktree)) return true;
  warnNotIgnored(worktree);
  return false;
}

/** The warning when an ignore rule of the worktree's own (e.g. `!AGENTS.md`) re-includes the file. */
export function warnNotIgnored(worktree: string): void {
  warn(
    `${join(worktree, AGENTS_MD)} is not ignored by git (a .gitignore rule re-includes it); do not commit it`,
  );
}

/**
 * Makes sure git never shows `<worktree>/AGENTS.md`: skip-worktree when the index tracks it,
 * otherwise an ignore rule (see excludeUntrackedAgentsMd). `likelyTracked` (the commit has the
 * file) only picks which check runs first: check-ignore never reports a tracked path as ignored,
 * so "ignored" also settles "untracked" — the usual answer costs one git process. In a fresh
 * checkout (`freshCheckout`) the index is the commit's tree, so `likelyTracked` is the answer.
 * Returns false (after warning) when the worktree's own ignore rules re-include the file.
 */
export async function keepAgentsMdOutOfGit(
  runner: CommandRunner,
  repo: RepoInfo,
  worktree: string,
  likelyTracked: boolean,
  freshCheckout = false,
): Promise<boolean> {
  const ignored = likelyTracked ? undefined : await isIgnored(runner, worktree);
  if (ignored) return true;
  const tracked = freshCheckout ? likelyTracked : await isTrackedInIndex(runner, worktree);
  if (!tracked) return excludeUntrackedAgentsMd(runner, repo, worktree, ignored);
  await hideTrackedAgentsMd(runner, worktree);
  return true;
}

/** The side effect of the common exclude entry: the main worktree's untracked AGENTS.md is hidden too. */
async function warnIfMainAgentsMdNowIgnored(
  runner: CommandRunner,
  repo: RepoInfo,
  exclude: string,
): Promise<void> {
  if (!existsSync(join(repo.root, AGENTS_MD))) return;
  const tracked = await git(runner, repo.root, ['ls-files', '--cached', '--', AGENTS_MD]);
  if (tracked.code !== 0 || tracked.stdout.trim() !== '') return;
  warn(
    `added '${EXCLUDE_ENTRY}' to ${exclude} so session worktrees stay clean; the untracked ${join(repo.root, AGENTS_MD)} is now ignored by git too (commit it with 'git add -f AGENTS.md')`,
  );
}

/** Tracked case: hides the modified `AGENTS.md` from status/add (skip-worktree, else assume-unchanged). */
async function hideTrackedAgentsMd(runner: CommandRunner, worktree: string): Promise<void> {
  for (const [flag, tag] of [
    ['--skip-worktree', 'S'],
    ['--assume-unchanged', 'h'],
  ] as const) {
    const set = await git(runner, worktree, ['update-index', flag, '--', AGENTS_MD]);
    if (set.code !== 0) {
      throw new AgentsMdError(
        `failed to hide '${join(worktree, AGENTS_MD)}' from git: ${firstLine(set.stderr)}`,
      );
    }
    const listed = await git(runner, worktree, ['ls-files', '-v', '--', AGENTS_MD]);
    if (listed.stdout.startsWith(`${tag} `)) return;
  }
  throw new AgentsMdError(
    `failed to hide '${join(worktree, AGENTS_MD)}' from git: the index flag did not stick`,
  );
}

/** True when the worktree's index has an entry for `AGENTS.md` (the file is tracked there). */
async function isTrackedInIndex(runner: CommandRunner, worktree: string): Promise<boolean> {
  const result = await git(runner, worktree, ['ls-files', '--cached', '--', AGENTS_MD]);
  if (result.code !== 0) {
    throw new AgentsMdError(`failed to read '${join(worktree, AGENTS_MD)}': ${firstLine(result.stderr)}`);
  }
  return result.stdout.trim() !== '';
}

/**
 * Removes the exclude entry added by excludeUntrackedAgentsMd (with its comment line), keeping
 * every other line. For `purge`, once no session worktree needs it. Returns true if removed.
 */
export function removeAgentsMdExclude(repo: RepoInfo): boolean {
  return removeMarkedEntries(repo, EXCLUDE_COMMENT, AgentsMdError);
}
