// Writing a worktree's AGENTS.md: base text (the branch's committed AGENTS.md, else the repo
// root's working file) plus this worktree's git-paw section, kept out of git's view. Called for
// every worktree on every launch, recovery included; running it again is harmless.
import { statSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { RepoInfo } from '../git/repo.js';
import { AgentsMdError } from '../util/errors.js';
import type { CommandRunner } from '../util/exec.js';
import { canonicalPath, writeFileAtomic } from '../util/fs.js';
import { AGENTS_MD, excludeUntrackedAgentsMd, hideTrackedAgentsMd, isTrackedInIndex } from './exclude.js';
import { ioReason, readTextFile } from './read.js';
import { injectSection, renderSection, type Assignment } from './section.js';

export type { Assignment } from './section.js';

/** How many symlinks (AGENTS.md -> CLAUDE.md -> …) are followed inside the committed tree. */
const MAX_LINK_DEPTH = 5;


/**
 * The text of `path` as committed on the worktree's HEAD, or undefined when HEAD has no such
 * file. Reading the commit (not the working copy) matters on recovery, where the working copy
 * already holds a previous injection. Symlinks are followed while they stay inside the tree.
 */
async function committedText(runner: CommandRunner, worktree: string, path: string, depth = 0): Promise<string | undefined> {
  const fail = (detail: string) => new AgentsMdError(`failed to read '${join(worktree, path)}': ${detail}`);
  const listed = await runner.run('git', ['ls-tree', '--full-tree', '-z', 'HEAD', '--', path], { cwd: worktree });
  if (listed.code !== 0) throw fail(listed.stderr.trim().split('\n')[0] ?? 'git ls-tree failed');
  // `<mode> <type> <object>\t<path>\0`
  const [mode, type, object] = listed.stdout.split('\t')[0]?.split(' ') ?? [];
  if (type !== 'blob' || !object) return undefined;
  const blob = await runner.run('git', ['cat-file', 'blob', object], { cwd: worktree });
  if (blob.code !== 0) throw fail(blob.stderr.trim().split('\n')[0] ?? 'git cat-file failed');
  if (mode !== '120000') return blob.stdout;
  const target = posix.normalize(posix.join(posix.dirname(path), blob.stdout));
  if (depth >= MAX_LINK_DEPTH || posix.isAbsolute(target) || target === '..' || target.startsWith('../')) return undefined;
  return committedText(runner, worktree, target, depth + 1);
}

/** The base text: the branch's committed AGENTS.md, else the repo root's working file (missing = empty). */
async function baseText(runner: CommandRunner, repo: RepoInfo, worktree: string): Promise<string> {
  const committed = await committedText(runner, worktree, AGENTS_MD);
  if (committed !== undefined) return committed;
  return readTextFile(join(repo.root, AGENTS_MD)) ?? '';
}

/**
 * Writes `<worktreePath>/AGENTS.md` = base text + the assignment's git-paw section, and makes sure
 * the file never shows in the worktree's `git status` / `git add -A`. The repository's own root
 * AGENTS.md is never written.
 */
export async function writeWorktreeAgentsMd(
  runner: CommandRunner,
  repo: RepoInfo,
  worktreePath: string,
  assignment: Assignment,
): Promise<void> {
  const target = join(worktreePath, AGENTS_MD);
  if (canonicalPath(worktreePath) === canonicalPath(repo.root)) {
    throw new AgentsMdError(`refusing to write '${target}': it is the repository's own AGENTS.md, not a session worktree's`);
  }
  if (!statSync(worktreePath, { throwIfNoEntry: false })?.isDirectory()) {
    throw new AgentsMdError(`failed to write '${target}': the worktree directory does not exist`);
  }
  const content = injectSection(await baseText(runner, repo, worktreePath), renderSection(assignment));
  // Hide first, then write: the file is never visible to git, not even for a moment.
  if (await isTrackedInIndex(runner, worktreePath)) await hideTrackedAgentsMd(runner, worktreePath);
  else await excludeUntrackedAgentsMd(runner, repo, worktreePath);
  try {
    writeFileAtomic(target, content);
  } catch (error) {
    throw new AgentsMdError(`failed to write '${target}': ${ioReason(error)}`);
  }
}
