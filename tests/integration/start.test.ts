// `start` against real git and a private tmux server: worktrees, panes, state and reattach,
// and no TTY → exit 0 with the attach hint.
import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { listPanes, skipWithoutTmux, waitForPaneText } from '../helpers/tmux.js';
import { localBranches, paw, pawOk, readState, sessionAlive, sessionFiles, statePath, worktreeDir, worktreePaths } from '../helpers/lifecycle.js';

const HINT = "Session 'paw-proj' is running. Attach with: tmux attach -t paw-proj";

describe.skipIf(skipWithoutTmux)('start: fresh launch', () => {
  let sandbox: Sandbox;
  beforeEach(() => {
    sandbox = createSandbox({ broker: false });
    sandbox.fakeCli('claude');
  });
  afterEach(() => sandbox.cleanup());

  it('creates worktrees, a labelled pane per branch in its worktree, and active state; no TTY → hint, exit 0', async () => {
    sandbox.git(['branch', 'feat/a']);
    const result = await paw(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/b']);
    expect(result.stderr).toBe("warning: branch 'feat/b' does not exist; it will be created from HEAD\n");
    expect(result.stdout).toBe(`${HINT}\n`);
    expect(result.code).toBe(0);

    expect(sessionAlive(sandbox)).toBe(true);
    const panes = listPanes(sandbox, 'paw-proj');
    expect(panes.map((p) => p.label)).toEqual(['feat/a → claude', 'feat/b → claude']);
    expect(panes.map((p) => p.path)).toEqual([worktreeDir(sandbox, 'feat-a'), worktreeDir(sandbox, 'feat-b')]);
    // Each fake CLI reports its own cwd and agent id: the resolved command ran in the worktree.
    await waitForPaneText(sandbox, panes[0]?.id ?? '', `FAKE-CLI claude cwd=${worktreeDir(sandbox, 'feat-a')}`);
    await waitForPaneText(sandbox, panes[1]?.id ?? '', `FAKE-CLI claude cwd=${worktreeDir(sandbox, 'feat-b')}`);
    expect(sandbox.tmux(['show-environment', '-t', '=paw-proj'])).not.toContain('GIT_PAW_AGENT_ID');

    expect(sandbox.tmux(['show-options', '-t', '=paw-proj:', 'mouse'])).toBe('mouse on');
    expect(sandbox.tmux(['show-options', '-w', '-t', '=paw-proj:', 'pane-border-status'])).toBe('pane-border-status top');
    expect(sandbox.tmux(['show-options', '-w', '-t', '=paw-proj:', 'pane-border-format'])).toBe('pane-border-format " #{@paw_label} "');

    // Existing branch reused, new branch made at HEAD.
    expect(worktreePaths(sandbox)).toEqual([sandbox.repo, worktreeDir(sandbox, 'feat-a'), worktreeDir(sandbox, 'feat-b')]);
    expect(sandbox.git(['rev-parse', 'feat/b'])).toBe(sandbox.git(['rev-parse', 'HEAD']));

    // The state file.
    const raw = readFileSync(statePath(sandbox), 'utf8');
    expect(raw.endsWith('}')).toBe(true);
    expect(statSync(statePath(sandbox)).mode & 0o777).toBe(0o600);
    const state = readState(sandbox);
    expect(state).toMatchObject({ session_name: 'paw-proj', repo_path: sandbox.repo, project_name: 'proj', status: 'active' });
    expect(state.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(state.worktrees).toEqual([
      { branch: 'feat/a', worktree_path: worktreeDir(sandbox, 'feat-a'), cli: 'claude', branch_created: false, command: join(sandbox.bin, 'claude') },
      // A branch the launch made records the commit it forked from (the conflict check's base).
      { branch: 'feat/b', worktree_path: worktreeDir(sandbox, 'feat-b'), cli: 'claude', branch_created: true, command: join(sandbox.bin, 'claude'), base_commit: sandbox.git(['rev-parse', 'HEAD']) },
    ]);
    expect(Object.keys(state).filter((key) => key.startsWith('broker_'))).toEqual([]);
    expect(sessionFiles(sandbox)).toEqual(['paw-proj.json']); // no temp file left behind
  });

  it('runs a command line given with --cli and remote-only branches become tracking branches', async () => {
    const origin = join(sandbox.root, 'origin');
    sandbox.git(['clone', '-q', sandbox.repo, origin], sandbox.root);
    sandbox.git(['branch', 'feat/remote-only'], origin);
    sandbox.git(['remote', 'add', 'origin', origin]);
    sandbox.git(['fetch', '-q', 'origin']);
    const result = await paw(sandbox, ['start', '--cli', 'claude --flag', '--branches', 'feat/remote-only']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(sandbox.git(['rev-parse', '--abbrev-ref', 'feat/remote-only@{upstream}'])).toBe('origin/feat/remote-only');
    expect(readState(sandbox).worktrees[0]).toMatchObject({ cli: 'claude --flag', branch_created: false });
    const [pane] = listPanes(sandbox, 'paw-proj');
    await waitForPaneText(sandbox, pane?.id ?? '', 'args=--flag');
  });

  it('works with base-index 1 and pane-base-index 1 in the user tmux.conf', async () => {
    sandbox.writeFile('home/.tmux.conf', 'set -g base-index 1\nsetw -g pane-base-index 1\n');
    const result = await paw(sandbox, ['start', '--cli', 'claude', '--branches', 'a,b,c']);
    expect(result.code).toBe(0);
    const panes = listPanes(sandbox, 'paw-proj');
    expect(panes.map((p) => p.label)).toEqual(['a → claude', 'b → claude', 'c → claude']);
    expect(sandbox.tmux(['list-panes', '-t', '=paw-proj:', '-F', '#{window_index}.#{pane_index}']).split('\n')).toEqual(['1.1', '1.2', '1.3']);
    await waitForPaneText(sandbox, panes[2]?.id ?? '', `cwd=${worktreeDir(sandbox, 'c')}`);
  });

  it('sets no session mouse option with mouse = false', async () => {
    sandbox.writeRepoConfig('mouse = false\n');
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'a']);
    expect(sandbox.tmux(['show-options', '-t', '=paw-proj:', 'mouse'])).toBe('');
  });

  it('pipes every pane into its log before the CLI starts when logging is enabled', async () => {
    sandbox.writeRepoConfig('[logging]\nenabled = true\n');
    sandbox.fakeCli('claude', '#!/bin/sh\nprintf "HELLO\\033[31mRED\\033[0m\\n"\nexec sleep 3600\n');
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    const log = join(sandbox.repo, '.git-paw', 'logs', 'paw-proj', 'feat--a.log');
    const { pollUntil } = await import('../helpers/poll.js');
    const text = await pollUntil(() => readFileSync(log, 'utf8'), (t) => t.includes('HELLO\u001b[31mRED'), { what: 'log output' });
    expect(text).toContain('HELLO');
  });
});

describe.skipIf(skipWithoutTmux)('start: existing session', () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = createSandbox({ broker: false });
    sandbox.fakeCli('claude');
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
  });
  afterEach(() => sandbox.cleanup());

  it('reattaches to a live session, ignoring (and naming) the flags', async () => {
    const result = await paw(sandbox, ['start', '--cli', 'other', '--branches', 'x']);
    expect(result.stdout).toBe(`Reattaching to session 'paw-proj'...\n${HINT}\n`);
    expect(result.stderr).toBe("warning: session 'paw-proj' already exists; ignoring --cli, --branches\n");
    expect(result.code).toBe(0);
    expect(localBranches(sandbox)).toEqual(['feat/a', 'main']);
  });

  it("dry-run prints the running session's plan, says it is running, and changes nothing", async () => {
    const before = readFileSync(statePath(sandbox), 'utf8');
    const result = await paw(sandbox, ['start', '--dry-run', '--cli', 'claude', '--branches', 'feat/z']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("warning: session 'paw-proj' already exists; ignoring --cli, --branches\n");
    expect(result.stdout).toBe(
      "Dry run — session 'paw-proj' is running; `git paw start` reattaches to it:\n\n  Session:  paw-proj\n  Mouse:    on\n\n  feat/a → claude (../proj-feat-a)\n",
    );
    expect(readFileSync(statePath(sandbox), 'utf8')).toBe(before);
    expect(localBranches(sandbox)).toEqual(['feat/a', 'main']);
  });
});

