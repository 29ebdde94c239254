// A session whose whole broker window died (its restart loop killed with it) gets its broker back
// from `status` and from `start` (reattach): on the same URL and token, with the messages
// acknowledged before, and with a warning that says so. Built CLI, private tmux server, real
// broker processes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canListen, fetchStatus } from '../../src/broker/client.js';
import { pollUntil } from '../helpers/poll.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { skipWithoutTmux } from '../helpers/tmux.js';
import { artifactMsg } from '../helpers/broker-harness.js';
import { brokerOf, brokerStatus, enableBroker, pollInbox, publishTo } from '../helpers/broker-session.js';
import { pawOk } from '../helpers/lifecycle.js';

let sandbox: Sandbox;
beforeEach(() => {
  sandbox = createSandbox();
  sandbox.fakeCli('claude');
});
afterEach(() => sandbox.cleanup());

/** Closes the broker window (its programs get SIGHUP, as when it is killed) and waits for the port. */
async function killBrokerWindow(port: number): Promise<void> {
  sandbox.tmux(['kill-window', '-t', '=paw-proj:broker']);
  await pollUntil(() => canListen('127.0.0.1', port), Boolean, {
    timeoutMs: 10_000,
    what: 'the killed broker window to let go of the port',
  });
}

function windows(): string[] {
  return sandbox
    .tmux(['list-windows', '-t', '=paw-proj:', '-F', '#{window_name}'])
    .split('\n')
    .filter(Boolean);
}

async function inboxSeqs(agentId: string): Promise<number[]> {
  const reply = await pollInbox(brokerOf(sandbox), agentId);
  expect(reply.status).toBe(200);
  return (JSON.parse(reply.body) as { messages: { seq: number }[] }).messages.map((message) => message.seq);
}

describe.skipIf(skipWithoutTmux)('a broker whose window died', () => {
  it('is brought back by status and by start, on the same URL, with its messages', async () => {
    const port = await enableBroker(sandbox);
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/b']);
    const broker = brokerOf(sandbox);
    expect((await publishTo(broker, artifactMsg('feat-a', ['Api']))).status).toBe(202);

    await killBrokerWindow(port);
    expect(windows()).not.toContain('broker');
    const status = await pawOk(sandbox, ['status']);
    expect(status.stderr).toBe(
      `warning: the broker of session 'paw-proj' was gone; started it again on http://127.0.0.1:${port}\n`,
    );
    expect(status.stdout).toContain(`Broker:  http://127.0.0.1:${port} (running)\n`);
    expect(windows()).toContain('broker');
    expect(await inboxSeqs('feat-b')).toEqual([1]);

    await killBrokerWindow(port);
    const start = await pawOk(sandbox, ['start', '--no-attach']);
    expect(start.stderr).toContain(
      `warning: the broker of session 'paw-proj' was gone; started it again on http://127.0.0.1:${port}\n`,
    );
    expect(start.stdout).toContain("Reattaching to session 'paw-proj'...\n");
    expect((await brokerStatus(port)).session).toBe('paw-proj');
    expect(await inboxSeqs('feat-b')).toEqual([1]);
    // The same token still works, and the sequence carries on.
    const next = await publishTo(broker, artifactMsg('feat-a', ['More']));
    expect(next).toMatchObject({ status: 202, body: '{"seq":2}' });
  });

  it("comes back with the repo's broker settings: no MCP endpoint when it is off, the log compacted at its limit", async () => {
    const port = await enableBroker(sandbox, '', { curlOnly: true });
    sandbox.writeFile(
      'proj/.git-paw/config.toml',
      `${readFileSync(join(sandbox.root, 'proj/.git-paw/config.toml'), 'utf8')}log_limit = "64KiB"\n`,
    );
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/b']);
    const broker = brokerOf(sandbox);
    await killBrokerWindow(port);
    await pawOk(sandbox, ['status']);
    expect(windows()).toContain('broker');

    const mcp = await fetch(`${broker.url}/mcp/feat-a`, {
      method: 'POST',
      headers: { authorization: `Bearer ${broker.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(mcp.status).toBe(404);
    // Past 64 KiB of records the revived broker rewrites its log as a snapshot.
    for (let n = 0; n < 400; n += 1) {
      expect((await publishTo(broker, artifactMsg('feat-a', [`Export${n}`.padEnd(120, 'x')]))).status).toBe(
        202,
      );
    }
    await pollUntil(
      () => readFileSync(broker.logPath, 'utf8').slice(0, 80),
      (head) => head.includes('"snapshot"'),
      { timeoutMs: 10_000, what: 'the message log to begin with a snapshot' },
    );
  });

  it('status leaves a broker that answers alone', async () => {
    const port = await enableBroker(sandbox);
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    const before = await fetchStatus(`http://127.0.0.1:${port}`);
    const status = await pawOk(sandbox, ['status']);
    expect(status.stderr).toBe('');
    expect(await fetchStatus(`http://127.0.0.1:${port}`)).toMatchObject({
      pid: before.pid,
      instance_id: before.instance_id,
    });
  });
});
