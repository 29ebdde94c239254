// The built demo agent (dist/demo/agent.js) against a minimal in-test broker on 127.0.0.1 that
// records every request and routes messages like the real one (blocked → `from`, artifact → all
// other inboxes). Independent of src/broker on purpose.
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { pollUntil } from '../helpers/poll.js';

const AGENT = fileURLToPath(new URL('../../dist/demo/agent.js', import.meta.url));
const TOKEN = 'test-token-123';

interface Published {
  seq: number;
  type: string;
  agent_id: string;
  payload: Record<string, unknown>;
  authorization: string | undefined;
  contentType: string | undefined;
}

type Message = Pick<Published, 'type' | 'agent_id' | 'payload'>;

interface Poll {
  agent: string;
  since: number;
  returned: number;
}

class MiniBroker {
  readonly published: Published[] = [];
  readonly polls: Poll[] = [];
  private readonly inboxes = new Map<string, Published[]>();
  private readonly server: Server;

  /** `emptyLastSeq: 'zero'` answers empty polls with last_seq 0, as upstream 0.3.0 did. */
  constructor(
    readonly roster: string[],
    private readonly emptyLastSeq: 'since' | 'zero' = 'since',
  ) {
    for (const id of roster) this.inboxes.set(id, []);
    this.server = createServer((request, response) => {
      void this.handle(request).then(({ code, body }) => {
        response.writeHead(code, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      });
    });
  }

  listen(port = 0): Promise<number> {
    return new Promise((resolve) =>
      this.server.listen(port, '127.0.0.1', () => resolve((this.server.address() as AddressInfo).port)),
    );
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Stores and routes one message: blocked → the inbox of `from`, artifact → every other inbox. */
  accept(message: Message, authorization?: string, contentType?: string): Published {
    const record: Published = { ...message, seq: this.published.length + 1, authorization, contentType };
    this.published.push(record);
    if (!this.inboxes.has(record.agent_id)) this.inboxes.set(record.agent_id, []);
    if (record.type === 'agent.blocked') this.inboxes.get(String(record.payload.from))?.push(record);
    if (record.type === 'agent.artifact') {
      for (const [id, inbox] of this.inboxes) if (id !== record.agent_id) inbox.push(record);
    }
    return record;
  }

  statusesOf(agent: string): string[] {
    return this.published
      .filter((message) => message.agent_id === agent)
      .map((message) => (message.type === 'agent.blocked' ? 'blocked' : String(message.payload.status)));
  }

  private async handle(request: IncomingMessage): Promise<{ code: number; body: unknown }> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/status') {
      return { code: 200, body: { git_paw: true, agents: this.roster.map((agent_id) => ({ agent_id })) } };
    }
    if (request.headers.authorization !== `Bearer ${TOKEN}`)
      return { code: 401, body: { error: 'missing or wrong token' } };
    if (request.method === 'POST' && url.pathname === '/publish') {
      let text = '';
      for await (const chunk of request) text += String(chunk);
      const record = this.accept(
        JSON.parse(text) as Message,
        request.headers.authorization,
        request.headers['content-type'],
      );
      return { code: 202, body: { seq: record.seq } };
    }
    const inboxMatch = /^\/messages\/([a-z0-9_-]+)$/.exec(url.pathname);
    if (request.method === 'GET' && inboxMatch?.[1]) {
      const agent = inboxMatch[1];
      const since = Number(url.searchParams.get('since') ?? '0');
      const messages = (this.inboxes.get(agent) ?? []).filter((message) => message.seq > since);
      this.polls.push({ agent, since, returned: messages.length });
      return {
        code: 200,
        body: {
          messages: messages.map(({ type, agent_id, payload }) => ({ type, agent_id, payload })),
          last_seq: messages.at(-1)?.seq ?? (this.emptyLastSeq === 'zero' ? 0 : since),
        },
      };
    }
    return { code: 404, body: { error: 'not found' } };
  }
}

interface AgentRun {
  done: Promise<{ code: number; stdout: string; stderr: string }>;
  stdout: () => string;
}

function runAgent(agentId: string, env: NodeJS.ProcessEnv): AgentRun {
  const child = spawn(process.execPath, [AGENT], {
    env: { PATH: process.env.PATH, GIT_PAW_AGENT_ID: agentId, GIT_PAW_DEMO_SPEED: '10', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
  const done = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, stdout, stderr });
    }),
  );
  return { done, stdout: () => stdout };
}

let broker: MiniBroker | undefined;
afterEach(async () => {
  await broker?.close();
  broker = undefined;
});

