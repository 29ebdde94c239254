// `[worktree] setup` end to end (built CLI, real git, a private tmux server, fake CLIs): the
// commands run in each fresh worktree's pane before its CLI; a failing one (or Ctrl-C) keeps that
// pane's CLI from starting and puts its agent in `error` while the other panes carry on; a stopped
// session's recovery runs setup again only in recreated worktrees, or everywhere with
// `--rerun-setup`; `--dry-run` lists the commands, and a hanging command blocks neither `start`
// nor `status`.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enableBroker } from '../helpers/broker-session.js';
import { paw, pawOk, worktreeDir } from '../helpers/lifecycle.js';
import { pollUntil } from '../helpers/poll.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { capturePane, listPanes, skipWithoutTmux, waitForPaneText } from '../helpers/tmux.js';

/** A fake CLI that says whether the setup's file is in its worktree when it starts. */
const CHECKING_CLI =
  '#!/bin/sh\necho "FAKE-CLI setup-file=$(test -f setup-ran && echo yes || echo no)"\nexec sleep 3600\n';

/** The `[worktree]` table running `commands` (TOML basic strings are JSON strings). */
function setupTable(commands: string[]): string {
  return `[worktree]\nsetup = [${commands.map((command) => JSON.stringify(command)).join(', ')}]\n`;
}

interface AgentJson {
  agent_id: string;
  state: string;
  state_detail: string;
}

async function agentState(sandbox: Sandbox, agentId: string): Promise<string> {
  const result = await paw(sandbox, ['status', '--json']);
  const agents = (JSON.parse(result.stdout) as { broker?: { agents?: AgentJson[] } }).broker?.agents ?? [];
  const agent = agents.find((entry) => entry.agent_id === agentId);
  return agent ? `${agent.state}: ${agent.state_detail}` : 'missing';
}

function waitForAgentState(sandbox: Sandbox, agentId: string, expected: string): Promise<string> {
  return pollUntil(
    () => agentState(sandbox, agentId),
    (seen) => seen === expected,
    { timeoutMs: 20_000, intervalMs: 250, what: `${agentId} to be ${expected}` },
  );
}

function paneOf(sandbox: Sandbox, branch: string): string {
  const pane = listPanes(sandbox, 'paw-proj').find((entry) => entry.label === `${branch} → claude`);
  if (!pane) throw new Error(`no pane for ${branch}`);
  return pane.id;
}

