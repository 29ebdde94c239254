// The broker's HTTP API, route by route, and a worked example, against a real broker over
// HTTP on 127.0.0.1 (auth = "none", so requests look exactly like upstream's). Tests tagged
// [compat] assert where this broker deliberately answers differently from 0.3.0's.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pollUntil } from '../helpers/poll.js';
import {
  artifactMsg,
  blockedMsg,
  canonicalOf,
  startTestBroker,
  statusMsg,
  type TestBroker,
} from '../helpers/broker-harness.js';

let broker: TestBroker;
beforeEach(async () => {
  broker = await startTestBroker();
});
afterEach(async () => {
  await broker.cleanup();
});

const JSON_TYPE = { 'content-type': 'application/json' };
const post = (body: string, headers: Record<string, string> = JSON_TYPE) =>
  broker.request({ method: 'POST', path: '/publish', headers, body });
/** The observed-state members of an agent with no signal (or outside the roster). */
const UNOBSERVED = { state: 'not_started', state_since: null, state_source: null, state_detail: '' };
const errorOf = (body: string) => (JSON.parse(body) as { error: string }).error;
const pollBody = async (id: string, query = '') =>
  JSON.parse((await broker.poll(id, query)).body) as { messages: unknown[]; last_seq: number };

describe('POST /publish', () => {
  it('accepts a valid status with 202 and the assigned seq [compat: body {"seq":N}]', async () => {
    const reply = await broker.publish(statusMsg('feat-x'));
    expect(reply.status).toBe(202);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.body).toBe('{"seq":1}');
  });

  it('rejects a missing or non-JSON Content-Type with 415', async () => {
    for (const headers of [{}, { 'content-type': 'text/plain' }] as Record<string, string>[]) {
      const reply = await post('{}', headers);
      expect(reply.status).toBe(415);
      expect(reply.body).toBe('{"error":"Content-Type must be application/json"}');
    }
  });

  it('accepts application/json with parameters, in any case; rejects application/jsonx', async () => {
    const body = JSON.stringify(statusMsg('feat-x'));
    expect((await post(body, { 'content-type': 'application/json; charset=utf-8' })).status).toBe(202);
    expect((await post(body, { 'content-type': 'Application/JSON' })).status).toBe(202);
    expect((await post(body, { 'content-type': 'application/jsonx' })).status).toBe(415);
  });

  it('rejects an empty body', async () => {
    const reply = await post('');
    expect(reply.status).toBe(400);
    expect(reply.body).toBe('{"error":"request body must not be empty"}');
  });

  it('the Content-Type is checked before the empty body', async () => {
    expect((await post('', {})).status).toBe(415);
  });

  it('rejects bad JSON with the invalid message JSON prefix', async () => {
    for (const body of ['not json', '{not-json', '   ', '{"type":"agent.status"} trailing']) {
      const reply = await post(body);
      expect(reply.status).toBe(400);
      expect(errorOf(reply.body)).toMatch(/^invalid message JSON: /);
    }
  });

  it('rejects an unknown type and a missing field, naming it', async () => {
    const unknown = await post('{"type":"agent.unknown","agent_id":"a","payload":{}}');
    expect(unknown.status).toBe(400);
    expect(errorOf(unknown.body)).toMatch(/^invalid message JSON: unknown variant/);
    const missing = await post('{"type":"agent.status","agent_id":"a","payload":{"status":"idle"}}');
    expect(missing.status).toBe(400);
    expect(errorOf(missing.body)).toContain('modified_files');
  });

  it('answers each invalid field with its own validation string', async () => {
    const cases: [unknown, string][] = [
      [statusMsg(''), 'agent_id must not be empty'],
      [statusMsg('   '), 'agent_id must not be empty'],
      [statusMsg('feat/x'), 'agent_id contains invalid characters — only [a-z0-9-_] allowed'],
      [statusMsg('Feat-X'), 'agent_id contains invalid characters — only [a-z0-9-_] allowed'],
      [statusMsg('a', ' '), 'status field must not be empty'],
      [
        { type: 'agent.artifact', agent_id: 'a', payload: { status: '', exports: [], modified_files: [] } },
        'status field must not be empty',
      ],
      [blockedMsg('a', 'b', ''), 'needs field must not be empty'],
      [blockedMsg('a', ''), 'from field must not be empty'],
    ];
    for (const [message, error] of cases) {
      const reply = await broker.publish(message);
      expect(reply.status, JSON.stringify(message)).toBe(400);
      expect(reply.body).toBe(JSON.stringify({ error }));
    }
  });

  it('message null, message absent and unknown extra members are all accepted', async () => {
    expect((await broker.publish(statusMsg('a', 'working', { message: null }))).status).toBe(202);
    expect((await broker.publish(statusMsg('a'))).status).toBe(202);
    expect((await broker.publish({ ...statusMsg('a'), x: 1 })).status).toBe(202);
  });

  it('rejected requests consume no seq', async () => {
    await broker.publish(statusMsg('a'));
    await broker.publish(statusMsg('b'));
    expect((await post('{bad')).status).toBe(400);
    expect((await broker.publish(artifactMsg('a'))).body).toBe('{"seq":3}');
    expect((await pollBody('b')).last_seq).toBe(3);
  });

  it('a 3 MiB body gets 413 [compat: JSON body, 64 KiB limit]', async () => {
    const reply = await post('x'.repeat(3 * 1024 * 1024));
    expect(reply.status).toBe(413);
    expect(errorOf(reply.body)).toMatch(/at most 65536 bytes/);
  });
});

