import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatDryRun, type LaunchPlan } from '../../src/launch/plan.js';
import type { AgentRequest, LaunchContext } from '../../src/launch/types.js';
import { checkPlanShape, normalizeBranchList, validatePlan } from '../../src/launch/validate.js';
import type { CommandRunner, RunResult } from '../../src/util/exec.js';

const claude = { name: 'claude', command: '/bin/claude' };
const agents = (...branches: string[]): AgentRequest[] => branches.map((branch) => ({ branch, cli: claude }));

interface FakeGit {
  commits?: boolean;
  refs?: string[];
  remotes?: string[];
  worktrees?: string;
}

function fakeGit(options: FakeGit = {}): CommandRunner & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    async run(program, args): Promise<RunResult> {
      calls.push([program, ...args]);
      const ok = (stdout = '') => ({ code: 0, stdout, stderr: '' });
      // No tmux server runs: no live sessions.
      if (program === 'tmux') return { code: 1, stdout: '', stderr: 'no server running' };
      switch (args[0]) {
        case 'rev-parse':
          return options.commits === false ? { code: 1, stdout: '', stderr: '' } : ok('abc\n');
        case 'for-each-ref':
          return ok((options.refs ?? ['refs/heads/main']).join('\n'));
        case 'remote':
          return ok((options.remotes ?? []).join('\n'));
        case 'worktree':
          return ok(options.worktrees ?? `worktree ${root}/proj\nHEAD ${options.commits === false ? '0'.repeat(40) : 'a'.repeat(40)}\nbranch refs/heads/main\n`);
        case 'config':
          // None of the settings asked for is set.
          return { code: 1, stdout: '', stderr: '' };
        default:
          throw new Error(`unexpected git ${args.join(' ')}`);
      }
    },
  };
}

let root: string;
let ctx: (runner: CommandRunner) => LaunchContext;

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'paw-validate-')));
  mkdirSync(join(root, 'proj'));
  ctx = (runner) => ({ runner, repo: { root: join(root, 'proj'), project: 'proj', commonDir: join(root, 'proj', '.git') } });
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('normalizeBranchList', () => {
  it('trims and drops empties, keeping duplicates for validation to name', () => {
    expect(normalizeBranchList([' a', 'b ', '', '  ', 'a'])).toEqual(['a', 'b', 'a']);
  });
});

describe('checkPlanShape', () => {
  it('rejects an empty plan, duplicates and worktree-directory collisions', () => {
    expect(() => checkPlanShape('/w/proj', 'proj', [])).toThrow('Branch error: no branches to launch');
    expect(() => checkPlanShape('/w/proj', 'proj', agents('a', 'b', 'a'))).toThrow("Branch error: branch 'a' is listed more than once");
    expect(() => checkPlanShape('/w/proj', 'proj', agents('feat/x', 'feat-x'))).toThrow(
      "Worktree error: branches 'feat/x' and 'feat-x' would share the worktree directory '../proj-feat-x'",
    );
    expect(checkPlanShape('/w/proj', 'proj', agents('feat/a', 'b'))).toEqual(['/w/proj-feat-a', '/w/proj-b']);
  });
});

