// The broker across `stop`, `start` (recovery), `status` and `purge` (built CLI, private tmux
// server, real broker processes): stop waits for the port, recovery brings broker, dashboard
// and env back on the same URL with the messages, purge deletes the log only once the broker is
// down and never another session's, and recovery when the config changed between stop and start.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canListen } from '../../src/broker/client.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { listPanes, skipWithoutTmux, waitForPaneText } from '../helpers/tmux.js';
import { artifactMsg, statusMsg } from '../helpers/broker-harness.js';
import {
  brokerFiles,
  brokerOf,
  brokerStatus,
  enableBroker,
  loggedSeqs,
  pollInbox,
  publishTo,
  waitUntilAllIdle,
  writeRepoConfig,
} from '../helpers/broker-session.js';
import { paw, pawOk, readState, sessionsDirOf, statePath, worktreeDir } from '../helpers/lifecycle.js';

let sandbox: Sandbox;
beforeEach(() => {
  sandbox = createSandbox();
  sandbox.fakeCli('claude');
});
afterEach(() => sandbox.cleanup());

const DASHBOARD = 'dashboard → git paw dashboard';

async function startWithBroker(branches = 'feat/a,feat/b'): Promise<number> {
  const port = await enableBroker(sandbox);
  await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', branches]);
  return port;
}

