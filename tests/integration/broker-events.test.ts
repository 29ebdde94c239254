// Hook events posted to a real broker process (the built server in its window's restart loop): an
// event moves the agent's state on /status, every kind of bad event is refused with a JSON error
// and changes nothing, the recent signals can be read with the token, and the state survives a
// crash of the server (the loop restarts it and it replays its log).
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrokerProcess, type RunningBroker } from '../helpers/broker-process.js';
import { pollUntil } from '../helpers/poll.js';
import { httpRequest, type HttpReply } from '../helpers/broker-harness.js';

interface AgentEntry {
  agent_id: string;
  status: string | null;
  state: string;
  state_since: string | null;
  state_source: string | null;
  state_detail: string;
}

let broker: RunningBroker;
let port: number;
let token: string;

beforeAll(async () => {
  broker = await startBrokerProcess('paw-events', {
    roster: [
      { branch: 'feat/a', cli: 'claude' },
      { branch: 'feat/b', cli: 'codex' },
    ],
  });
  port = broker.plan.port;
  token = broker.plan.token as string;
});
afterAll(() => broker.stop());

function postEvent(
  agentId: string,
  body: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${token}` },
): Promise<HttpReply> {
  return httpRequest(port, {
    method: 'POST',
    path: `/events/${agentId}`,
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function statusDoc(): Promise<{ pid: number; agents: AgentEntry[] }> {
  const reply = await httpRequest(port, { path: '/status' });
  if (reply.status !== 200) throw new Error(`GET /status answered ${reply.status}: ${reply.body}`);
  return JSON.parse(reply.body) as { pid: number; agents: AgentEntry[] };
}

const agent = async (id: string) => (await statusDoc()).agents.find((entry) => entry.agent_id === id);
const stateLines = () =>
  existsSync(broker.plan.logPath)
    ? readFileSync(broker.plan.logPath, 'utf8')
        .split('\n')
        .filter((line) => line.includes('"signal"'))
    : [];
const claude = (event: string, extra: Record<string, unknown> = {}) => ({
  session_id: 'sess-1',
  cwd: '/tmp/wt',
  hook_event_name: event,
  ...extra,
});

describe('POST /events/<agent_id>', () => {
  it('refuses bad events with a JSON error and changes nothing', async () => {
    const refusals: [Promise<HttpReply>, number, RegExp][] = [
      [postEvent('feat-zz', claude('UserPromptSubmit')), 404, /^agent 'feat-zz' is not in this session$/],
      [postEvent('Feat-A', claude('UserPromptSubmit')), 400, /agent_id must match/],
      [postEvent('feat-a', '{"hook_event_name":'), 400, /^invalid hook JSON: /],
      [postEvent('feat-a', claude('NoSuchEvent')), 400, /^not a hook event git-paw knows for claude$/],
      [postEvent('feat-a', '[1,2]'), 400, /^not a hook event/],
      [postEvent('feat-a', ''), 400, /^request body must not be empty$/],
      [postEvent('feat-b', claude('Stop')), 400, /^not a hook event git-paw knows for codex$/],
      [postEvent('feat-a', claude('Stop'), { authorization: 'Bearer wrong' }), 401, /^invalid bearer token$/],
      [postEvent('feat-a', claude('Stop'), {}), 401, /^missing bearer token/],
      [
        postEvent('feat-a', claude('Stop'), {
          authorization: `Bearer ${token}`,
          'content-type': 'text/plain',
        }),
        415,
        /^Content-Type must be application\/json$/,
      ],
      [
        postEvent('feat-a', claude('Stop', { pad: 'x'.repeat(70_000) })),
        413,
        /^request body must be at most 65536 bytes$/,
      ],
      [
        postEvent('feat-a', claude('Stop'), {
          authorization: `Bearer ${token}`,
          origin: 'http://evil.example',
        }),
        403,
        /^Origin 'http:\/\/evil.example' is not allowed$/,
      ],
    ];
    for (const [pending, status, error] of refusals) {
      const reply = await pending;
      expect(reply.status, reply.body).toBe(status);
      expect(reply.headers['content-type']).toBe('application/json');
      expect((JSON.parse(reply.body) as { error: string }).error).toMatch(error);
    }
    const get = await httpRequest(port, {
      path: '/events/feat-a',
      headers: { authorization: `Bearer ${token}` },
    });
    expect([get.status, get.headers.allow]).toEqual([405, 'POST']);
    expect((await statusDoc()).agents.map((entry) => entry.state)).toEqual(['not_started', 'not_started']);
    expect(stateLines()).toEqual([]);
  });

  it('answers 202 and changes nothing for an event that says nothing about the agent', async () => {
    const reply = await postEvent('feat-a', claude('Notification', { notification_type: 'auth_success' }));
    expect([reply.status, reply.body]).toEqual([202, '{"outcome":"ignored"}']);
    expect(await agent('feat-a')).toMatchObject({ state: 'not_started' });
  });

  it('moves the state on /status, keeps 0.3.0 members, and shows the signals to a token holder', async () => {
    const prompt = await postEvent('feat-a', claude('UserPromptSubmit', { prompt: 'go' }));
    expect([prompt.status, prompt.body]).toEqual([202, '{"outcome":"decided"}']);
    const working = await agent('feat-a');
    expect(working).toMatchObject({
      agent_id: 'feat-a',
      status: null,
      state: 'working',
      state_source: 'hook',
      state_detail: 'prompt submitted',
    });
    expect(Number.isNaN(Date.parse(working?.state_since ?? ''))).toBe(false);

    const tool = await postEvent('feat-a', claude('PreToolUse', { tool_name: 'Bash' }));
    expect(tool.body).toBe('{"outcome":"confirmed"}');
    await postEvent('feat-a', claude('PermissionRequest', { tool_name: 'Bash' }));
    expect(await agent('feat-a')).toMatchObject({ state: 'waiting', state_detail: 'permission: Bash' });
    await postEvent('feat-b', { type: 'agent-turn-complete', 'input-messages': ['fix it'] });
    expect(await agent('feat-b')).toMatchObject({ state: 'idle', state_source: 'hook' });

    const signals = await httpRequest(port, {
      path: '/agents/feat-a/signals',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(signals.status).toBe(200);
    const body = JSON.parse(signals.body) as {
      state: string;
      signals: { outcome: string; detail: string }[];
    };
    expect(body.state).toBe('waiting');
    expect(body.signals.map((entry) => [entry.outcome, entry.detail])).toEqual([
      ['decided', 'prompt submitted'],
      ['confirmed', 'tool: Bash'],
      ['decided', 'permission: Bash'],
    ]);
    expect((await httpRequest(port, { path: '/agents/feat-a/signals' })).status).toBe(401);
    const unknown = await httpRequest(port, {
      path: '/agents/nobody/signals',
      headers: { authorization: `Bearer ${token}` },
    });
    expect([unknown.status, unknown.body]).toEqual([
      404,
      `{"error":"agent 'nobody' is not in this session"}`,
    ]);
  });

  it('keeps the state across a crash of the broker server', async () => {
    await postEvent('feat-a', claude('StopFailure', { error: 'rate_limit' }));
    const before = await statusDoc();
    const errored = before.agents[0];
    expect(errored).toMatchObject({ state: 'error', state_detail: 'rate_limit' });
    process.kill(before.pid, 'SIGKILL');
    const after = await pollUntil(
      () => statusDoc(),
      (doc) => doc.pid !== before.pid,
      { what: 'the restarted broker server' },
    );
    expect(after.agents).toEqual(before.agents);
    const exited = await postEvent('feat-a', claude('SessionEnd', { reason: 'prompt_input_exit' }));
    expect(exited.body).toBe('{"outcome":"decided"}');
    expect(await agent('feat-a')).toMatchObject({ state: 'exited', state_detail: 'prompt_input_exit' });
  });
});
