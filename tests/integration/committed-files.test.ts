// Reading what many commits hold at AGENTS.md and .gitignore with one `git cat-file --batch`:
// the answers must be exactly what each commit has, whatever bytes or links it holds.
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCommitFiles } from '../../src/agents-md/committed.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

let sandbox: Sandbox;

beforeEach(() => {
  sandbox = createSandbox();
});

afterEach(() => sandbox.cleanup());

/** Commits `files` (name → text, or `{ link }` for a symlink) on a new branch made from main. */
function branchWith(branch: string, files: Record<string, string | { link: string }>): void {
  sandbox.git(['checkout', '-q', '-b', branch, 'main']);
  for (const [name, content] of Object.entries(files)) {
    if (typeof content === 'string') writeFileSync(join(sandbox.repo, name), content);
    else symlinkSync(content.link, join(sandbox.repo, name));
    sandbox.git(['add', name]);
  }
  sandbox.git(['commit', '-q', '-m', branch]);
  sandbox.git(['checkout', '-q', 'main']);
}

describe('readCommitFiles', () => {
  it('answers every commit in one process: text, links followed, missing files, and `!` rules', async () => {
    branchWith('plain', { 'AGENTS.md': 'héllo — rules\n', '.gitignore': 'dist/\n' });
    branchWith('linked', { 'CLAUDE.md': 'via link\n', 'AGENTS.md': { link: 'CLAUDE.md' } });
    branchWith('outside', { 'AGENTS.md': { link: '../elsewhere.md' }, '.gitignore': '*.log\n!keep.log\n' });
    const calls: string[][] = [];
    const files = await readCommitFiles(
      {
        run: (program, args, options) => {
          calls.push([program, ...args]);
          return sandbox.runner.run(program, args, options);
        },
      },
      sandbox.repo,
      ['HEAD', 'refs/heads/plain', 'refs/heads/linked', 'refs/heads/outside'],
    );
    expect(calls).toHaveLength(1);
    expect(files.get('HEAD')).toEqual({
      agentsMd: { text: undefined, inTree: false },
      gitignoreMayReinclude: false,
    });
    expect(files.get('refs/heads/plain')).toEqual({
      agentsMd: { text: 'héllo — rules\n', inTree: true },
      gitignoreMayReinclude: false,
    });
    expect(files.get('refs/heads/linked')?.agentsMd).toEqual({ text: 'via link\n', inTree: true });
    expect(files.get('refs/heads/outside')).toEqual({
      agentsMd: { text: undefined, inTree: true },
      gitignoreMayReinclude: true,
    });
  });

  it('keeps its place in the output after a blob that is not valid UTF-8', async () => {
    branchWith('binary', { 'AGENTS.md': 'placeholder', '.gitignore': '!AGENTS.md\n' });
    sandbox.git(['checkout', '-q', 'binary']);
    // Four bytes that decode to more than four bytes' worth of replacement characters.
    writeFileSync(join(sandbox.repo, 'AGENTS.md'), Buffer.from([0xff, 0xfe, 0x0a, 0x80]));
    sandbox.git(['commit', '-q', '-am', 'bytes']);
    sandbox.git(['checkout', '-q', 'main']);
    const files = await readCommitFiles(sandbox.runner, sandbox.repo, ['refs/heads/binary', 'HEAD']);
    expect(files.get('refs/heads/binary')?.agentsMd.inTree).toBe(true);
    expect(files.get('refs/heads/binary')?.gitignoreMayReinclude).toBe(true);
    expect(files.get('HEAD')).toEqual({
      agentsMd: { text: undefined, inTree: false },
      gitignoreMayReinclude: false,
    });
  });

  it('names the failure when git cannot answer', async () => {
    await expect(readCommitFiles(sandbox.runner, sandbox.root, ['HEAD'])).rejects.toThrow(
      /failed to read the branches' AGENTS\.md: fatal: not a git repository/,
    );
  });
});