describe.skipIf(skipWithoutTmux)('broker lifecycle', () => {
  it('stop returns only once the port is closed and every message is in the log', async () => {
    const port = await startWithBroker();
    const broker = brokerOf(sandbox);
    for (let i = 0; i < 5; i += 1)
      expect((await publishTo(broker, statusMsg('feat-a', 'working', { message: `step ${i}` }))).status).toBe(
        202,
      );
    const result = await pawOk(sandbox, ['stop']);
    expect(result.stdout).toBe(
      'Session stopped. Worktrees and state preserved.\nRun `git paw start` to recover.\n',
    );
    // Right after stop returned: no polling.
    expect(await canListen('127.0.0.1', port)).toBe(true);
    expect(loggedSeqs(broker.logPath)).toEqual([1, 2, 3, 4, 5]);
    expect(readState(sandbox).status).toBe('stopped');
    expect(readState(sandbox).broker_port).toBe(port);
  });

  it('status shows the broker line, the agent count and one line per agent; --json the same', async () => {
    const port = await startWithBroker();
    const broker = brokerOf(sandbox);
    await waitUntilAllIdle(port);
    await publishTo(broker, statusMsg('feat-a', 'working', { message: 'wiring the API' }));
    const text = (await pawOk(sandbox, ['status'])).stdout;
    expect(text).toContain(
      `Tmux:    running\n\nBroker:  http://127.0.0.1:${port} (running)\nAgents:  2 (1 working, 1 idle)\n`,
    );
    expect(text).toMatch(/^ {2}feat-a {2}claude {2}working {2}working {2}\d+s ago {2}wiring the API$/m);
    // feat-b's fake CLI prints a line and waits: the broker sees it idle on screen.
    expect(text).toMatch(/^ {2}feat-b {2}claude {2}idle {5}- {8}- *$/m);
    expect(text).toContain(`\n\n  feat/a → claude (${worktreeDir(sandbox, 'feat-a')})`);

    const json = JSON.parse((await pawOk(sandbox, ['status', '--json'])).stdout) as {
      broker: Record<string, unknown>;
    };
    expect(json.broker).toMatchObject({
      url: `http://127.0.0.1:${port}`,
      state: 'running',
      agents: [
        { agent_id: 'feat-a', cli: 'claude', status: 'working', summary: 'wiring the API' },
        { agent_id: 'feat-b', cli: 'claude', status: null, last_seen_seconds: null, summary: '' },
      ],
    });

    await pawOk(sandbox, ['stop']);
    expect((await pawOk(sandbox, ['status'])).stdout).toContain(
      `Broker:  http://127.0.0.1:${port} (not responding)\n\n`,
    );
  });

  it('recovery after stop brings broker, dashboard and variables back on the same URL, with the messages', async () => {
    const port = await startWithBroker();
    const before = brokerOf(sandbox);
    expect((await publishTo(before, artifactMsg('feat-a', ['UserApi']))).status).toBe(202);
    await pawOk(sandbox, ['stop']);

    const result = await pawOk(sandbox, ['start']);
    expect(result.stdout).toContain("Recovering session 'paw-proj'...");
    expect(brokerOf(sandbox)).toEqual(before);
    const panes = listPanes(sandbox, 'paw-proj');
    expect(panes.map((pane) => pane.label)).toEqual([DASHBOARD, 'feat/a → claude', 'feat/b → claude']);
    await waitForPaneText(sandbox, panes[0]?.id ?? '', 'git-paw dashboard · paw-proj');
    const env = sandbox.tmux(['show-environment', '-t', '=paw-proj']);
    expect(env).toContain(`GIT_PAW_BROKER_URL=http://127.0.0.1:${port}\n`);
    expect(env).toContain(`GIT_PAW_BROKER_TOKEN=${before.token}\n`);
    // The artifact published before stop is still in feat-b's inbox, and seq carries on.
    const inbox = JSON.parse((await pollInbox(before, 'feat-b')).body) as { messages: { seq: number }[] };
    expect(inbox.messages.map((message) => message.seq)).toEqual([1]);
    expect(JSON.parse((await publishTo(before, statusMsg('feat-b'))).body)).toEqual({ seq: 2 });
    expect(readFileSync(join(worktreeDir(sandbox, 'feat-a'), 'AGENTS.md'), 'utf8')).toContain(
      '## Coordination Skills',
    );
  });

  it('recovery after tmux kill-server waits for the dying broker and reuses its port', async () => {
    const port = await startWithBroker('feat/a');
    sandbox.tmux(['kill-server']);
    await pawOk(sandbox, ['start']);
    expect(brokerOf(sandbox).port).toBe(port);
    expect((await brokerStatus(port)).session).toBe('paw-proj');
  });

  it('recovery follows the config: broker turned off → none (log kept for purge); turned on → one', async () => {
    await startWithBroker('feat/a');
    const { logPath } = brokerOf(sandbox);
    await pawOk(sandbox, ['stop']);
    writeRepoConfig(sandbox, 'enabled = false');
    await pawOk(sandbox, ['start']);
    expect(listPanes(sandbox, 'paw-proj').map((pane) => pane.label)).toEqual(['feat/a → claude']);
    expect(sandbox.tmuxStatus(['show-environment', '-t', '=paw-proj', 'GIT_PAW_BROKER_URL'])).not.toBe(0);
    const state = readState(sandbox);
    expect(Object.keys(state).filter((key) => key.startsWith('broker_'))).toEqual(['broker_log_path']);
    expect(readFileSync(join(worktreeDir(sandbox, 'feat-a'), 'AGENTS.md'), 'utf8')).not.toContain(
      'Coordination Skills',
    );
    expect((await pawOk(sandbox, ['status'])).stdout).not.toMatch(/^Broker:/m);

    await pawOk(sandbox, ['stop']);
    const port = await enableBroker(sandbox);
    await pawOk(sandbox, ['start']);
    expect(brokerOf(sandbox)).toMatchObject({ port, logPath });
    expect(listPanes(sandbox, 'paw-proj').map((pane) => pane.label)).toEqual([DASHBOARD, 'feat/a → claude']);
  });

  it('purge removes worktrees, state and the log once the broker is down', async () => {
    const port = await startWithBroker();
    const broker = brokerOf(sandbox);
    await publishTo(broker, statusMsg('feat-a'));
    expect(existsSync(broker.logPath)).toBe(true);
    await pawOk(sandbox, ['purge', '--force']);
    expect(existsSync(statePath(sandbox))).toBe(false);
    expect(existsSync(worktreeDir(sandbox, 'feat-a'))).toBe(false);
    expect(await canListen('127.0.0.1', port)).toBe(true);
    expect(brokerFiles(sandbox)).toEqual([]);
  });

  it('purge succeeds when the recorded log does not exist', async () => {
    await startWithBroker('feat/a');
    await pawOk(sandbox, ['stop']);
    const state = readState(sandbox);
    writeFileSync(
      statePath(sandbox),
      JSON.stringify({ ...state, broker_log_path: join(sessionsDirOf(sandbox), 'gone.broker.jsonl') }),
    );
    const result = await paw(sandbox, ['purge', '--force']);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(statePath(sandbox))).toBe(false);
  });

  it("purge never deletes a log that is not the session's own (upstream's shared broker.log)", async () => {
    await startWithBroker('feat/a');
    await pawOk(sandbox, ['stop']);
    const shared = sandbox.writeFile('home/.local/share/git-paw/sessions/broker.log', 'another session\n');
    const state = readState(sandbox);
    writeFileSync(statePath(sandbox), JSON.stringify({ ...state, broker_log_path: shared }));
    await pawOk(sandbox, ['purge', '--force']);
    expect(readFileSync(shared, 'utf8')).toBe('another session\n');
    expect(brokerFiles(sandbox)).toEqual(['paw-proj.broker.jsonl']);
  });
});