describe.skipIf(skipWithoutTmux)('start: names and dry-run', () => {
  let sandbox: Sandbox;
  beforeEach(() => {
    sandbox = createSandbox({ broker: false });
    sandbox.fakeCli('claude');
  });
  afterEach(() => sandbox.cleanup());

  it('avoids a foreign live session of the same name and shows the slug', async () => {
    sandbox.tmux(['new-session', '-d', '-s', 'paw-proj']);
    const result = await paw(sandbox, ['start', '--dry-run', '--cli', 'claude', '--branches', 'fix/issue#42']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('  Session:  paw-proj-2\n');
    expect(result.stdout).toContain('  fix/issue#42 → claude (../proj-fix-issue42)\n');
    expect(worktreePaths(sandbox)).toEqual([sandbox.repo]);
  });

  it('avoids a name whose state file belongs to another repo', async () => {
    const other = join(sandbox.root, 'elsewhere', 'proj');
    sandbox.writeFile(
      'home/.local/share/git-paw/sessions/paw-proj.json',
      JSON.stringify({ session_name: 'paw-proj', repo_path: other, project_name: 'proj', created_at: '2026-01-01T00:00:00Z', status: 'stopped', worktrees: [] }),
    );
    const result = await paw(sandbox, ['start', '--cli', 'claude', '--branches', 'a']);
    expect(result.stdout).toContain("Session 'paw-proj-2' is running.");
    expect(readState(sandbox).repo_path).toBe(other);
    expect(readState(sandbox, 'paw-proj-2').repo_path).toBe(sandbox.repo);
  });

  it('finds the session from a subdirectory and from inside one of its worktrees', async () => {
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    sandbox.writeFile('proj/src/x.txt', 'x');
    const fromSubdir = await paw(sandbox, ['status'], { cwd: join(sandbox.repo, 'src') });
    expect(fromSubdir.stdout).toContain('Session: paw-proj\n');
    const fromWorktree = await paw(sandbox, ['start', '--no-attach'], { cwd: worktreeDir(sandbox, 'feat-a') });
    expect(fromWorktree.stdout).toBe(`Reattaching to session 'paw-proj'...\n${HINT}\n`);
  });
});
