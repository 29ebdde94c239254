// Getting to the agent that needs you, end to end (built CLI, private tmux server, real broker):
// Enter and `n` in the dashboard make the agent's pane the active one; `git paw next` run in a
// terminal attached to another session switches that client over, and moves on to the next
// agent when pressed again; `git paw jump` switches a named client; the opt-in `[tmux] jump_key`
// is bound at start, never over the user's own binding, and removed at stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pollUntil } from '../helpers/poll.js';
import { CLI_PATH } from '../helpers/run-cli.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { listPanes, skipWithoutTmux, waitForPaneText } from '../helpers/tmux.js';
import { statusMsg } from '../helpers/broker-harness.js';
import { brokerOf, enableBroker, publishTo } from '../helpers/broker-session.js';
import { paw, pawOk } from '../helpers/lifecycle.js';

let sandbox: Sandbox;
const clients: ChildProcess[] = [];
beforeEach(() => {
  sandbox = createSandbox();
});
afterEach(() => {
  for (const client of clients.splice(0)) client.kill();
  sandbox.cleanup();
});

/** The pane of each agent, from the `@paw_agent` option the launch sets. */
function agentPanes(): Map<string, string> {
  const listing = sandbox.tmux(['list-panes', '-s', '-t', '=paw-proj:', '-F', '#{@paw_agent}\t#{pane_id}']);
  return new Map(
    listing
      .split('\n')
      .map((line) => line.split('\t') as [string, string])
      .filter(([agent]) => agent !== ''),
  );
}

function paneOf(agent: string): string {
  const pane = agentPanes().get(agent);
  if (pane === undefined) throw new Error(`no pane for ${agent}: ${JSON.stringify([...agentPanes()])}`);
  return pane;
}

/** The active pane of session paw-proj's current window. */
function activePane(): string {
  return sandbox.tmux(['display-message', '-p', '-t', '=paw-proj:', '#{pane_id}']);
}

function waitForActive(agent: string): Promise<string> {
  const pane = paneOf(agent);
  return pollUntil(
    () => sandbox.tmux(['display-message', '-p', '-t', pane, '#{pane_active} #{window_active}']),
    (flags) => flags === '1 1',
    { what: `the pane of ${agent} (${pane}) to be active; paw-proj shows ${activePane()}` },
  );
}

