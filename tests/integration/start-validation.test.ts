// `start` refusals: every bad plan is rejected before anything is created, so
// nothing is half-made; conflicting flags are usage errors, and missing tools or CLIs say so clearly.
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { skipWithoutTmux } from '../helpers/tmux.js';
import {
  expectNothingCreated,
  localBranches,
  paw,
  pawOk,
  readState,
  worktreeDir,
  worktreePaths,
} from '../helpers/lifecycle.js';

/** A PATH with the sandbox bin and git, but no tmux. */
function pathWithoutTmux(sandbox: Sandbox): string {
  const dir = join(sandbox.root, 'no-tmux-bin');
  mkdirSync(dir);
  symlinkSync('/usr/bin/git', join(dir, 'git'));
  return `${sandbox.bin}:${dir}`;
}

describe.skipIf(skipWithoutTmux)('start refuses a bad plan before creating anything', () => {
  let sandbox: Sandbox;
  beforeEach(() => {
    sandbox = createSandbox({ broker: false });
    sandbox.fakeCli('claude');
  });
  afterEach(() => sandbox.cleanup());

  it.each([
    [
      'a duplicate branch',
      'feat/a,feat/a',
      /^error: Branch error: branch 'feat\/a' is listed more than once\n/,
    ],
    [
      'two branches with one worktree dir',
      'feat/x,feat-x',
      /^error: Worktree error: branches 'feat\/x' and 'feat-x' would share the worktree directory '\.\.\/proj-feat-x'\n/,
    ],
    [
      'the checked-out branch',
      'feat/ok,main',
      /^error: Worktree error: branch 'main' is already checked out at '.*\/proj'\n/,
    ],
    [
      'an invalid name',
      'feat/ok,bad..name',
      /^error: Branch error: 'bad\.\.name' is not a valid branch name\n/,
    ],
  ])('%s', async (_what, branches, message) => {
    const result = await paw(sandbox, ['start', '--cli', 'claude', '--branches', branches]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expectNothingCreated(sandbox);
  });

  it('an occupied worktree directory', async () => {
    mkdirSync(worktreeDir(sandbox, 'feat-x'));
    const result = await paw(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/x']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `error: Worktree error: '${worktreeDir(sandbox, 'feat-x')}' already exists\n`,
    );
    expect(worktreePaths(sandbox)).toEqual([sandbox.repo]);
    expect(localBranches(sandbox)).toEqual(['main']);
  });

  it('trims --branches items and drops empty ones', async () => {
    const result = await paw(sandbox, ['start', '--dry-run', '--cli', 'claude', '--branches', ' a , ,b ']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('  a → claude (../proj-a)\n  b → claude (../proj-b)\n');
  });

  it('rejects --branches with no names as a usage error', async () => {
    const result = await paw(sandbox, ['start', '--cli', 'claude', '--branches', ' , ']);
    expect(result).toMatchObject({ code: 2, stderr: 'error: --branches needs at least one branch name\n' });
  });

  it('a repository without commits', async () => {
    const empty = join(sandbox.root, 'empty');
    mkdirSync(empty);
    sandbox.git(['init', '-q', '-b', 'main'], empty);
    const result = await paw(sandbox, ['start', '--cli', 'claude', '--branches', 'a'], { cwd: empty });
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe('error: repository has no commits yet');
  });
});

describe.skipIf(skipWithoutTmux)('start flags and CLIs', () => {
  let sandbox: Sandbox;
  beforeEach(() => {
    sandbox = createSandbox({ broker: false });
  });
  afterEach(() => sandbox.cleanup());

  it.each([
    [['--preset', 'p', '--cli', 'claude'], 'error: --preset cannot be combined with --cli or --branches\n'],
    [['--preset', 'p', '--branches', 'a'], 'error: --preset cannot be combined with --cli or --branches\n'],
    [
      ['--from-specs', '--branches', 'a'],
      'error: --from-specs cannot be combined with --branches or --preset\n',
    ],
    [
      ['--from-specs', '--preset', 'p'],
      'error: --from-specs cannot be combined with --branches or --preset\n',
    ],
  ])('rejects %j as a usage error', async (flags, message) => {
    const result = await paw(sandbox, ['start', ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr.startsWith(message)).toBe(true);
  });

  it('reports a missing preset and plans a defined one without prompts', async () => {
    sandbox.fakeCli('claude');
    expect(await paw(sandbox, ['start', '--preset', 'nope'])).toMatchObject({
      code: 1,
      stderr:
        "error: Config error: preset 'nope' not found\nhint: define one as [presets.<name>] with branches and cli in .git-paw/config.toml\n",
    });
    sandbox.writeRepoConfig('[presets.be]\nbranches = ["feat/x", "feat/y"]\ncli = "claude"\n');
    const result = await paw(sandbox, ['start', '--dry-run', '--preset', 'be']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      '  feat/x → claude (../proj-feat-x)\n  feat/y → claude (../proj-feat-y)\n',
    );
  });

  it('fails the same way outside a repository with and without the subcommand', async () => {
    const bare = await paw(sandbox, [], { cwd: sandbox.root });
    const start = await paw(sandbox, ['start'], { cwd: sandbox.root });
    expect(bare).toMatchObject({
      code: 1,
      stderr: 'error: Not a git repository. Run git-paw from inside a git project.\n',
    });
    expect(start).toEqual(bare);
  });

  it('accepts repeated --branches and a custom CLI', async () => {
    sandbox.writeRepoConfig('[clis.echo]\ncommand = "/bin/echo"\n');
    const result = await paw(sandbox, [
      'start',
      '--dry-run',
      '--cli',
      'echo',
      '--branches',
      'feat/a',
      '--branches',
      'feat/b',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('  feat/a → echo (../proj-feat-a)\n  feat/b → echo (../proj-feat-b)\n');
  });

  it('reads the start flags the same in every spelling commander accepts', async () => {
    sandbox.fakeCli('claude');
    // The plain spelling skips commander; the others go through it: the plan must not differ.
    const plain = await paw(sandbox, [
      'start',
      '--dry-run',
      '--no-attach',
      '--cli',
      'claude',
      '--branches',
      'a,b',
      '--branches',
      'c',
    ]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain(
      '  a → claude (../proj-a)\n  b → claude (../proj-b)\n  c → claude (../proj-c)\n',
    );
    for (const spelling of [
      ['start', '--dry-run', '--no-attach', '--cli=claude', '--branches=a,b', '--branches=c'],
      ['start', '--branches', 'a,b', '--no-attach', '--branches', 'c', '--cli', 'claude', '--dry-run'],
    ]) {
      expect(await paw(sandbox, spelling), spelling.join(' ')).toEqual(plain);
    }
    // Flag mistakes are still commander's to report, exit 2.
    for (const args of [
      ['--cli'],
      ['--cli', 'claude', '--cli', 'codex'],
      ['--cli', '--dry-run'],
      ['--branches', '-x'],
      ['--bogus'],
      ['extra'],
    ]) {
      const result = await paw(sandbox, ['start', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(/^error: /);
    }
  });

  it('rejects an unknown --cli with a hint', async () => {
    sandbox.fakeCli('claude');
    const result = await paw(sandbox, ['start', '--cli', 'nosuch', '--branches', 'a']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: CLI 'nosuch' not found\nhint: .*list-clis/);
    expectNothingCreated(sandbox);
  });

  it('needs at least one AI CLI even with --cli', async () => {
    const result = await paw(sandbox, ['start', '--cli', 'claude', '--branches', 'a']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: No AI CLIs found on PATH.');
    expectNothingCreated(sandbox);
  });

  it('says which flags to pass when it cannot prompt (no terminal)', async () => {
    sandbox.fakeCli('claude');
    const result = await paw(sandbox, ['start', '--cli', 'claude']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: Interactive prompt failed: cannot prompt without a terminal\nhint: pass --branches (or --preset)\n',
    );
    expectNothingCreated(sandbox);
  });

  it('needs tmux for a fresh launch, dry-run included', async () => {
    sandbox.fakeCli('claude');
    const result = await paw(sandbox, ['start', '--dry-run', '--cli', 'claude', '--branches', 'a'], {
      env: { PATH: pathWithoutTmux(sandbox) },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'error: tmux is required but not installed. Install with: brew install tmux (macOS) or apt install tmux (Linux)\n',
    );
  });

  it('lets status and stop work without tmux installed', async () => {
    sandbox.fakeCli('claude');
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'a']);
    const env = { PATH: pathWithoutTmux(sandbox) };
    const status = await paw(sandbox, ['status'], { env });
    expect(status.stdout).toContain('Status:  🟡 stopped\nTmux:    not running\n');
    const stop = await paw(sandbox, ['stop'], { env });
    expect(stop).toMatchObject({
      code: 0,
      stdout: 'Session stopped. Worktrees and state preserved.\nRun `git paw start` to recover.\n',
    });
    expect(readState(sandbox).status).toBe('stopped');
  });
});
