// Observed agent state through a real session (built CLI, private tmux server, the real broker in
// its window): the broker's watcher reads the panes of fake CLIs, so `/status` follows a dialog,
// a busy marker and the exit without the agent saying anything; and a CLI that refuses a flag at
// once makes `git paw status` say that its integration failed, with the switch to turn it off.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pollUntil } from '../helpers/poll.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { listPanes, skipWithoutTmux } from '../helpers/tmux.js';
import { httpRequest } from '../helpers/broker-harness.js';
import { enableBroker } from '../helpers/broker-session.js';
import { paw, pawOk } from '../helpers/lifecycle.js';
import { STEPPING_CLI, REFUSING_CLI } from '../helpers/state-fake-clis.js';

interface ObservedAgent {
  agent_id: string;
  state: string;
  state_source: string | null;
  state_detail: string;
}

let sandbox: Sandbox;
beforeEach(() => {
  sandbox = createSandbox();
});
afterEach(() => sandbox.cleanup());

async function observed(port: number, agentId: string): Promise<string> {
  const reply = await httpRequest(port, { path: '/status' });
  const agents = (JSON.parse(reply.body) as { agents: ObservedAgent[] }).agents;
  const agent = agents.find((entry) => entry.agent_id === agentId);
  return agent ? `${agent.state}/${agent.state_source ?? ''}:${agent.state_detail}` : 'missing';
}

function waitForState(port: number, agentId: string, expected: string): Promise<string> {
  return pollUntil(
    () => observed(port, agentId),
    (seen) => seen === expected,
    { what: `${agentId} to be ${expected}` },
  );
}

function paneOf(label: string): string {
  const pane = listPanes(sandbox, 'paw-proj').find((entry) => entry.label === label);
  if (!pane) throw new Error(`no pane labelled ${label}`);
  return pane.id;
}

describe.skipIf(skipWithoutTmux)('agent state seen by the broker', () => {
  it('follows the dialog, the busy marker and the exit of each agent on /status', async () => {
    sandbox.fakeCli('claude', STEPPING_CLI);
    const port = await enableBroker(sandbox);
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/b']);
    await waitForState(port, 'feat-a', 'waiting/screen:permission dialog');
    await waitForState(port, 'feat-b', 'waiting/screen:permission dialog');

    const pane = paneOf('feat/a → claude');
    sandbox.tmux(['send-keys', '-t', pane, 'Enter']);
    await waitForState(port, 'feat-a', 'working/screen:busy');
    sandbox.tmux(['send-keys', '-t', pane, 'Enter']);
    await waitForState(port, 'feat-a', 'exited/process:back at the shell');
    expect(await observed(port, 'feat-b')).toBe('waiting/screen:permission dialog');
  });

  it('says in git paw status that integration failed when the CLI refuses a flag', async () => {
    sandbox.fakeCli('claude', REFUSING_CLI);
    const port = await enableBroker(sandbox);
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    await waitForState(
      port,
      'feat-a',
      "exited/process:integration failed: error: unknown option '--settings'",
    );
    const status = await paw(sandbox, ['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(
      "feat-a: integration failed, claude refused a flag git-paw passed: error: unknown option '--settings'",
    );
    expect(status.stdout).toContain('hint: set [clis.claude] integrate = false in .git-paw/config.toml');
  });
});
