// The broker's MCP endpoint, driven by the SDK's own client over real HTTP: the tools, the
// once-only inbox across a restart, the long poll, and the refusals an agent sees as MCP errors.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { agentToken } from '../../src/broker/auth.js';
import { artifactMsg, startTestBroker, type TestBroker } from '../helpers/broker-harness.js';

const SESSION_TOKEN = 'a'.repeat(64);
const ROSTER = [
  { agent_id: 'feat-a', cli: 'claude' },
  { agent_id: 'feat-b', cli: 'codex' },
];

let broker: TestBroker | undefined;
const clients: Client[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close().catch(() => undefined);
  await broker?.cleanup();
  broker = undefined;
});

async function start(dir?: string): Promise<TestBroker> {
  broker = await startTestBroker({ roster: ROSTER, token: SESSION_TOKEN, ...(dir ? { dir } : {}) });
  return broker;
}

async function connect(
  target: TestBroker,
  agentId: string,
  options: { token?: string; headers?: Record<string, string> } = {},
): Promise<Client> {
  const token = options.token ?? agentToken(SESSION_TOKEN, agentId);
  const transport = new StreamableHTTPClientTransport(new URL(`${target.url}/mcp/${agentId}`), {
    requestInit: { headers: { authorization: `Bearer ${token}`, ...options.headers } },
  });
  const client = new Client({ name: 'test', version: '1.0.0' });
  clients.push(client);
  await client.connect(transport);
  return client;
}

