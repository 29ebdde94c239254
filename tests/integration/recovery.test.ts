// Recovery: the saved name is kept, worktrees are checked
// and recreated when possible, and everything a fresh launch sets up is set up again.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pollUntil } from '../helpers/poll.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { listPanes, skipWithoutTmux, waitForPaneText } from '../helpers/tmux.js';
import { paw, pawOk, readState, sessionAlive, statePath, worktreeDir, worktreePaths } from '../helpers/lifecycle.js';

describe.skipIf(skipWithoutTmux)('recovery', () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = createSandbox({ broker: false });
    sandbox.fakeCli('claude');
    sandbox.git(['branch', 'feat/a']);
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/b']);
  });
  afterEach(() => sandbox.cleanup());

  it('after tmux kill-server: status says stopped, start recovers every pane', async () => {
    sandbox.tmux(['kill-server']);
    const status = await paw(sandbox, ['status']);
    expect(status.stdout).toContain('Status:  🟡 stopped\nTmux:    not running\n');
    expect(readState(sandbox).status).toBe('active');

    const result = await paw(sandbox, ['start']);
    expect(result.stdout).toBe(
      "Recovering session 'paw-proj'...\nSession 'paw-proj' is running. Attach with: tmux attach -t paw-proj\n",
    );
    expect(result.code).toBe(0);
    const panes = listPanes(sandbox, 'paw-proj');
    expect(panes.map((p) => [p.label, p.path])).toEqual([
      ['feat/a → claude', worktreeDir(sandbox, 'feat-a')],
      ['feat/b → claude', worktreeDir(sandbox, 'feat-b')],
    ]);
    await waitForPaneText(sandbox, panes[1]?.id ?? '', `FAKE-CLI claude cwd=${worktreeDir(sandbox, 'feat-b')}`);
    expect(readState(sandbox).status).toBe('active');
    expect((await paw(sandbox, ['status'])).stdout).toContain('Status:  🟢 active\nTmux:    running\n');
  });

  it('after stop: keeps the saved name and uncommitted work', async () => {
    const wip = join(worktreeDir(sandbox, 'feat-a'), 'wip.txt');
    writeFileSync(wip, 'unsaved work\n');
    writeFileSync(join(worktreeDir(sandbox, 'feat-b'), 'README.md'), 'edited\n');
    await pawOk(sandbox, ['stop']);
    // As if the session had been launched under a collision name: recovery must keep it
    // (the state file records it).
    const state = readState(sandbox);
    state.session_name = 'paw-proj-7';
    writeFileSync(statePath(sandbox, 'paw-proj-7'), JSON.stringify(state));
    rmSync(statePath(sandbox));

    expect((await paw(sandbox, ['start', '--no-attach'])).stdout).toContain("Recovering session 'paw-proj-7'...");
    expect(sessionAlive(sandbox, 'paw-proj-7')).toBe(true);
    expect(sessionAlive(sandbox, 'paw-proj')).toBe(false);
    expect(readFileSync(wip, 'utf8')).toBe('unsaved work\n');
    expect(sandbox.git(['status', '--porcelain'], worktreeDir(sandbox, 'feat-b'))).toBe('M README.md');
    expect(readState(sandbox, 'paw-proj-7').status).toBe('active');
  });

  it('recreates a missing worktree from its branch', async () => {
    await paw(sandbox, ['stop']);
    rmSync(worktreeDir(sandbox, 'feat-a'), { recursive: true, force: true });
    const result = await paw(sandbox, ['start']);
    expect(result.stderr).toBe(
      `warning: worktree '${worktreeDir(sandbox, 'feat-a')}' was missing; recreated it from branch 'feat/a'\n`,
    );
    expect(result.code).toBe(0);
    expect(worktreePaths(sandbox)).toContain(worktreeDir(sandbox, 'feat-a'));
    const [pane] = listPanes(sandbox, 'paw-proj');
    await waitForPaneText(sandbox, pane?.id ?? '', `cwd=${worktreeDir(sandbox, 'feat-a')}`);
  });

  it('stops with the fix when a worktree and its branch are both gone, touching nothing', async () => {
    await paw(sandbox, ['stop']);
    sandbox.git(['worktree', 'remove', '--force', worktreeDir(sandbox, 'feat-b')]);
    sandbox.git(['branch', '-D', 'feat/b']);
    const before = readFileSync(statePath(sandbox), 'utf8');
    const result = await paw(sandbox, ['start']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: Worktree error: worktree '${worktreeDir(sandbox, 'feat-b')}' is missing and its branch 'feat/b' no longer exists\n` +
        'hint: run `git paw purge` to remove the session, then start a new one\n',
    );
    expect(sessionAlive(sandbox)).toBe(false);
    expect(readFileSync(statePath(sandbox), 'utf8')).toBe(before);
    expect((await paw(sandbox, ['purge', '--force'])).stdout).toBe("Purged session 'paw-proj'.\n");
  });

  it('stops with the fix when a missing worktree\'s branch is checked out elsewhere, touching nothing', async () => {
    await paw(sandbox, ['stop']);
    sandbox.git(['worktree', 'remove', '--force', worktreeDir(sandbox, 'feat-a')]);
    sandbox.git(['checkout', '--quiet', 'feat/a']);
    const before = readFileSync(statePath(sandbox), 'utf8');
    const result = await paw(sandbox, ['start']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: Worktree error: worktree '${worktreeDir(sandbox, 'feat-a')}' is missing and its branch 'feat/a' is checked out at '${sandbox.repo}'\n` +
        `hint: switch '${sandbox.repo}' to another branch, or run \`git paw purge\` to remove the session, then start a new one\n`,
    );
    expect(sessionAlive(sandbox)).toBe(false);
    expect(worktreePaths(sandbox)).not.toContain(worktreeDir(sandbox, 'feat-a'));
    expect(readFileSync(statePath(sandbox), 'utf8')).toBe(before);
  });

  it('re-attaches logging pipes and rewrites AGENTS.md', async () => {
    await paw(sandbox, ['stop']);
    sandbox.writeRepoConfig('[logging]\nenabled = true\n');
    const agentsMd = join(worktreeDir(sandbox, 'feat-a'), 'AGENTS.md');
    writeFileSync(agentsMd, 'stale\n');
    await pawOk(sandbox, ['start']);
    const log = join(sandbox.repo, '.git-paw', 'logs', 'paw-proj', 'feat--a.log');
    await pollUntil(() => readFileSync(log, 'utf8'), (text) => text.includes('FAKE-CLI claude'), { what: 'the recovered pane log' });
    expect(readFileSync(agentsMd, 'utf8')).toContain('- **Branch:** `feat/a`');
    expect(readFileSync(agentsMd, 'utf8')).not.toContain('stale');
  });
});
