// The launch path in-process (launchSession / recoverSession with a runner bound to the sandbox):
// mixed CLIs, tiling, checkouts overlapping worktree creation (and plain adds when hooks run),
// half-way failures and a state file that cannot be written.
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OVERLAP_FROM_FILES } from '../../src/git/worktrees.js';
import { resolveRepo } from '../../src/git/repo.js';
import { launchSession } from '../../src/launch/launch.js';
import type { AgentRequest } from '../../src/launch/types.js';
import type { CommandRunner } from '../../src/util/exec.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { listPanes, skipWithoutTmux, waitForPaneText } from '../helpers/tmux.js';
import {
  expectNothingCreated,
  liveSessions,
  paw,
  readState,
  sessionsDirOf,
  statePath,
  worktreeDir,
} from '../helpers/lifecycle.js';

describe.skipIf(skipWithoutTmux)('launchSession', () => {
  let sandbox: Sandbox;
  let runner: CommandRunner;
  beforeEach(() => {
    sandbox = createSandbox();
    runner = sandbox.runner;
  });
  afterEach(() => sandbox.cleanup());

  /** Agents on `branches`, each running the fake `claude`. */
  function claudeOn(...branches: string[]): AgentRequest[] {
    const command = sandbox.fakeCli('claude');
    return branches.map((branch) => ({ branch, cli: { name: 'claude', command } }));
  }

  /** launchSession in the sandbox repo, its processes run through `via` (default: the sandbox runner). */
  async function launch(agents: AgentRequest[], { via = runner, logging = false } = {}) {
    const repo = await resolveRepo(runner, sandbox.repo);
    return launchSession({ runner: via, repo, env: sandbox.env, agents, settings: { mouse: true, logging } });
  }

  /** Runs everything through `via`, except that the git command `fails` picks exits 128 with `stderr`. */
  function failingGit(
    fails: (args: readonly string[], cwd?: string) => boolean,
    stderr: string,
    via: CommandRunner = runner,
  ): CommandRunner {
    return {
      run: async (program, args, options) =>
        program === 'git' && fails(args, options?.cwd)
          ? { code: 128, stdout: '', stderr }
          : via.run(program, args, options),
    };
  }

  it('runs five branches with different CLIs, tiled, labelled in order', async () => {
    const clis = ['claude', 'codex', 'gemini', 'aider', 'qwen'];
    const agents = clis.map((name, i) => ({
      branch: `feat/${i}`,
      cli: { name, command: sandbox.fakeCli(name) },
    }));
    const state = await launch(agents);
    expect(state.worktrees.map((w) => w.cli)).toEqual(clis);
    const panes = listPanes(sandbox, 'paw-proj');
    expect(panes.map((p) => p.label)).toEqual(clis.map((cli, i) => `feat/${i} → ${cli}`));
    const geometry = sandbox
      .tmux(['list-panes', '-t', '=paw-proj:', '-F', '#{pane_left} #{pane_top}'])
      .split('\n');
    expect(new Set(geometry.map((g) => g.split(' ')[0])).size).toBeGreaterThan(1);
    expect(new Set(geometry.map((g) => g.split(' ')[1])).size).toBeGreaterThan(1);
    await waitForPaneText(sandbox, panes[4]?.id ?? '', `FAKE-CLI qwen cwd=${worktreeDir(sandbox, 'feat-4')}`);
  });

  it('removes everything when a worktree creation fails half-way (a failing hook)', async () => {
    // The hook fails for the second worktree only, after git created it and its branch.
    const hook = join(sandbox.repo, '.git', 'hooks', 'post-checkout');
    writeFileSync(hook, '#!/bin/sh\ncase "$PWD" in *-feat-b) exit 1;; esac\n');
    chmodSync(hook, 0o755);
    await expect(launch(claudeOn('feat/a', 'feat/b', 'feat/c'))).rejects.toThrow(
      "Worktree error: git worktree add -b failed for branch 'feat/b'",
    );
    expectNothingCreated(sandbox);
  });

  /** The sandbox runner, recording when each git command started and finished. */
  function timedRunner(): CommandRunner & {
    calls: { args: readonly string[]; cwd?: string; started: number; ended: number }[];
  } {
    const calls: { args: readonly string[]; cwd?: string; started: number; ended: number }[] = [];
    let clock = 0;
    return {
      calls,
      async run(program, args, options) {
        const call = { args, cwd: options?.cwd, started: (clock += 1), ended: Infinity };
        if (program === 'git') calls.push(call);
        const result = await runner.run(program, args, options);
        call.ended = clock += 1;
        return result;
      },
    };
  }

  it('creates each worktree with one plain git worktree add, one after another in plan order, ending with clean checkouts', async () => {
    const timed = timedRunner();
    const branches = ['feat/a', 'feat/b', 'feat/c', 'feat/d'];
    await launch(claudeOn(...branches), { via: timed });
    const adds = timed.calls.filter((call) => call.args[0] === 'worktree' && call.args[1] === 'add');
    expect(adds.map((call) => call.args)).toEqual(
      branches.map((branch) => ['worktree', 'add', '-b', branch, worktreeDir(sandbox, branch.replace('/', '-'))]),
    );
    // Two adds never overlap: each reads every worktree's admin files.
    for (const [index, add] of adds.slice(1).entries()) expect(add.started).toBeGreaterThanOrEqual(adds[index]?.ended ?? 0);
    expect(timed.calls.filter((call) => call.args[0] === 'reset' || call.args[0] === 'update-ref')).toEqual([]);
    for (const branch of branches) {
      const dir = worktreeDir(sandbox, branch.replace('/', '-'));
      expect(readdirSync(dir).sort()).toEqual(['.git', 'AGENTS.md', 'README.md']);
      expect(sandbox.git(['status', '--porcelain'], dir)).toBe('');
      expect(sandbox.git(['symbolic-ref', '--short', 'HEAD'], dir)).toBe(branch);
    }
  });

  /** Commits enough files that a launch checks worktrees out beside the next add. */
  function makeCheckoutsBig(): void {
    const dir = join(sandbox.repo, 'many');
    mkdirSync(dir);
    for (let i = 0; i < OVERLAP_FROM_FILES; i += 1) writeFileSync(join(dir, `f${i}.txt`), `${i}\n`);
    sandbox.git(['add', 'many']);
    sandbox.git(['commit', '-q', '-m', 'many files']);
  }

  it('with big checkouts, checks each worktree out while git adds the next one, ending with clean checkouts', async () => {
    makeCheckoutsBig();
    const timed = timedRunner();
    const branches = ['feat/a', 'feat/b', 'feat/c', 'feat/d'];
    await launch(claudeOn(...branches), { via: timed });
    const adds = timed.calls.filter((call) => call.args[0] === 'worktree' && call.args[1] === 'add');
    expect(adds.map((call) => call.args)).toEqual(
      branches.map((branch) => ['worktree', 'add', '--no-checkout', '-b', branch, worktreeDir(sandbox, branch.replace('/', '-'))]),
    );
    const checkouts = timed.calls.filter((call) => call.args[0] === 'reset');
    expect(checkouts).toHaveLength(4);
    // The first checkout runs while git adds the second worktree, and never more than two at once.
    expect(checkouts[0]?.started).toBeLessThan(adds[1]?.ended ?? 0);
    for (const checkout of checkouts) {
      const running = checkouts.filter((other) => other.started <= checkout.started && other.ended > checkout.started);
      expect(running.length).toBeLessThanOrEqual(2);
    }
    for (const branch of branches) {
      const dir = worktreeDir(sandbox, branch.replace('/', '-'));
      expect(readdirSync(dir).sort()).toEqual(['.git', 'AGENTS.md', 'README.md', 'many']);
      expect(readdirSync(join(dir, 'many'))).toHaveLength(OVERLAP_FROM_FILES);
      expect(sandbox.git(['status', '--porcelain'], dir)).toBe('');
      expect(sandbox.git(['symbolic-ref', '--short', 'HEAD'], dir)).toBe(branch);
      expect(sandbox.git(['reflog', 'show', '--format=%gs', branch])).toBe('branch: Created from HEAD');
    }
  });

  it('with big checkouts and a post-checkout hook, still adds each worktree in one plain step', async () => {
    makeCheckoutsBig();
    const hook = join(sandbox.repo, '.git', 'hooks', 'post-checkout');
    writeFileSync(hook, '#!/bin/sh\nexit 0\n');
    chmodSync(hook, 0o755);
    const timed = timedRunner();
    await launch(claudeOn('a', 'b'), { via: timed });
    expect(timed.calls.filter((call) => call.args.includes('--no-checkout') || call.args[0] === 'reset')).toEqual([]);
  });

  it('with big checkouts, removes everything when a checkout fails', async () => {
    makeCheckoutsBig();
    const failing = failingGit(
      (args, cwd) => args[0] === 'reset' && cwd?.endsWith('-feat-b') === true,
      'fatal: disk trouble',
    );
    await expect(launch(claudeOn('feat/a', 'feat/b', 'feat/c'), { via: failing })).rejects.toThrow(
      `Worktree error: checking out branch 'feat/b' in '${worktreeDir(sandbox, 'feat-b')}' failed: fatal: disk trouble`,
    );
    expectNothingCreated(sandbox);
  });

  it('reads what every branch holds at AGENTS.md and .gitignore in one git process, writing each its own section', async () => {
    sandbox.git(['branch', 'old']);
    writeFileSync(join(sandbox.repo, '.gitignore'), 'node_modules/\n');
    sandbox.git(['add', '.gitignore']);
    sandbox.git(['commit', '-q', '-m', 'ignore rules']);
    const timed = timedRunner();
    const branches = ['w', 'x', 'old', 'y', 'z'];
    await launch(claudeOn(...branches), { via: timed });
    const count = (command: string) => timed.calls.filter((call) => call.args[0] === command).length;
    expect({
      catFile: count('cat-file'),
      lsTree: count('ls-tree'),
      checkIgnore: count('check-ignore'),
      lsFiles: count('ls-files'),
    }).toEqual({ catFile: 1, lsTree: 0, checkIgnore: 0, lsFiles: 0 });
    for (const branch of branches) {
      const dir = worktreeDir(sandbox, branch);
      expect(readFileSync(join(dir, 'AGENTS.md'), 'utf8')).toContain(`- **Branch:** \`${branch}\``);
      expect(sandbox.git(['status', '--porcelain', '--untracked-files=all'], dir)).toBe('');
    }
  });

  it('hides a committed AGENTS.md with skip-worktree in each fresh worktree, keeping its text as the base', async () => {
    sandbox.fakeCli('claude');
    writeFileSync(join(sandbox.repo, 'AGENTS.md'), '# House rules\n');
    sandbox.git(['add', 'AGENTS.md']);
    sandbox.git(['commit', '-q', '-m', 'rules']);
    const result = await paw(sandbox, ['start', '--no-attach', '--cli', 'claude', '--branches', 'a,b']);
    expect(result.code).toBe(0);
    for (const slug of ['a', 'b']) {
      const dir = worktreeDir(sandbox, slug);
      expect(readFileSync(join(dir, 'AGENTS.md'), 'utf8')).toMatch(
        /^# House rules\n[\s\S]*- \*\*Branch:\*\* `/,
      );
      expect(sandbox.git(['ls-files', '-v', 'AGENTS.md'], dir)).toBe('S AGENTS.md');
      expect(sandbox.git(['status', '--porcelain'], dir)).toBe('');
    }
  });

  it('warns for every worktree when its committed .gitignore re-includes AGENTS.md', async () => {
    sandbox.fakeCli('claude');
    writeFileSync(join(sandbox.repo, '.gitignore'), '!AGENTS.md\n');
    sandbox.git(['add', '.gitignore']);
    sandbox.git(['commit', '-q', '-m', 'keep AGENTS.md visible']);
    const result = await paw(sandbox, ['start', '--no-attach', '--cli', 'claude', '--branches', 'a,b,c']);
    expect(result.code).toBe(0);
    for (const slug of ['a', 'b', 'c']) {
      expect(result.stderr).toContain(
        `warning: ${join(worktreeDir(sandbox, slug), 'AGENTS.md')} is not ignored by git (a .gitignore rule re-includes it); do not commit it\n`,
      );
      expect(sandbox.git(['status', '--porcelain'], worktreeDir(sandbox, slug))).toBe('?? AGENTS.md');
    }
  });

  it('gives each new branch the start and reflog entry `git branch` would, and records which ones it made', async () => {
    sandbox.git(['branch', 'old']);
    await launch(claudeOn('feat/a', 'old', 'feat/b'));
    for (const branch of ['feat/a', 'feat/b']) {
      expect(sandbox.git(['reflog', 'show', '--format=%gs', branch])).toBe('branch: Created from HEAD');
      expect(sandbox.git(['rev-parse', branch])).toBe(sandbox.git(['rev-parse', 'main']));
    }
    expect(readState(sandbox).worktrees.map((entry) => entry.branch_created)).toEqual([true, false, true]);
  });

  it('with branch.autoSetupMerge=always, lets git branch give each new branch its tracking config', async () => {
    sandbox.git(['config', 'branch.autoSetupMerge', 'always']);
    await launch(claudeOn('feat/a', 'feat/b'));
    for (const branch of ['feat/a', 'feat/b'])
      expect(sandbox.git(['config', `branch.${branch}.merge`])).toBe('refs/heads/main');
  });

  it('removes everything when one new branch cannot be created', async () => {
    // A stale ref lock: git refuses to create feat/c.
    mkdirSync(join(sandbox.repo, '.git', 'refs', 'heads', 'feat'), { recursive: true });
    writeFileSync(join(sandbox.repo, '.git', 'refs', 'heads', 'feat', 'c.lock'), '');
    await expect(launch(claudeOn('feat/a', 'feat/b', 'feat/c', 'feat/d'))).rejects.toThrow(
      /^Worktree error: git worktree add -b failed for branch 'feat\/c': fatal: .*feat\/c\.lock/,
    );
    expectNothingCreated(sandbox);
  });

  it('removes everything when a worktree cannot be added half-way, starting no further one', async () => {
    const timed = timedRunner();
    const failing = failingGit(
      (args) => args[1] === 'add' && args.includes(worktreeDir(sandbox, 'feat-c')),
      'fatal: out of inodes',
      timed,
    );
    await expect(launch(claudeOn('feat/a', 'feat/b', 'feat/c', 'feat/d'), { via: failing })).rejects.toThrow(
      "Worktree error: git worktree add -b failed for branch 'feat/c': fatal: out of inodes",
    );
    expect(timed.calls.some((call) => call.args.includes(worktreeDir(sandbox, 'feat-d')))).toBe(false);
    expectNothingCreated(sandbox);
  });

  it('Ctrl-C during a worktree add stops before the next one and removes everything', async () => {
    // The launch's own SIGINT handler, called directly (a real signal would reach the test runner too).
    const before = new Set(process.listeners('SIGINT'));
    const timed = timedRunner();
    const interrupting: CommandRunner = {
      run: async (program, args, options) => {
        if (program === 'git' && args[1] === 'add' && args.includes(worktreeDir(sandbox, 'feat-c'))) {
          for (const listener of process.listeners('SIGINT'))
            if (!before.has(listener)) (listener as () => void)();
        }
        return timed.run(program, args, options);
      },
    };
    await expect(
      launch(claudeOn('feat/a', 'feat/b', 'feat/c', 'feat/d', 'feat/e'), { via: interrupting }),
    ).rejects.toThrow('Cancelled.');
    expect(timed.calls.some((call) => call.args.includes(worktreeDir(sandbox, 'feat-d')))).toBe(false);
    expectNothingCreated(sandbox);
    expect([...process.listeners('SIGINT')].filter((listener) => !before.has(listener))).toEqual([]);
  });

  it('with a post-checkout hook, runs the hook once in each new worktree', async () => {
    const ran = join(sandbox.root, 'hook-ran.log');
    const hook = join(sandbox.repo, '.git', 'hooks', 'post-checkout');
    writeFileSync(
      hook,
      `#!/bin/sh
pwd >> '${ran}'
`,
    );
    chmodSync(hook, 0o755);
    const timed = timedRunner();
    await launch(claudeOn('a', 'b', 'c'), { via: timed });
    expect(readFileSync(ran, 'utf8').split('\n').filter(Boolean)).toEqual(
      ['a', 'b', 'c'].map((slug) => worktreeDir(sandbox, slug)),
    );
  });

  it('removes everything, log dir included, when tmux fails after the session exists', async () => {
    // A broken tmux: the runner fails the second tmux invocation, after the session exists.
    let tmuxCalls = 0;
    const failing: CommandRunner = {
      run: async (program, args, options) => {
        if (program === 'tmux' && args[0] === 'set-option' && ++tmuxCalls === 1)
          return { code: 1, stdout: '', stderr: 'boom' };
        return runner.run(program, args, options);
      },
    };
    await expect(launch(claudeOn('a', 'b'), { via: failing, logging: true })).rejects.toThrow(
      'Tmux error: boom',
    );
    expectNothingCreated(sandbox);
    expect(readdirSync(sandbox.repo)).not.toContain('.git-paw');
  });

  it('rolls back when the state cannot be saved, leaving no partial state', async () => {
    // A directory where the state file belongs: the atomic rename fails (also as root).
    mkdirSync(join(statePath(sandbox), 'blocker'), { recursive: true });
    await expect(launch(claudeOn('a'))).rejects.toThrow(
      /Session error: cannot save session state '.*paw-proj\.json'/,
    );
    expect(readdirSync(sessionsDirOf(sandbox))).toEqual(['paw-proj.json']);
    expect(liveSessions(sandbox)).toEqual([]);
    expect(sandbox.git(['worktree', 'list', '--porcelain']).match(/^worktree /gm)).toHaveLength(1);
  });

  it('through the CLI, a failed save is a clear error and leaves nothing behind', async () => {
    sandbox.fakeCli('claude');
    mkdirSync(join(statePath(sandbox), 'blocker'), { recursive: true });
    const result = await paw(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error: Session error: cannot save session state '.*paw-proj\.json': .*\nhint: make sure .* is writable\n$/m,
    );
    expect(liveSessions(sandbox)).toEqual([]);
    expect(sandbox.git(['branch', '--list', 'feat/a'])).toBe('');
  });
});