async function call(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

/** The JSON a tool answered with (its one text block). */
function answer(result: CallToolResult): Record<string, unknown> {
  const block = result.content[0];
  if (block?.type !== 'text') throw new Error(`no text in ${JSON.stringify(result)}`);
  if (result.isError) throw new Error(`tool error: ${block.text}`);
  return JSON.parse(block.text) as Record<string, unknown>;
}

function errorText(result: CallToolResult): string {
  const block = result.content[0];
  expect(result.isError, JSON.stringify(result)).toBe(true);
  return block?.type === 'text' ? block.text : '';
}

type Agent = { agent_id: string; status: string | null; summary: string };

describe('MCP endpoint', () => {
  it('initializes with instructions and lists the six tools with strict schemas', async () => {
    const client = await connect(await start(), 'feat-a');
    expect(client.getServerVersion()?.name).toBe('git-paw');
    expect(client.getInstructions()).toMatch(/publish_status/);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'list_peers',
      'publish_artifact',
      'publish_status',
      'read_inbox',
      'report_blocked',
      'wait_for_message',
    ]);
    const status = tools.find((tool) => tool.name === 'publish_status');
    expect(status?.inputSchema.required).toEqual(['status', 'message']);
    expect(status?.inputSchema.additionalProperties).toBe(false);
  });

  it('publishes through the same path as /publish: seq, /status summary and the log', async () => {
    const target = await start();
    const client = await connect(target, 'feat-a');
    const first = answer(
      await call(client, 'publish_status', { status: 'working', message: 'parsing the config' }),
    );
    expect(first).toEqual({ seq: 1 });
    expect((await target.publish(artifactMsg('feat-b', ['x']))).body).toBe('{"seq":2}');
    const agents = (await target.status()).agents as Agent[];
    expect(agents.find((agent) => agent.agent_id === 'feat-a')).toMatchObject({
      status: 'working',
      summary: 'parsing the config',
    });
    expect(answer(await call(client, 'publish_artifact', { exports: ['parseConfig'] }))).toEqual({ seq: 3 });
    const peerInbox = JSON.parse((await target.poll('feat-b')).body) as { messages: { payload: unknown }[] };
    expect(peerInbox.messages.map((message) => message.payload)).toEqual([
      { status: 'done', exports: ['parseConfig'], modified_files: [] },
    ]);
  });

  it('report_blocked reaches only the named peer; naming yourself or a stranger is refused', async () => {
    const target = await start();
    const client = await connect(target, 'feat-a');
    expect(errorText(await call(client, 'report_blocked', { needs: 'x', from: 'feat-a' }))).toMatch(
      /not yourself/,
    );
    expect(errorText(await call(client, 'report_blocked', { needs: 'x', from: 'nobody' }))).toMatch(
      /'nobody' is not an agent of this session; its agents are: feat-a, feat-b/,
    );
    expect(answer(await call(client, 'report_blocked', { needs: 'the schema', from: 'feat-b' }))).toEqual({
      seq: 1,
    });
    const peer = await connect(target, 'feat-b');
    const inbox = answer(await call(peer, 'read_inbox'));
    expect(inbox.messages).toMatchObject([
      { type: 'agent.blocked', agent_id: 'feat-a', payload: { needs: 'the schema', from: 'feat-b' }, seq: 1 },
    ]);
  });

  it('read_inbox returns each message once, also after the broker restarts', async () => {
    const target = await start();
    const dir = target.dir;
    const client = await connect(target, 'feat-b');
    await target.publish(artifactMsg('feat-a', ['one']));
    expect((answer(await call(client, 'read_inbox')).messages as unknown[]).length).toBe(1);
    expect(answer(await call(client, 'read_inbox')).messages).toEqual([]);
    await target.publish(artifactMsg('feat-a', ['two']));
    await target.stop();

    const again = await start(dir);
    const reconnected = await connect(again, 'feat-b');
    const after = answer(await call(reconnected, 'read_inbox')).messages as {
      payload: { exports: string[] };
    }[];
    expect(after.map((message) => message.payload.exports)).toEqual([['two']]);
    expect(answer(await call(reconnected, 'read_inbox')).messages).toEqual([]);
  });

  it('wait_for_message wakes on a publish and times out cleanly', async () => {
    const target = await start();
    const client = await connect(target, 'feat-b');
    expect(answer(await call(client, 'wait_for_message', { timeout_seconds: 1 }))).toEqual({
      messages: [],
      timed_out: true,
    });
    const peer = await connect(target, 'feat-a');
    const waiting = call(client, 'wait_for_message', { timeout_seconds: 60 });
    await call(peer, 'publish_artifact', { exports: ['done-thing'] });
    const woken = answer(await waiting).messages as { payload: { exports: string[] } }[];
    expect(woken.map((message) => message.payload.exports)).toEqual([['done-thing']]);
  });

  it('list_peers shows the /status agents, the caller marked', async () => {
    const target = await start();
    const client = await connect(target, 'feat-a');
    await call(client, 'publish_status', { status: 'testing', message: 'running the suite' });
    const peers = answer(await call(client, 'list_peers'));
    expect(peers.you).toBe('feat-a');
    expect(peers.agents).toMatchObject([
      { agent_id: 'feat-a', cli: 'claude', status: 'testing', summary: 'running the suite', you: true },
      { agent_id: 'feat-b', cli: 'codex', status: null, state: 'not_started' },
    ]);
  });

  it('refuses a wrong token, another agent, an id off the roster, a foreign Host or Origin', async () => {
    const target = await start();
    await expect(connect(target, 'feat-a', { token: 'b'.repeat(64) })).rejects.toThrow(
      /invalid bearer token/,
    );
    await expect(connect(target, 'feat-a', { token: agentToken(SESSION_TOKEN, 'feat-b') })).rejects.toThrow(
      /belongs to agent 'feat-b', not 'feat-a'/,
    );
    await expect(connect(target, 'stranger', { token: SESSION_TOKEN })).rejects.toThrow(
      /agent 'stranger' is not in this session/,
    );
    await expect(connect(target, 'feat-a', { headers: { origin: 'http://evil.example' } })).rejects.toThrow(
      /Origin 'http:\/\/evil.example' is not allowed/,
    );
    const wrongHost = await target.request({
      method: 'POST',
      path: '/mcp/feat-a',
      headers: {
        host: 'evil.example:80',
        authorization: `Bearer ${agentToken(SESSION_TOKEN, 'feat-a')}`,
        'content-type': 'application/json',
      },
      body: '{}',
    });
    expect(wrongHost.status).toBe(403);
    expect(wrongHost.body).toMatch(/Host 'evil.example:80' is not this broker's address/);
  });

  it('answers hostile JSON-RPC with errors and keeps serving', async () => {
    const target = await start();
    const headers = {
      authorization: `Bearer ${agentToken(SESSION_TOKEN, 'feat-a')}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    const post = (body: string) => target.request({ method: 'POST', path: '/mcp/feat-a', headers, body });
    const huge = await post(
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { x: 'y'.repeat(70_000) } }),
    );
    expect(huge.status).toBe(413);
    expect((await post('{"jsonrpc":')).body).toMatch(/Parse error/);
    expect((await post('{"jsonrpc":"2.0","id":{"x":1},"method":7}')).status).toBe(400);
    const unknown = await post('{"jsonrpc":"2.0","id":1,"method":"no/such/method","params":{}}');
    expect(JSON.parse(unknown.body)).toMatchObject({ error: { code: -32601 } });
    const tooMany = JSON.stringify(
      Array.from({ length: 1_200 }, (_, id) => ({ jsonrpc: '2.0', id, method: 'ping' })),
    );
    expect((await post(tooMany)).status).toBe(400);
    const flood = Array.from({ length: 50 }, () =>
      post(
        JSON.stringify(Array.from({ length: 50 }, (_, id) => ({ jsonrpc: '2.0', id, method: 'tools/list' }))),
      ),
    );
    for (const reply of await Promise.all(flood)) expect([200, 400, 503]).toContain(reply.status);
    const client = await connect(target, 'feat-a');
    expect(
      answer(await call(client, 'publish_status', { status: 'working', message: 'still here' })),
    ).toEqual({
      seq: 1,
    });
  });

  it('is not found when [broker] mcp = false', async () => {
    broker = await startTestBroker({ roster: ROSTER, token: SESSION_TOKEN, mcp: false });
    await expect(connect(broker, 'feat-a')).rejects.toThrow(/MCP is turned off in this session/);
  });

  it('rejects bad arguments with a tool error the model can read', async () => {
    const client = await connect(await start(), 'feat-a');
    expect(errorText(await call(client, 'publish_status', { status: 'x' }))).toMatch(/message/);
    expect(
      errorText(await call(client, 'publish_status', { status: 'x', message: 'y', agent_id: 'feat-b' })),
    ).toMatch(/agent_id/);
    expect(errorText(await call(client, 'wait_for_message', { timeout_seconds: 600 }))).toMatch(/60/);
    expect(
      errorText(await call(client, 'publish_status', { status: 'x', message: 'y'.repeat(17_000) })),
    ).toMatch(/message must be at most 16384 bytes/);
  });
});
