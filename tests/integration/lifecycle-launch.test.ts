// The launch path in-process (launchSession / recoverSession with a runner bound to the sandbox):
// mixed CLIs, tiling, half-way failures and a state file that cannot be written.
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveRepo } from '../../src/git/repo.js';
import { launchSession } from '../../src/launch/launch.js';
import type { AgentRequest } from '../../src/launch/types.js';
import { systemRunner, type CommandRunner } from '../../src/util/exec.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { listPanes, skipWithoutTmux, waitForPaneText } from '../helpers/tmux.js';
import { expectNothingCreated, liveSessions, paw, sessionsDirOf, statePath, worktreeDir } from './lifecycle-helpers.js';

/** The system runner with the sandbox's environment (private tmux server, isolated HOME). */
function sandboxRunner(sandbox: Sandbox): CommandRunner {
  return { run: (program, args, options = {}) => systemRunner.run(program, args, { ...options, env: { ...sandbox.env, TMUX: undefined, ...options.env } }) };
}

describe.skipIf(skipWithoutTmux)('launchSession', () => {
  let sandbox: Sandbox;
  let runner: CommandRunner;
  beforeEach(() => {
    sandbox = createSandbox();
    runner = sandboxRunner(sandbox);
  });
  afterEach(() => sandbox.cleanup());

  async function launch(agents: AgentRequest[]) {
    const repo = await resolveRepo(runner, sandbox.repo);
    return launchSession({ runner, repo, env: sandbox.env, agents, settings: { mouse: true, logging: false } });
  }

  it('runs five branches with different CLIs, tiled, labelled in order (§7.5-6)', async () => {
    const clis = ['claude', 'codex', 'gemini', 'aider', 'qwen'];
    const agents = clis.map((name, i) => ({ branch: `feat/${i}`, cli: { name, command: sandbox.fakeCli(name) } }));
    const state = await launch(agents);
    expect(state.worktrees.map((w) => w.cli)).toEqual(clis);
    const panes = listPanes(sandbox, 'paw-proj');
    expect(panes.map((p) => p.label)).toEqual(clis.map((cli, i) => `feat/${i} → ${cli}`));
    const geometry = sandbox.tmux(['list-panes', '-t', '=paw-proj:', '-F', '#{pane_left} #{pane_top}']).split('\n');
    expect(new Set(geometry.map((g) => g.split(' ')[0])).size).toBeGreaterThan(1);
    expect(new Set(geometry.map((g) => g.split(' ')[1])).size).toBeGreaterThan(1);
    await waitForPaneText(sandbox, panes[4]?.id ?? '', `FAKE-CLI qwen cwd=${worktreeDir(sandbox, 'feat-4')}`);
  });

  it('removes everything when a worktree creation fails half-way (a failing hook, W-8)', async () => {
    sandbox.fakeCli('claude');
    // The hook fails for the second worktree only, after git created it and its branch.
    const hook = join(sandbox.repo, '.git', 'hooks', 'post-checkout');
    writeFileSync(hook, '#!/bin/sh\ncase "$PWD" in *-feat-b) exit 1;; esac\n');
    chmodSync(hook, 0o755);
    const claude = { name: 'claude', command: join(sandbox.bin, 'claude') };
    await expect(launch([{ branch: 'feat/a', cli: claude }, { branch: 'feat/b', cli: claude }, { branch: 'feat/c', cli: claude }])).rejects.toThrow(
      "Worktree error: git worktree add -b failed for branch 'feat/b'",
    );
    expectNothingCreated(sandbox);
  });

  it('removes everything, log dir included, when tmux fails after the session exists', async () => {
    sandbox.fakeCli('claude');
    const claude = { name: 'claude', command: join(sandbox.bin, 'claude') };
    // A broken tmux: the runner fails the second tmux invocation, after the session exists.
    let tmuxCalls = 0;
    const failing: CommandRunner = {
      run: async (program, args, options) => {
        if (program === 'tmux' && args[0] === 'set-option' && ++tmuxCalls === 1) return { code: 1, stdout: '', stderr: 'boom' };
        return runner.run(program, args, options);
      },
    };
    const repo = await resolveRepo(runner, sandbox.repo);
    await expect(
      launchSession({ runner: failing, repo, env: sandbox.env, agents: [{ branch: 'a', cli: claude }, { branch: 'b', cli: claude }], settings: { mouse: true, logging: true } }),
    ).rejects.toThrow('Tmux error: boom');
    expectNothingCreated(sandbox);
    expect(readdirSync(sandbox.repo)).not.toContain('.git-paw');
  });

  it('rolls back when the state cannot be saved, leaving no partial state', async () => {
    sandbox.fakeCli('claude');
    // A directory where the state file belongs: the atomic rename fails (also as root).
    mkdirSync(join(statePath(sandbox), 'blocker'), { recursive: true });
    const claude = { name: 'claude', command: join(sandbox.bin, 'claude') };
    await expect(launch([{ branch: 'a', cli: claude }])).rejects.toThrow(/Session error: cannot save session state '.*paw-proj\.json'/);
    expect(readdirSync(sessionsDirOf(sandbox))).toEqual(['paw-proj.json']);
    expect(liveSessions(sandbox)).toEqual([]);
    expect(sandbox.git(['worktree', 'list', '--porcelain']).match(/^worktree /gm)).toHaveLength(1);
  });

  it('through the CLI, a failed save is a clear error and leaves nothing behind', async () => {
    sandbox.fakeCli('claude');
    mkdirSync(join(statePath(sandbox), 'blocker'), { recursive: true });
    const result = await paw(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: Session error: cannot save session state '.*paw-proj\.json': .*\nhint: make sure .* is writable\n$/m);
    expect(liveSessions(sandbox)).toEqual([]);
    expect(sandbox.git(['branch', '--list', 'feat/a'])).toBe('');
  });
});
