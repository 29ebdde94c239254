import { describe, expect, it } from 'vitest';
import { classifyRefs, listBranches } from '../../src/git/branches.js';
import { parseWorktreeList } from '../../src/git/worktrees.js';
import type { CommandRunner, RunResult } from '../../src/util/exec.js';

function fakeRunner(answers: Record<string, Partial<RunResult>>): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async run(program, args) {
      const key = `${program} ${args.join(' ')}`;
      calls.push(key);
      const answer = Object.entries(answers).find(([prefix]) => key.startsWith(prefix))?.[1];
      return { code: 0, stdout: '', stderr: '', ...answer };
    },
  };
}

describe('classifyRefs', () => {
  it('strips the real remote name, even one containing a slash, and drops only <remote>/HEAD', () => {
    const refs = classifyRefs(
      [
        'refs/heads/main',
        'refs/heads/feat/HEADER',
        'refs/remotes/origin/HEAD',
        'refs/remotes/origin/main',
        'refs/remotes/origin/feat/remote-only',
        'refs/remotes/up/stream/fix/x',
        'refs/remotes/up/other',
      ],
      ['origin', 'up', 'up/stream'],
    );
    expect([...refs.local]).toEqual(['main', 'feat/HEADER']);
    expect(Object.fromEntries(refs.remote)).toEqual({
      main: ['origin'],
      'feat/remote-only': ['origin'],
      'fix/x': ['up/stream'],
      other: ['up'],
    });
  });

  it('keeps a branch that is literally called HEAD-something on a remote', () => {
    const refs = classifyRefs(['refs/remotes/origin/HEADS-UP'], ['origin']);
    expect([...refs.remote.keys()]).toEqual(['HEADS-UP']);
  });
});

describe('parseWorktreeList', () => {
  it('reads commits, branches, detached and prunable entries', () => {
    const porcelain = [
      'worktree /r',
      'HEAD 1111',
      'branch refs/heads/main',
      '',
      'worktree /r-a b',
      'HEAD 2222',
      'branch refs/heads/feat/a',
      'prunable gitdir file points to non-existent location',
      '',
      'worktree /r-d',
      'HEAD 3333',
      'detached',
      '',
    ].join('\n');
    expect(parseWorktreeList(porcelain)).toEqual([
      { path: '/r', head: '1111', branch: 'main', prunable: false },
      { path: '/r-a b', head: '2222', branch: 'feat/a', prunable: true },
      { path: '/r-d', head: '3333', prunable: false },
    ]);
  });
});

describe('listBranches', () => {
  it('dedupes local and remote names, sorts by byte order and marks checked-out branches', async () => {
    const runner = fakeRunner({
      'git for-each-ref': {
        stdout: ['refs/heads/main', 'refs/heads/feature/auth', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/feature/auth', 'refs/remotes/origin/Zed', ''].join('\n'),
      },
      'git remote': { stdout: 'origin\n' },
      'git worktree list': { stdout: 'worktree /r\nHEAD a\nbranch refs/heads/main\n\nworktree /gone\nHEAD a\nbranch refs/heads/feature/auth\nprunable x\n' },
    });
    const branches = await listBranches(runner, { root: '/r', project: 'r', commonDir: '/r/.git' });
    expect(branches).toEqual([{ name: 'Zed' }, { name: 'feature/auth' }, { name: 'main', checkedOutAt: '/r' }]);
  });
});