describe('GET /messages', () => {
  it('an unknown agent has an empty inbox', async () => {
    const reply = await broker.poll('feat-x');
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('{"messages":[],"last_seq":0}');
  });

  it('invalid ids in the path are rejected', async () => {
    for (const id of ['INVALID!', 'feat%2Fx']) {
      const reply = await broker.poll(id);
      expect(reply.status).toBe(400);
      expect(reply.body).toBe('{"error":"agent_id must match [a-z0-9-_]+"}');
    }
  });

  it('a percent-encoded dash is the same id', async () => {
    await broker.publish(statusMsg('a'));
    await broker.publish(blockedMsg('a', 'feat-x'));
    expect(canonicalOf(await broker.poll('feat%2Dx'))).toEqual(canonicalOf(await broker.poll('feat-x')));
  });

  it('bad since values are rejected', async () => {
    for (const query of [
      '?since=abc',
      '?since=-1',
      '?since=',
      '?since',
      '?since=18446744073709551616',
      '?since=%201',
    ]) {
      const reply = await broker.poll('feat-x', query);
      expect(reply.status, query).toBe(400);
      expect(reply.body).toBe('{"error":"since must be a valid u64"}');
    }
  });

  it('%2B0 and 007 are accepted, a literal + (a space) is not', async () => {
    expect((await broker.poll('feat-x', '?since=%2B0')).status).toBe(200);
    expect((await broker.poll('feat-x', '?since=007')).status).toBe(200);
    expect((await broker.poll('feat-x', '?since=+0')).status).toBe(400);
    expect((await broker.poll('feat-x', '?since=18446744073709551615')).body).toBe(
      '{"messages":[],"last_seq":18446744073709551615}',
    );
  });

  it('/messages/ and /messages/a/b are not routes', async () => {
    expect((await broker.request({ path: '/messages/' })).status).toBe(404);
    expect((await broker.request({ path: '/messages/a/b' })).status).toBe(404);
  });

  it('status messages are never routed', async () => {
    await broker.publish(statusMsg('a'));
    await broker.publish(statusMsg('b'));
    await broker.publish(statusMsg('a', 'idle'));
    expect((await pollBody('a')).messages).toEqual([]);
    expect((await pollBody('b')).messages).toEqual([]);
  });

  it('an artifact reaches every other inbox in canonical form, not the sender', async () => {
    for (const id of ['a', 'b', 'c']) await broker.publish(statusMsg(id));
    await broker.publish(artifactMsg('a'));
    const canonical =
      '{"type":"agent.artifact","agent_id":"a","payload":{"status":"done","exports":[],"modified_files":[]}}';
    for (const id of ['b', 'c']) {
      const reply = await broker.poll(id, '?since=0');
      expect(canonicalOf(reply)).toEqual([canonical]);
      expect(JSON.parse(reply.body)).toMatchObject({ last_seq: 4, messages: [{ seq: 4 }] });
      expect(reply.body).toContain(`${canonical.slice(0, -1)},"seq":4,"ts":"`);
    }
    expect((await pollBody('a')).messages).toEqual([]);
  });

  it('a late joiner outside the roster misses earlier broadcasts; a roster agent does not', async () => {
    await broker.cleanup();
    broker = await startTestBroker({ roster: [{ agent_id: 'r', cli: 'claude' }] });
    await broker.publish(statusMsg('a'));
    await broker.publish(artifactMsg('a'));
    await broker.publish(statusMsg('d'));
    expect((await pollBody('d')).messages).toEqual([]);
    expect((await pollBody('r')).messages).toHaveLength(1);
  });

  it('polling creates the inbox, so later broadcasts arrive [compat]', async () => {
    await broker.publish(statusMsg('a'));
    await broker.publish(statusMsg('b'));
    await pollBody('c');
    await pollBody('c');
    await broker.publish(artifactMsg('a'));
    expect((await pollBody('c')).messages).toHaveLength(1);
  });

  it('blocked goes to the from agent only', async () => {
    for (const id of ['a', 'b', 'c']) await broker.publish(statusMsg(id));
    await broker.publish(blockedMsg('a', 'b'));
    expect(canonicalOf(await broker.poll('b'))).toEqual([
      '{"type":"agent.blocked","agent_id":"a","payload":{"needs":"x","from":"b"}}',
    ]);
    expect((await pollBody('c')).messages).toEqual([]);
    expect((await pollBody('a')).messages).toEqual([]);
  });

  it('blocked to an agent without inbox is queued for it [compat]', async () => {
    await broker.publish(statusMsg('a'));
    expect((await broker.publish(blockedMsg('a', 't'))).status).toBe(202);
    await broker.publish(statusMsg('t'));
    expect(canonicalOf(await broker.poll('t'))).toEqual([
      '{"type":"agent.blocked","agent_id":"a","payload":{"needs":"x","from":"t"}}',
    ]);
  });

  it('from is validated like agent_id', async () => {
    const reply = await broker.publish(blockedMsg('a', 'feat/errors'));
    expect(reply.status).toBe(400);
    expect(reply.body).toBe('{"error":"from contains invalid characters — only [a-z0-9-_] allowed"}');
  });

  it('blocked to oneself lands in the own inbox', async () => {
    await broker.publish(statusMsg('a'));
    await broker.publish(blockedMsg('a', 'a'));
    expect((await pollBody('a')).messages).toHaveLength(1);
  });

  it('since filters; an up-to-date poll echoes the cursor [compat]', async () => {
    await broker.publish(statusMsg('a'));
    await broker.publish(statusMsg('b'));
    for (let i = 0; i < 5; i += 1) await broker.publish(artifactMsg('b'));
    const five = await pollBody('a', '?since=5');
    expect(five.messages).toHaveLength(2);
    expect(five.last_seq).toBe(7);
    expect(await pollBody('a', '?since=7')).toEqual({ messages: [], last_seq: 7 });
    expect(await pollBody('a', '?since=100')).toEqual({ messages: [], last_seq: 100 });
  });

  it('polling is idempotent', async () => {
    await broker.publish(statusMsg('a'));
    await broker.publish(blockedMsg('a', 'b'));
    const first = await broker.poll('b', '?since=0');
    const second = await broker.poll('b', '?since=0');
    expect(second.body).toBe(first.body);
  });

  it('concurrent publishes get distinct seqs and land in inboxes in seq order', async () => {
    await broker.publish(statusMsg('reader'));
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) => broker.publish(artifactMsg(`w${i % 8}`))),
    );
    const seqs = replies
      .map((reply) => (JSON.parse(reply.body) as { seq: number }).seq)
      .sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 2));
    const inbox = JSON.parse((await broker.poll('reader')).body) as { messages: { seq: number }[] };
    expect(inbox.messages.map((message) => message.seq)).toEqual(seqs);
  });

  it('broadcast copies share one seq', async () => {
    for (const id of ['a', 'b', 'c']) await broker.publish(statusMsg(id));
    await broker.publish(artifactMsg('a'));
    expect((await pollBody('b')).last_seq).toBe((await pollBody('c')).last_seq);
  });
});