describe('demo agent against a broker', () => {
  it('publishes working → blocked → artifact done across three agents, with the token, and everyone ends done', async () => {
    broker = new MiniBroker(['feat-api', 'feat-ui', 'feat-docs']);
    const port = await broker.listen();
    const env = { GIT_PAW_BROKER_URL: `http://127.0.0.1:${port}`, GIT_PAW_BROKER_TOKEN: TOKEN };
    const runs = ['feat-api', 'feat-ui', 'feat-docs'].map((id) => runAgent(id, env));
    const results = await Promise.all(runs.map((run) => run.done));
    for (const result of results) expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' });

    for (const message of broker.published) {
      expect(message.authorization).toBe(`Bearer ${TOKEN}`);
      expect(message.contentType).toBe('application/json');
    }
    expect(broker.statusesOf('feat-api')[0]).toBe('working');
    expect(broker.statusesOf('feat-api').at(-1)).toBe('done');
    expect(broker.statusesOf('feat-ui')).toEqual(['working', 'blocked', 'working', 'done']);
    expect(broker.statusesOf('feat-docs')[0]).toBe('working');
    expect(broker.statusesOf('feat-docs').at(-1)).toBe('done');

    const blocked = broker.published.find((message) => message.type === 'agent.blocked');
    expect(blocked).toMatchObject({
      agent_id: 'feat-ui',
      payload: { from: 'feat-api', needs: 'UserApi types' },
    });
    const apiDone = broker.published.find(
      (message) => message.agent_id === 'feat-api' && message.type === 'agent.artifact',
    );
    expect(apiDone?.payload.exports).toEqual(['UserApi', 'GET /users']);
    // The blocked agent went back to work only after the provider's artifact reached its inbox.
    const uiResumed = broker.published.filter((message) => message.agent_id === 'feat-ui')[2];
    expect(uiResumed?.seq).toBeGreaterThan(apiDone?.seq ?? Infinity);
    expect(broker.polls.some((poll) => poll.agent === 'feat-ui' && poll.returned > 0)).toBe(true);

    const [api, ui] = results;
    expect(api?.stdout).toMatch(/← inbox since \d+: feat-ui is blocked and needs "UserApi types" from me/);
    expect(ui?.stdout).toContain('→ blocked: need "UserApi types" from feat-api');
    expect(ui?.stdout).toMatch(/← inbox since \d+: feat-api is done, exports UserApi, GET \/users/);
  });

  it('keeps its cursor on empty replies, even from a broker that answers them with last_seq 0', async () => {
    broker = new MiniBroker(['feat-docs'], 'zero');
    const port = await broker.listen();
    const docs = runAgent('feat-docs', {
      GIT_PAW_BROKER_URL: `http://127.0.0.1:${port}`,
      GIT_PAW_BROKER_TOKEN: TOKEN,
    });
    const docsPolls = () => broker?.polls.filter((poll) => poll.agent === 'feat-docs') ?? [];
    await pollUntil(
      () => docsPolls().length,
      (count) => count >= 1,
      { what: 'feat-docs to poll its inbox' },
    );
    const request = broker.accept({
      type: 'agent.blocked',
      agent_id: 'feat-review',
      payload: { needs: 'a glossary', from: 'feat-docs' },
    });
    await pollUntil(docsPolls, (polls) => polls.filter((poll) => poll.since === request.seq).length >= 2, {
      what: 'feat-docs to poll twice past the request',
    });
    broker.accept({
      type: 'agent.artifact',
      agent_id: 'feat-api',
      payload: { status: 'done', exports: ['UserApi'], modified_files: [] },
    });
    const result = await docs.done;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('← inbox since 0: feat-review is blocked and needs "a glossary" from me');
    expect(result.stdout).toContain(`← inbox since ${request.seq}: nothing new`);
    const sinces = docsPolls().map((poll) => poll.since);
    const firstPast = sinces.indexOf(request.seq);
    expect(firstPast).toBeGreaterThan(0);
    expect(sinces.slice(0, firstPast).every((since) => since === 0)).toBe(true);
    expect(sinces.slice(firstPast).every((since) => since === request.seq)).toBe(true);
  });

  it('waits politely for a broker that is not up yet, then carries on', async () => {
    const probe = new MiniBroker([]);
    const port = await probe.listen();
    await probe.close();
    const run = runAgent('feat-x', {
      GIT_PAW_BROKER_URL: `http://127.0.0.1:${port}`,
      GIT_PAW_BROKER_TOKEN: TOKEN,
    });
    await pollUntil(run.stdout, (text) => text.includes('waiting for the broker'), {
      what: 'the agent to say it waits',
    });
    broker = new MiniBroker(['feat-x']);
    await broker.listen(port);
    const result = await run.done;
    expect(result.code).toBe(0);
    expect(result.stdout.match(/waiting for the broker/g)).toHaveLength(1);
    expect(broker.statusesOf('feat-x')).toEqual(['working', 'working', 'done']);
  });

  it('stops with a clear error when the broker refuses its token', async () => {
    broker = new MiniBroker(['feat-api']);
    const port = await broker.listen();
    const result = await runAgent('feat-api', {
      GIT_PAW_BROKER_URL: `http://127.0.0.1:${port}`,
      GIT_PAW_BROKER_TOKEN: 'wrong',
    }).done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: demo agent: the broker refused POST \/publish: HTTP 401/);
    expect(broker.published).toEqual([]);
  });

  it('refuses to start without a broker URL', async () => {
    const result = await runAgent('feat-api', {}).done;
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: demo agent: GIT_PAW_BROKER_URL is not set (the demo agent runs inside `git paw demo`)\n',
    );
  });
});
