// Each agent pane of a launched session holds its own broker token, good for that agent only;
// the dashboard pane (like the user's own shells) holds the session token, which reads everything.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentToken } from '../../src/broker/auth.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { skipWithoutTmux } from '../helpers/tmux.js';
import { pawOk, readState } from '../helpers/lifecycle.js';

/** The broker variables in the environment of every pane, by `@paw_agent` (the dashboard has none). */
function paneTokens(sandbox: Sandbox): Map<string, string | undefined> {
  const lines = sandbox.tmux(['list-panes', '-s', '-t', '=paw-proj:', '-F', '#{pane_pid} #{@paw_agent}']);
  const tokens = new Map<string, string | undefined>();
  for (const line of lines.trim().split('\n')) {
    const [pid = '', agent = ''] = line.split(' ');
    const environ = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
    const token = environ.find((entry) => entry.startsWith('GIT_PAW_BROKER_TOKEN='));
    tokens.set(agent === '' ? 'dashboard' : agent, token?.slice('GIT_PAW_BROKER_TOKEN='.length));
  }
  return tokens;
}

describe.skipIf(skipWithoutTmux)('agent tokens in a launched session', () => {
  let sandbox: Sandbox;
  beforeEach(() => {
    sandbox = createSandbox();
    sandbox.fakeCli('claude');
    sandbox.writeRepoConfig('[broker]\nenabled = true\n');
  });
  afterEach(() => sandbox.cleanup());

  it('each agent pane gets its own token, which cannot act for the other agent', async () => {
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/b', '--no-attach']);
    const state = readState(sandbox) as { broker_token?: string; broker_port?: number };
    const sessionToken = state.broker_token ?? '';
    expect(sessionToken).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.fromEntries(paneTokens(sandbox))).toEqual({
      dashboard: sessionToken,
      'feat-a': agentToken(sessionToken, 'feat-a'),
      'feat-b': agentToken(sessionToken, 'feat-b'),
    });

    const url = `http://127.0.0.1:${state.broker_port ?? 0}`;
    const publish = (token: string, agentId: string) =>
      fetch(`${url}/publish`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'agent.artifact',
          agent_id: agentId,
          payload: { status: 'done', exports: [], modified_files: [] },
        }),
      });
    const tokenA = agentToken(sessionToken, 'feat-a');
    expect((await publish(tokenA, 'feat-a')).status).toBe(202);
    const spoofed = await publish(tokenA, 'feat-b');
    expect(spoofed.status).toBe(403);
    expect(await spoofed.json()).toEqual({ error: "this token belongs to agent 'feat-a', not 'feat-b'" });
    const readOther = await fetch(`${url}/messages/feat-b`, {
      headers: { authorization: `Bearer ${tokenA}` },
    });
    expect(readOther.status).toBe(403);
    const asSession = await fetch(`${url}/messages/feat-b`, {
      headers: { authorization: `Bearer ${sessionToken}` },
    });
    expect(asSession.status).toBe(200);
    expect(((await asSession.json()) as { messages: unknown[] }).messages).toHaveLength(1);
  });
});