describe('GET /status and routing basics', () => {
  it('a fresh broker, then agents with cli, summary and ages [compat: identity, real uptime]', async () => {
    const fresh = await broker.status();
    expect(fresh).toMatchObject({
      agents: [],
      git_paw: true,
      uptime_seconds: 0,
      version: '0.3.0',
      session: 'paw-test',
    });
    await broker.publish(statusMsg('alpha', 'working'));
    await broker.publish(statusMsg('beta', 'idle', { message: 'waiting for review' }));
    await broker.publish(artifactMsg('alpha', ['PawError', 'NotAGitRepo']));
    const status = await broker.status();
    expect(status.agents).toEqual([
      {
        agent_id: 'alpha',
        cli: '',
        last_seen_seconds: 0,
        status: 'done',
        summary: 'exports: PawError, NotAGitRepo',
        ...UNOBSERVED,
      },
      {
        agent_id: 'beta',
        cli: '',
        last_seen_seconds: 0,
        status: 'idle',
        summary: 'waiting for review',
        ...UNOBSERVED,
      },
    ]);
    expect(Object.keys(status)).toEqual([
      'agents',
      'git_paw',
      'instance_id',
      'message_count',
      'next_seq',
      'pid',
      'repo_path',
      'session',
      'started_at',
      'uptime_seconds',
      'version',
    ]);
    expect(status).toMatchObject({
      message_count: 3,
      next_seq: 4,
      pid: process.pid,
      instance_id: 'test-instance',
    });
  });

  it('a blocked agent shows status blocked and what it needs', async () => {
    await broker.publish(statusMsg('c'));
    await broker.publish(blockedMsg('c', 'x', 'PawError type'));
    expect((await broker.status()).agents).toEqual([
      {
        agent_id: 'c',
        cli: '',
        last_seen_seconds: 0,
        status: 'blocked',
        summary: 'needs PawError type from x',
        ...UNOBSERVED,
      },
    ]);
  });

  it('last_seen_seconds grows (upstream: after 3 s ≥ 3)', async () => {
    await broker.publish(statusMsg('a'));
    const agents = await pollUntil(
      async () => (await broker.status()).agents as { last_seen_seconds: number }[],
      (list) => (list[0]?.last_seen_seconds ?? 0) >= 1,
      { timeoutMs: 5_000, what: 'last_seen_seconds to reach 1' },
    );
    expect(agents[0]?.last_seen_seconds).toBeGreaterThanOrEqual(1);
  });

  it('roster agents are listed first, in roster order, with their cli, before they publish', async () => {
    await broker.cleanup();
    broker = await startTestBroker({
      roster: [
        { agent_id: 'feat-b', cli: 'codex' },
        { agent_id: 'feat-a', cli: 'claude' },
      ],
    });
    await broker.publish(statusMsg('zz-outsider'));
    await broker.publish(statusMsg('feat-a', 'working', { message: 'on it' }));
    expect((await broker.status()).agents).toEqual([
      { agent_id: 'feat-b', cli: 'codex', last_seen_seconds: null, status: null, summary: '', ...UNOBSERVED },
      {
        agent_id: 'feat-a',
        cli: 'claude',
        last_seen_seconds: 0,
        status: 'working',
        summary: 'on it',
        // Publishing `working` is itself an observation: the agent is running a command.
        state: 'working',
        state_since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
        state_source: 'agent',
        state_detail: '',
      },
      {
        agent_id: 'zz-outsider',
        cli: '',
        last_seen_seconds: 0,
        status: 'working',
        summary: '',
        ...UNOBSERVED,
      },
    ]);
  });

  it('ten concurrent status requests all answer with the marker', async () => {
    const replies = await Promise.all(Array.from({ length: 10 }, () => broker.request({ path: '/status' })));
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      expect(reply.body).toContain('"git_paw":true');
    }
  });

  it('HEAD /status is 200 without a body', async () => {
    const reply = await broker.request({ method: 'HEAD', path: '/status' });
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('');
  });

  it('wrong methods get 405 with Allow [compat: JSON body]', async () => {
    const cases: [string, string, string][] = [
      ['GET', '/publish', 'POST'],
      ['POST', '/status', 'GET,HEAD'],
      ['POST', '/messages/feat-x', 'GET,HEAD'],
      ['OPTIONS', '/status', 'GET,HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const reply = await broker.request({ method, path });
      expect(reply.status, `${method} ${path}`).toBe(405);
      expect(reply.headers.allow).toBe(allow);
      expect(reply.body).toBe('{"error":"method not allowed"}');
    }
  });

  it('unknown paths get 404 [compat: JSON body]', async () => {
    for (const path of ['/unknown/route', '/status/', '/', '/publish/']) {
      const reply = await broker.request({ path });
      expect(reply.status, path).toBe(404);
      expect(reply.body).toBe('{"error":"not found"}');
    }
  });

  it('the raw /status answer contains the exact marker bytes', async () => {
    expect((await broker.request({ path: '/status' })).body).toContain('"git_paw":true');
  });
});