describe('validatePlan', () => {
  it('classifies local, remote-only and new branches and computes worktree paths', async () => {
    const runner = fakeGit({ refs: ['refs/heads/main', 'refs/heads/feat/a', 'refs/remotes/origin/feat/r'], remotes: ['origin'] });
    const planned = await validatePlan(ctx(runner), agents('feat/a', 'feat/r', 'feat/new'));
    expect(planned.map((a) => [a.branch, a.source, a.worktreePath])).toEqual([
      ['feat/a', 'local', join(root, 'proj-feat-a')],
      ['feat/r', 'remote', join(root, 'proj-feat-r')],
      ['feat/new', 'new', join(root, 'proj-feat-new')],
    ]);
  });

  it('rejects a repo without commits before anything else', async () => {
    await expect(validatePlan(ctx(fakeGit({ commits: false })), agents('a'))).rejects.toThrow(/^repository has no commits yet$/);
  });

  it('rejects invalid names, including HEAD', async () => {
    await expect(validatePlan(ctx(fakeGit()), agents('ok', 'bad..name'))).rejects.toThrow(
      "Branch error: 'bad..name' is not a valid branch name",
    );
    await expect(validatePlan(ctx(fakeGit()), agents('HEAD'))).rejects.toThrow("'HEAD' is not a valid branch name");
    await expect(validatePlan(ctx(fakeGit()), agents('-x'))).rejects.toThrow("'-x' is not a valid branch name");
  });

  it('runs the same queries whatever the number of branches, asking for remote names only when a remote ref may be a wanted branch', async () => {
    const many = agents(...Array.from({ length: 16 }, (_, i) => `feat/${i}`));
    const calls = (runner: ReturnType<typeof fakeGit>) => runner.calls.map((args) => args.slice(0, 2).join(' ')).sort();
    const local = fakeGit();
    await validatePlan(ctx(local), many);
    expect(calls(local)).toEqual(['git for-each-ref', 'git worktree', 'tmux list-sessions']);
    const unrelatedRemote = fakeGit({ refs: ['refs/heads/main', 'refs/remotes/origin/main'], remotes: ['origin'] });
    await validatePlan(ctx(unrelatedRemote), many);
    expect(calls(unrelatedRemote)).toEqual(['git for-each-ref', 'git worktree', 'tmux list-sessions']);
    const wantedOnRemote = fakeGit({ refs: ['refs/heads/main', 'refs/remotes/origin/feat/3'], remotes: ['origin'] });
    await expect(validatePlan(ctx(wantedOnRemote), many)).resolves.toHaveLength(16);
    expect(calls(wantedOnRemote)).toEqual(['git for-each-ref', 'git remote', 'git worktree', 'tmux list-sessions']);
  });

  it('rejects a branch checked out in a live worktree but not in a stale one', async () => {
    const worktrees = `worktree ${root}/proj\nHEAD a\nbranch refs/heads/main\n\nworktree /gone\nHEAD a\nbranch refs/heads/old\nprunable x\n`;
    await expect(validatePlan(ctx(fakeGit({ worktrees })), agents('main'))).rejects.toThrow(
      `Worktree error: branch 'main' is already checked out at '${root}/proj'`,
    );
    await expect(validatePlan(ctx(fakeGit({ worktrees, refs: ['refs/heads/old'] })), agents('old'))).resolves.toHaveLength(1);
  });

  it('rejects an occupied target directory', async () => {
    mkdirSync(join(root, 'proj-feat-x'));
    await expect(validatePlan(ctx(fakeGit()), agents('feat/x'))).rejects.toThrow(`Worktree error: '${root}/proj-feat-x' already exists`);
  });

  it('rejects a remote-tracking name instead of making a local branch of that name', async () => {
    const runner = fakeGit({ refs: ['refs/remotes/origin/feat/x'], remotes: ['origin'] });
    await expect(validatePlan(ctx(runner), agents('origin/feat/x'))).rejects.toThrow(
      "Branch error: 'origin/feat/x' is a remote-tracking branch, not a local one",
    );
  });

  it('rejects a remote-only branch that several remotes have', async () => {
    const runner = fakeGit({ refs: ['refs/remotes/a/x', 'refs/remotes/b/x'], remotes: ['a', 'b'] });
    await expect(validatePlan(ctx(runner), agents('x'))).rejects.toThrow("Branch error: branch 'x' exists on several remotes (a, b)");
  });
});

describe('formatDryRun', () => {
  const plan: LaunchPlan = {
    sessionName: 'paw-proj',
    settings: { mouse: true, logging: false },
    agents: [
      { branch: 'feat/a', cli: claude, worktreePath: '/w/proj-feat-a', source: 'local' },
      { branch: 'fix/issue#42', cli: { name: 'echo', command: '/bin/echo' }, worktreePath: '/w/proj-fix-issue42', source: 'new' },
    ],
    staleWorktrees: false,
    overlapCheckouts: false,
  };

  it('prints the exact layout', () => {
    expect(formatDryRun(plan)).toBe(
      'Dry run — session plan:\n\n  Session:  paw-proj\n  Mouse:    on\n\n  feat/a → claude (../proj-feat-a)\n  fix/issue#42 → echo (../proj-fix-issue42)\n',
    );
  });

  it('has the from-specs header and shows mouse off', () => {
    const text = formatDryRun({ ...plan, settings: { mouse: false, logging: true } }, 'from-specs');
    expect(text.split('\n').slice(0, 4)).toEqual(['Dry run — session plan (from specs):', '', '  Session:  paw-proj', '  Mouse:    off']);
  });
});
