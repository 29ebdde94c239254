// Writing a worktree's AGENTS.md: base text (the branch's committed AGENTS.md, else the repo
// root's working file) plus this worktree's git-paw section, kept out of git's view. Called for
// every worktree on every launch, recovery included; running it again is harmless. A fresh
// launch writes each worktree's file right after creating it (agentsMdPipeline), hidden behind
// the creation of the next worktree; recovery writes a whole session at once
// (writeWorktreesAgentsMd), reading each commit's AGENTS.md only once; there the worktrees after
// the first find the exclude entry in place and need a single check-ignore each, while a launch
// reads what all its commits hold in one git process and usually needs no other.
import { statSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { RepoInfo } from '../git/repo.js';
import { listWorktrees } from '../git/worktrees.js';
import { AgentsMdError } from '../util/errors.js';
import type { CommandRunner } from '../util/exec.js';
import { canonicalPath, writeFileAtomic } from '../util/fs.js';
import { ioReason } from '../util/io-reason.js';
import type { CommitFiles, CommittedAgentsMd } from './committed.js';
import { AGENTS_MD, keepAgentsMdOutOfGit, keepFreshAgentsMdOutOfGit } from './exclude.js';
import { readTextFile } from './read.js';
import { injectSection, renderSection, type Assignment } from './section.js';

export type { Assignment } from './section.js';

/** How many symlinks (AGENTS.md -> CLAUDE.md -> …) are followed inside the committed tree. */
const MAX_LINK_DEPTH = 5;

/**
 * The text of `path` as committed in `treeish` (read in `cwd`), or undefined when it has no such
 * file. Reading the commit (not the working copy) matters on recovery, where the working copy
 * already holds a previous injection. Symlinks are followed while they stay inside the tree.
 * `worktree` only names the file in errors.
 */
async function committedText(
  runner: CommandRunner,
  cwd: string,
  treeish: string,
  worktree: string,
  path: string,
  depth = 0,
): Promise<CommittedAgentsMd> {
  const fail = (detail: string) => new AgentsMdError(`failed to read '${join(worktree, path)}': ${detail}`);
  const listed = await runner.run('git', ['ls-tree', '--full-tree', '-z', treeish, '--', path], { cwd });
  if (listed.code !== 0) throw fail(listed.stderr.trim().split('\n')[0] ?? 'git ls-tree failed');
  const inTree = listed.stdout !== '';
  // `<mode> <type> <object>\t<path>\0`
  const [mode, type, object] = listed.stdout.split('\t')[0]?.split(' ') ?? [];
  if (type !== 'blob' || !object) return { text: undefined, inTree };
  const blob = await runner.run('git', ['cat-file', 'blob', object], { cwd });
  if (blob.code !== 0) throw fail(blob.stderr.trim().split('\n')[0] ?? 'git cat-file failed');
  if (mode !== '120000') return { text: blob.stdout, inTree };
  const target = posix.normalize(posix.join(posix.dirname(path), blob.stdout));
  if (depth >= MAX_LINK_DEPTH || posix.isAbsolute(target) || target === '..' || target.startsWith('../'))
    return { text: undefined, inTree };
  return { text: (await committedText(runner, cwd, treeish, worktree, target, depth + 1)).text, inTree };
}

/** How a worktree's committed AGENTS.md is read (once per commit when shared). */
type CommittedReader = () => Promise<CommittedAgentsMd>;

/** Keeps a worktree's AGENTS.md out of git, given what its commit holds. */
type Hider = (committed: CommittedAgentsMd) => Promise<unknown>;

/**
 * Writes `<worktreePath>/AGENTS.md` = base text + the assignment's git-paw section, and makes sure
 * the file never shows in the worktree's `git status` / `git add -A` (`hide`, by default
 * keepAgentsMdOutOfGit). The repository's own root AGENTS.md is never written. The base text is
 * the committed AGENTS.md of `readCommitted`, else the repo root's working file (missing = empty).
 */
async function writeAgentsMd(
  runner: CommandRunner,
  repo: RepoInfo,
  worktreePath: string,
  assignment: Assignment,
  readCommitted: CommittedReader,
  hide: Hider = (committed) => keepAgentsMdOutOfGit(runner, repo, worktreePath, committed.inTree),
): Promise<void> {
  const target = join(worktreePath, AGENTS_MD);
  if (canonicalPath(worktreePath) === canonicalPath(repo.root)) {
    throw new AgentsMdError(
      `refusing to write '${target}': it is the repository's own AGENTS.md, not a session worktree's`,
    );
  }
  if (!statSync(worktreePath, { throwIfNoEntry: false })?.isDirectory()) {
    throw new AgentsMdError(`failed to write '${target}': the worktree directory does not exist`);
  }
  const committed = await readCommitted();
  const content = injectSection(
    committed.text ?? readTextFile(join(repo.root, AGENTS_MD)) ?? '',
    renderSection(assignment),
  );
  // Hide first, then write: the file is never visible to git, not even for a moment.
  await hide(committed);
  try {
    // Generated again on every launch and recovery: no need to wait for the disk.
    writeFileAtomic(target, content, { durable: false });
  } catch (error) {
    throw new AgentsMdError(`failed to write '${target}': ${ioReason(error)}`);
  }
}

/** Writes one worktree's AGENTS.md, its base read from the worktree's HEAD. */
export async function writeWorktreeAgentsMd(
  runner: CommandRunner,
  repo: RepoInfo,
  worktreePath: string,
  assignment: Assignment,
): Promise<void> {
  return writeAgentsMd(runner, repo, worktreePath, assignment, () =>
    committedText(runner, worktreePath, 'HEAD', worktreePath, AGENTS_MD),
  );
}

export interface AgentsMdTarget {
  worktreePath: string;
  assignment: Assignment;
}

/**
 * Writes the AGENTS.md of every target concurrently (as writeWorktreeAgentsMd). The commit each
 * worktree has checked out comes from one `git worktree list`, and each distinct commit's
 * AGENTS.md is read once. The first worktree whose commit has no AGENTS.md is kept out of git
 * before the others: when it adds the exclude entry, they find it in place and need a single
 * check-ignore each. Throws the first failure in target order, after all have settled.
 */
export async function writeWorktreesAgentsMd(
  runner: CommandRunner,
  repo: RepoInfo,
  targets: readonly AgentsMdTarget[],
): Promise<void> {
  const heads = new Map<string, string>();
  for (const entry of await listWorktrees(runner, repo.root)) {
    if (entry.head !== undefined) heads.set(canonicalPath(entry.path), entry.head);
  }
  const byCommit = new Map<string, Promise<CommittedAgentsMd>>();
  const reads = targets.map(({ worktreePath }) => {
    const head = heads.get(canonicalPath(worktreePath));
    if (head === undefined) return committedText(runner, worktreePath, 'HEAD', worktreePath, AGENTS_MD);
    let committed = byCommit.get(head);
    if (committed === undefined) {
      committed = committedText(runner, repo.root, head, worktreePath, AGENTS_MD);
      byCommit.set(head, committed);
    }
    return committed;
  });
  const settledReads = await Promise.allSettled(reads);
  const first = settledReads.findIndex((read) => read.status === 'fulfilled' && !read.value.inTree);
  const write = (index: number, before?: Promise<unknown>) => {
    const { worktreePath, assignment } = targets[index] as AgentsMdTarget;
    const hide: Hider = async (committed) => {
      await before;
      return keepAgentsMdOutOfGit(runner, repo, worktreePath, committed.inTree);
    };
    return writeAgentsMd(
      runner,
      repo,
      worktreePath,
      assignment,
      () => reads[index] as Promise<CommittedAgentsMd>,
      hide,
    );
  };
  const pioneer = first === -1 ? undefined : write(first);
  const gate = pioneer?.catch(() => undefined);
  const writes = targets.map((_, index) => (index === first && pioneer ? pioneer : write(index, gate)));
  const failed = (await Promise.allSettled(writes)).find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}

export interface AgentsMdPipeline {
  /**
   * Starts writing one freshly created worktree's AGENTS.md; the worktree must exist. `checkout`
   * names what it has checked out among the treeishes whose files the pipeline was given.
   */
  add(target: AgentsMdTarget, checkout?: string): void;
  /** Waits for every write; throws the first failure in the order they were added. */
  done(): Promise<void>;
}

/**
 * Writes AGENTS.md files while a launch is still creating worktrees. `commitFiles` holds what the
 * launch's commits have at AGENTS.md and `.gitignore`, read in one git process for all of them
 * (see committed.ts): a worktree checked out from one of them needs no git process of its own
 * unless its AGENTS.md is tracked or a `!` rule may re-include it. Other worktrees read their
 * own HEAD.
 */
export function agentsMdPipeline(
  runner: CommandRunner,
  repo: RepoInfo,
  commitFiles: Promise<Map<string, CommitFiles>>,
): AgentsMdPipeline {
  const writes: Promise<void>[] = [];
  return {
    add({ worktreePath, assignment }, checkout) {
      const files = checkout === undefined ? undefined : commitFiles.then((known) => known.get(checkout));
      const read = async (): Promise<CommittedAgentsMd> =>
        (await files)?.agentsMd ?? committedText(runner, worktreePath, 'HEAD', worktreePath, AGENTS_MD);
      const hide: Hider = async (committed) => {
        const known = await files;
        // A tracked file is hidden in each worktree's own index.
        if (known === undefined || committed.inTree)
          return keepAgentsMdOutOfGit(runner, repo, worktreePath, committed.inTree, known !== undefined);
        return keepFreshAgentsMdOutOfGit(runner, repo, worktreePath, known.gitignoreMayReinclude);
      };
      writes.push(writeAgentsMd(runner, repo, worktreePath, assignment, read, hide));
    },
    async done() {
      const failed = (await Promise.allSettled(writes)).find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