describe('worked example', () => {
  it('routes and numbers a status round, a block and its answer', async () => {
    expect((await broker.publish(statusMsg('feat-errors'))).body).toBe('{"seq":1}');
    expect((await broker.publish(statusMsg('feat-detect'))).body).toBe('{"seq":2}');
    expect((await broker.publish(statusMsg('feat-config'))).body).toBe('{"seq":3}');
    expect((await broker.publish(blockedMsg('feat-config', 'feat-errors', 'PawError type'))).body).toBe(
      '{"seq":4}',
    );
    expect((await broker.publish(artifactMsg('feat-errors', ['PawError']))).body).toBe('{"seq":5}');

    const errors = await broker.poll('feat-errors', '?since=0');
    expect(canonicalOf(errors)).toEqual([
      '{"type":"agent.blocked","agent_id":"feat-config","payload":{"needs":"PawError type","from":"feat-errors"}}',
    ]);
    expect(JSON.parse(errors.body)).toMatchObject({ last_seq: 4 });
    const artifact =
      '{"type":"agent.artifact","agent_id":"feat-errors","payload":{"status":"done","exports":["PawError"],"modified_files":[]}}';
    for (const id of ['feat-detect', 'feat-config']) {
      const reply = await broker.poll(id, '?since=0');
      expect(canonicalOf(reply)).toEqual([artifact]);
      expect(JSON.parse(reply.body)).toMatchObject({ last_seq: 5 });
    }
    expect(await pollBody('feat-detect', '?since=5')).toEqual({ messages: [], last_seq: 5 });
    const statuses = Object.fromEntries(
      ((await broker.status()).agents as { agent_id: string; status: string }[]).map((a) => [
        a.agent_id,
        a.status,
      ]),
    );
    expect(statuses).toEqual({ 'feat-errors': 'done', 'feat-detect': 'working', 'feat-config': 'blocked' });
  });
});