/** A second terminal attached to session `session` (a real client, through `script`). */
async function attachClient(session: string): Promise<string> {
  const before = new Set(sandbox.tmux(['list-clients', '-F', '#{client_name}']).split('\n'));
  const client = spawn('script', ['-qfc', `tmux attach-session -t =${session}`, '/dev/null'], {
    env: { ...sandbox.env, TMUX: undefined },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  clients.push(client);
  const listing = await pollUntil(
    () => sandbox.tmux(['list-clients', '-F', '#{client_name}']).split('\n'),
    (names) => names.some((name) => name !== '' && !before.has(name)),
    { what: `a client attached to ${session}` },
  );
  return listing.find((name) => name !== '' && !before.has(name)) as string;
}

function sessionOfClient(name: string): string {
  return sandbox.tmux(['display-message', '-p', '-c', name, '#{session_name}']);
}

/** A session of three idle fake agents; feat/c reports being blocked, so it comes first. */
async function startThreeAgents(extraConfig = ''): Promise<string> {
  sandbox.fakeCli('claude');
  await enableBroker(sandbox, extraConfig);
  await pawOk(sandbox, ['start', '--no-attach', '--cli', 'claude', '--branches', 'feat/a,feat/b,feat/c']);
  const dashboard = listPanes(sandbox, 'paw-proj')[0]?.id ?? '';
  await waitForPaneText(sandbox, dashboard, '3 agents: 3 idle');
  expect((await publishTo(brokerOf(sandbox), statusMsg('feat-c', 'blocked'))).status).toBe(202);
  return dashboard;
}

describe.skipIf(skipWithoutTmux)('going to the agent that needs you', () => {
  it('Enter and n in the dashboard make the agent pane active; the blocked agent is listed first', async () => {
    const dashboard = await startThreeAgents();
    const screen = await waitForPaneText(sandbox, dashboard, '🟡 blocked');
    // Attention order: blocked before the idle ones, which keep roster order; the first row is selected.
    const rows = screen.split('\n').filter((line) => /feat-[abc]/.test(line));
    expect(rows.map((line) => /feat-[abc]/.exec(line)?.[0])).toEqual(['feat-c', 'feat-a', 'feat-b']);
    expect(rows[0]).toMatch(/^› feat-c/);

    sandbox.tmux(['send-keys', '-t', dashboard, 'j']);
    await waitForPaneText(sandbox, dashboard, '› feat-a');
    sandbox.tmux(['send-keys', '-t', dashboard, 'Enter']);
    await waitForActive('feat-a');

    // `n` goes to the agent needing the human most (feat-c), then on to the next one.
    sandbox.tmux(['select-pane', '-t', dashboard]);
    sandbox.tmux(['send-keys', '-t', dashboard, 'n']);
    await waitForActive('feat-c');
    sandbox.tmux(['select-pane', '-t', dashboard]);
    sandbox.tmux(['send-keys', '-t', dashboard, 'n']);
    await waitForActive('feat-a');
  });

  it('git paw next switches the client it runs in, then moves on; jump switches a named client', async () => {
    await startThreeAgents();
    // Another session holding a shell, seen by a real attached client.
    sandbox.tmux(['new-session', '-d', '-s', 'elsewhere', '-x', '120', '-y', '30', '-c', sandbox.repo]);
    const client = await attachClient('elsewhere');
    const next = `'${process.execPath}' '${CLI_PATH}' next`;
    sandbox.tmux(['send-keys', '-t', '=elsewhere:', '-l', '--', next]);
    sandbox.tmux(['send-keys', '-t', '=elsewhere:', 'Enter']);
    await pollUntil(
      () => sessionOfClient(client),
      (session) => session === 'paw-proj',
      {
        what: `client ${client} to show paw-proj`,
      },
    );
    await waitForActive('feat-c');

    // Pressed again from the agent it went to: the next agent that needs the human.
    const again = await paw(sandbox, ['next', '--client', client]);
    expect(again.code, again.stderr).toBe(0);
    await waitForActive('feat-a');

    sandbox.tmux(['switch-client', '-c', client, '-t', '=elsewhere']);
    const jumped = await paw(sandbox, ['jump', 'b', '--client', client]);
    expect(jumped.code, jumped.stderr).toBe(0);
    expect(sessionOfClient(client)).toBe('paw-proj');
    await waitForActive('feat-b');
  });

  it('git paw next says so when no agent needs you, and jump names the agents for an unknown target', async () => {
    // CLIs seen busy on screen: no agent needs the human.
    sandbox.fakeCli('claude', '#!/bin/sh\necho "Working on it (esc to interrupt)"\nexec sleep 3600\n');
    await enableBroker(sandbox);
    await pawOk(sandbox, ['start', '--no-attach', '--cli', 'claude', '--branches', 'feat/a,feat/b']);
    await waitForPaneText(sandbox, listPanes(sandbox, 'paw-proj')[0]?.id ?? '', '2 agents: 2 working');
    const none = await paw(sandbox, ['next']);
    expect([none.code, none.stdout, none.stderr]).toEqual([0, 'no agent needs you\n', '']);

    const unknown = await paw(sandbox, ['jump', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(
      "error: no agent matching 'nope' in session 'paw-proj'\nhint: the agents are: feat-a (feat/a), feat-b (feat/b)\n",
    );
    const ambiguous = await paw(sandbox, ['jump', 'feat']);
    expect(ambiguous.stderr.split('\n')[0]).toBe(
      "error: 'feat' matches more than one agent of session 'paw-proj': feat-a (feat/a), feat-b (feat/b)",
    );
  });

  it('[tmux] jump_key binds prefix + key at start and removes it at stop', async () => {
    // A session of the user's keeps the tmux server, and so its key table, alive after the stop.
    sandbox.tmux(['new-session', '-d', '-s', 'mine']);
    await startThreeAgents('[tmux]\njump_key = "N"\n');
    const binding = sandbox.tmux(['list-keys', '-T', 'prefix', 'N']);
    expect(binding).toContain('next --client');
    expect(binding).toContain(CLI_PATH);
    await pawOk(sandbox, ['stop']);
    expect(sandbox.tmux(['list-sessions', '-F', '#{session_name}'])).toBe('mine');
    expect(sandbox.tmuxStatus(['list-keys', '-T', 'prefix', 'N'])).not.toBe(0);
  });

  it('[tmux] jump_key leaves a binding of the user in place, says so, and keeps it at stop', async () => {
    sandbox.tmux(['new-session', '-d', '-s', 'mine']);
    sandbox.tmux(['bind-key', '-T', 'prefix', 'N', 'display-message', 'my own binding']);
    sandbox.fakeCli('claude');
    await enableBroker(sandbox, '[tmux]\njump_key = "N"\n');
    const started = await pawOk(sandbox, ['start', '--no-attach', '--cli', 'claude', '--branches', 'feat/a']);
    expect(started.stderr).toContain('warning: [tmux] jump_key: prefix + N is already bound');
    expect(sandbox.tmux(['list-keys', '-T', 'prefix', 'N'])).toContain('my own binding');
    await pawOk(sandbox, ['stop']);
    expect(sandbox.tmux(['list-keys', '-T', 'prefix', 'N'])).toContain('my own binding');
  });
});
