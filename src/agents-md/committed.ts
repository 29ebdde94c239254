// What commits hold at `AGENTS.md` and `.gitignore`, for any number of commits in one
// `git cat-file --batch --follow-symlinks`. A launch asks this once for all its branches instead
// of reading each worktree's files with separate git processes.
import { AgentsMdError } from '../util/errors.js';
import type { CommandRunner } from '../util/exec.js';
import { AGENTS_MD } from './exclude.js';

/** What a commit holds at `AGENTS.md`. */
export interface CommittedAgentsMd {
  /** The text (symlinks followed), or undefined when there is no readable file. */
  text: string | undefined;
  /** The tree has an entry there (of any kind): the worktree most likely tracks the file. */
  inTree: boolean;
}

export interface CommitFiles {
  agentsMd: CommittedAgentsMd;
  /**
   * The commit's root `.gitignore` has a negation (`!…`) line. Only such a line can re-include
   * an `AGENTS.md` that the exclude file ignores (a root file sees no other `.gitignore`).
   */
  gitignoreMayReinclude: boolean;
}

/** One object of the batch: its content, or only that the tree has an entry there (or not). */
type BatchAnswer =
  { kind: 'object'; type: string; content: Buffer } | { kind: 'entry' } | { kind: 'missing' };

/**
 * Parses `cat-file --batch --follow-symlinks` output: `<oid> <type> <size>\n<content>\n`,
 * `<input> missing\n`, or `<dangling|loop|notdir|symlink> <size>\n<text>\n` for a symlink that
 * does not lead to an object inside the tree. Sizes count bytes, hence the Buffer.
 */
export function parseBatch(output: Buffer, count: number): BatchAnswer[] {
  const answers: BatchAnswer[] = [];
  let at = 0;
  while (answers.length < count) {
    const end = output.indexOf(0x0a, at);
    if (end === -1) throw new Error('git cat-file ended early');
    const header = output.subarray(at, end).toString('utf8');
    at = end + 1;
    const words = header.split(' ');
    const last = words.at(-1) ?? '';
    if (last === 'missing' || last === 'ambiguous') {
      answers.push({ kind: 'missing' });
      continue;
    }
    const size = Number(last);
    if (!Number.isSafeInteger(size) || size < 0) throw new Error(`unexpected git cat-file line '${header}'`);
    const content = output.subarray(at, at + size);
    at += size + 1;
    answers.push(
      words.length === 3 ? { kind: 'object', type: words[1] as string, content } : { kind: 'entry' },
    );
  }
  return answers;
}

function agentsMdOf(answer: BatchAnswer): CommittedAgentsMd {
  if (answer.kind === 'missing') return { text: undefined, inTree: false };
  if (answer.kind === 'entry' || answer.type !== 'blob') return { text: undefined, inTree: true };
  return { text: answer.content.toString('utf8'), inTree: true };
}

function mayReinclude(answer: BatchAnswer): boolean {
  if (answer.kind !== 'object') return false;
  return answer.content
    .toString('utf8')
    .split('\n')
    .some((line) => line.startsWith('!'));
}

/** Reads `<treeish>:AGENTS.md` and `<treeish>:.gitignore` of every treeish (run in `repoRoot`). */
export async function readCommitFiles(
  runner: CommandRunner,
  repoRoot: string,
  treeishes: readonly string[],
): Promise<Map<string, CommitFiles>> {
  const files = new Map<string, CommitFiles>();
  if (treeishes.length === 0) return files;
  const input = treeishes.map((treeish) => `${treeish}:${AGENTS_MD}\n${treeish}:.gitignore\n`).join('');
  const result = await runner.run('git', ['cat-file', '--batch', '--follow-symlinks'], {
    cwd: repoRoot,
    input,
  });
  const fail = (detail: string) => new AgentsMdError(`failed to read the branches' ${AGENTS_MD}: ${detail}`);
  if (result.code !== 0) throw fail(result.stderr.trim().split('\n')[0] ?? 'git cat-file failed');
  let answers: BatchAnswer[];
  try {
    answers = parseBatch(result.stdoutBytes ?? Buffer.from(result.stdout), treeishes.length * 2);
  } catch (error) {
    throw fail(error instanceof Error ? error.message : String(error));
  }
  treeishes.forEach((treeish, index) => {
    files.set(treeish, {
      agentsMd: agentsMdOf(answers[index * 2] as BatchAnswer),
      gitignoreMayReinclude: mayReinclude(answers[index * 2 + 1] as BatchAnswer),
    });
  });
  return files;
}