describe.skipIf(skipWithoutTmux)('[worktree] setup', () => {
  let sandbox: Sandbox;
  beforeEach(() => {
    sandbox = createSandbox({ broker: false });
    sandbox.fakeCli('claude', CHECKING_CLI);
  });
  afterEach(() => sandbox.cleanup());

  it('runs in each new worktree before its CLI starts, and shows its output in the pane', async () => {
    sandbox.writeRepoConfig(setupTable(['echo setting up in $(basename "$PWD")', 'touch setup-ran']));
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/b']);
    for (const branch of ['feat/a', 'feat/b']) {
      const screen = await waitForPaneText(sandbox, paneOf(sandbox, branch), 'FAKE-CLI');
      expect(screen).toContain(`setting up in proj-${branch.replace('/', '-')}`);
      expect(screen).toContain('FAKE-CLI setup-file=yes');
    }
  });

  it('runs again on recovery only in recreated worktrees, and everywhere with --rerun-setup', async () => {
    const runs = join(sandbox.root, 'setup-runs');
    sandbox.writeRepoConfig(setupTable([`echo "$GIT_PAW_AGENT_ID" >> '${runs}'`, 'touch setup-ran']));
    const setupRuns = () => readFileSync(runs, 'utf8').split('\n').filter(Boolean).sort();
    /** Starts with `args` and waits until both CLIs run, so any setup before them has run. */
    const startAndWait = async (args: string[]) => {
      await pawOk(sandbox, ['start', ...args]);
      for (const branch of ['feat/a', 'feat/b'])
        await waitForPaneText(sandbox, paneOf(sandbox, branch), 'FAKE-CLI setup-file=yes');
    };

    await startAndWait(['--cli', 'claude', '--branches', 'feat/a,feat/b']);
    expect(setupRuns()).toEqual(['feat-a', 'feat-b']);

    await pawOk(sandbox, ['stop']);
    await startAndWait([]);
    expect(setupRuns()).toEqual(['feat-a', 'feat-b']);

    await pawOk(sandbox, ['stop']);
    rmSync(worktreeDir(sandbox, 'feat-b'), { recursive: true, force: true });
    await startAndWait([]);
    expect(setupRuns()).toEqual(['feat-a', 'feat-b', 'feat-b']);

    await pawOk(sandbox, ['stop']);
    await startAndWait(['--rerun-setup']);
    expect(setupRuns()).toEqual(['feat-a', 'feat-a', 'feat-b', 'feat-b', 'feat-b']);
  });

  it('--dry-run lists the commands a launch and a recovery would run', async () => {
    sandbox.writeRepoConfig(setupTable(['npm ci --prefer-offline', 'make\nbuild']));
    const fresh = await pawOk(sandbox, ['start', '--dry-run', '--cli', 'claude', '--branches', 'feat/a']);
    expect(fresh.stdout).toBe(
      'Dry run — session plan:\n\n  Session:  paw-proj\n  Mouse:    on\n\n' +
        '  feat/a → claude (../proj-feat-a)\n\n' +
        '  Setup in each new worktree, before its CLI:\n    npm ci --prefer-offline\n    make build\n',
    );
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    await pawOk(sandbox, ['stop']);
    const stopped = await pawOk(sandbox, ['start', '--dry-run', '--rerun-setup']);
    expect(stopped.stdout).toContain(
      '  Setup in every worktree (--rerun-setup), before its CLI:\n    npm ci --prefer-offline\n',
    );
    // `--cli=claude` is not a plain spelling: commander parses this one, and must read the same.
    const parsed = await pawOk(sandbox, ['start', '--dry-run', '--rerun-setup', '--cli=claude']);
    expect(parsed.stdout).toBe(stopped.stdout);
  });
});

describe.skipIf(skipWithoutTmux)('[worktree] setup that fails or hangs, with a broker', () => {
  let sandbox: Sandbox;
  beforeEach(() => {
    sandbox = createSandbox();
    sandbox.fakeCli('claude', CHECKING_CLI);
  });
  afterEach(() => sandbox.cleanup());

  it('a failing command keeps that pane at its shell with the agent in error; the other CLI starts', async () => {
    const failing = 'test "$GIT_PAW_AGENT_ID" != feat-b';
    await enableBroker(sandbox, setupTable(['touch setup-ran', failing]));
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/b']);

    await waitForPaneText(sandbox, paneOf(sandbox, 'feat/a'), 'FAKE-CLI setup-file=yes');
    const failed = paneOf(sandbox, 'feat/b');
    await waitForPaneText(sandbox, failed, `git-paw: setup failed: ${failing} (exit 1)`);
    await waitForAgentState(sandbox, 'feat-b', `error: setup failed: ${failing}`);
    expect(capturePane(sandbox, failed)).not.toContain('FAKE-CLI');
    const status = await pawOk(sandbox, ['status']);
    expect(status.stdout).toMatch(
      /feat-b +claude +error \(setup failed: test "\$GIT_PAW_AGENT_ID" != feat-b\)/,
    );
  });

  it('a hanging command blocks neither start nor status, and Ctrl-C in its pane fails it', async () => {
    await enableBroker(sandbox, setupTable(['sleep 600', 'touch setup-ran']));
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    const pane = paneOf(sandbox, 'feat/a');
    await waitForAgentState(sandbox, 'feat-a', 'working: setup 1/2: sleep 600');
    expect((await pawOk(sandbox, ['status'])).stdout).toContain('working (setup 1/2: sleep 600)');

    sandbox.tmux(['send-keys', '-t', pane, 'C-c']);
    await waitForPaneText(sandbox, pane, 'git-paw: setup failed: sleep 600 (exit 130)');
    await waitForAgentState(sandbox, 'feat-a', 'error: setup failed: sleep 600');
    expect(capturePane(sandbox, pane)).not.toContain('FAKE-CLI');
  });
});
