// The broker's security and limits over real HTTP: bearer token, Host / Origin checks, body and
// field limits with JSON errors, framework-level rejections as JSON, and the memory caps.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { agentToken } from '../../src/broker/auth.js';
import { DEFAULT_LIMITS } from '../../src/broker/server/state.js';
import {
  artifactMsg,
  blockedMsg,
  startTestBroker,
  statusMsg,
  type TestBroker,
} from '../helpers/broker-harness.js';

let broker: TestBroker | undefined;
afterEach(async () => {
  await broker?.cleanup();
  broker = undefined;
});

const TOKEN = 'a'.repeat(64);
const errorOf = (body: string) => (JSON.parse(body) as { error: string }).error;

/** Sends raw bytes on a new connection and returns everything the broker answers until it closes. */
function rawExchange(port: number, payload: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.end(payload);
  });
}

describe('bearer token', () => {
  it('is required on /publish and /messages, not on /status', async () => {
    broker = await startTestBroker({ token: TOKEN, roster: [{ agent_id: 'a', cli: 'claude' }] });
    const body = JSON.stringify(statusMsg('a'));
    const json = { 'content-type': 'application/json' };
    const missing = await broker.request({ method: 'POST', path: '/publish', headers: json, body });
    expect(missing.status).toBe(401);
    expect(errorOf(missing.body)).toMatch(/^missing bearer token/);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    const wrong = await broker.request({
      method: 'POST',
      path: '/publish',
      headers: { ...json, authorization: `Bearer ${'b'.repeat(64)}` },
      body,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toBe('{"error":"invalid bearer token"}');
    const short = await broker.request({
      method: 'POST',
      path: '/publish',
      headers: { ...json, authorization: 'Bearer x' },
      body,
    });
    expect(short.status).toBe(401);
    expect((await broker.request({ path: '/messages/a' })).status).toBe(401);
    expect((await broker.request({ method: 'HEAD', path: '/messages/a' })).status).toBe(401);
    expect((await broker.request({ path: '/status' })).status).toBe(200);

    const right = await broker.request({
      method: 'POST',
      path: '/publish',
      headers: { ...json, authorization: `bearer ${TOKEN}` },
      body,
    });
    expect(right.status).toBe(202);
    expect((await broker.poll('a')).status).toBe(200);
    expect((await broker.status()).message_count).toBe(1);
  });

  it('is ignored when auth = "none"', async () => {
    broker = await startTestBroker({ token: null });
    const reply = await broker.request({
      method: 'POST',
      path: '/publish',
      headers: { 'content-type': 'application/json', authorization: 'Bearer whatever' },
      body: JSON.stringify(statusMsg('a')),
    });
    expect(reply.status).toBe(202);
  });
});

describe('agent tokens', () => {
  const roster = [
    { agent_id: 'a', cli: 'claude' },
    { agent_id: 'b', cli: 'claude' },
  ];
  const json = { 'content-type': 'application/json' };
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const publishWith = (token: string, message: unknown) =>
    broker!.request({
      method: 'POST',
      path: '/publish',
      headers: { ...json, ...as(token) },
      body: JSON.stringify(message),
    });

  it('let an agent act for itself only: not publish as another, read its inbox or post its events', async () => {
    broker = await startTestBroker({ token: TOKEN, roster });
    const tokenA = agentToken(TOKEN, 'a');
    expect((await publishWith(tokenA, artifactMsg('a', ['x']))).status).toBe(202);
    expect((await broker.request({ path: '/messages/a', headers: as(tokenA) })).status).toBe(200);

    const refusals = [
      await publishWith(tokenA, artifactMsg('b')),
      await broker.request({ path: '/messages/b', headers: as(tokenA) }),
      await broker.request({
        method: 'POST',
        path: '/events/b',
        headers: { ...json, ...as(tokenA) },
        body: '{"hook_event_name":"Stop"}',
      }),
      await broker.request({ path: '/agents/b/signals', headers: as(tokenA) }),
    ];
    for (const reply of refusals) {
      expect(reply.status).toBe(403);
      expect(reply.headers['content-type']).toBe('application/json');
      expect(reply.body).toBe(`{"error":"this token belongs to agent 'a', not 'b'"}`);
    }
    // Another session's token for the same agent id is no token here.
    const foreign = await publishWith(agentToken('b'.repeat(64), 'a'), artifactMsg('a'));
    expect(foreign.status).toBe(401);
    expect((await broker.status()).message_count).toBe(1);
  });

  it('let the session token read every inbox and publish as any agent', async () => {
    broker = await startTestBroker({ token: TOKEN, roster });
    expect((await publishWith(TOKEN, artifactMsg('a', ['from-a']))).status).toBe(202);
    expect((await publishWith(TOKEN, artifactMsg('b', ['from-b']))).status).toBe(202);
    const inboxB = await broker.request({ path: '/messages/b', headers: as(TOKEN) });
    expect(inboxB.status).toBe(200);
    expect(inboxB.body).toContain('from-a');
    const inboxA = await broker.request({ path: '/messages/a', headers: as(TOKEN) });
    expect(inboxA.body).toContain('from-b');
  });

  it('refuse ids outside the session instead of giving them inboxes', async () => {
    broker = await startTestBroker({ token: TOKEN, roster });
    const publish = await publishWith(TOKEN, statusMsg('stranger'));
    expect(publish.status).toBe(404);
    expect(publish.body).toBe(`{"error":"agent 'stranger' is not in this session"}`);
    for (let i = 0; i < 5; i += 1) {
      const poll = await broker.request({ path: `/messages/random-${i}`, headers: as(TOKEN) });
      expect(poll.status).toBe(404);
    }
    const agents = (await broker.status()).agents as { agent_id: string }[];
    expect(agents.map((agent) => agent.agent_id)).toEqual(['a', 'b']);
    await broker.stop();
    expect(readFileSync(broker.logPath, 'utf8')).toBe('');
  });

  it('change nothing under auth = "none": any id publishes and polls', async () => {
    broker = await startTestBroker({ token: null, roster });
    expect((await broker.publish(statusMsg('stranger'))).status).toBe(202);
    expect((await broker.poll('other')).status).toBe(200);
  });
});

describe('Host and Origin (DNS rebinding)', () => {
  it('accepts the broker own authorities and rejects any other Host or Origin with 403 JSON', async () => {
    broker = await startTestBroker();
    const port = broker.port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      expect((await broker.request({ path: '/status', headers: { host } })).status, host).toBe(200);
    }
    for (const host of [
      `evil.example:${port}`,
      '127.0.0.1',
      `127.0.0.1:${port + 1}`,
      `127.0.0.1.evil.example:${port}`,
    ]) {
      const reply = await broker.request({ path: '/status', headers: { host } });
      expect(reply.status, host).toBe(403);
      expect(errorOf(reply.body)).toContain('is not this broker');
    }
    const rebinding = await broker.request({
      method: 'POST',
      path: '/publish',
      headers: { host: `attacker.example:${port}`, 'content-type': 'application/json' },
      body: JSON.stringify(statusMsg('a')),
    });
    expect(rebinding.status).toBe(403);
    expect(await rawExchange(port, 'GET /status HTTP/1.0\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 403[\s\S]*"error":"missing Host header"/,
    );

    expect(
      (await broker.request({ path: '/status', headers: { origin: `http://127.0.0.1:${port}` } })).status,
    ).toBe(200);
    for (const origin of ['http://evil.example', 'null', `https://127.0.0.1:${port}`]) {
      const reply = await broker.request({ path: '/status', headers: { origin } });
      expect(reply.status, origin).toBe(403);
      expect(errorOf(reply.body)).toContain('Origin');
    }
    expect((await broker.status()).message_count).toBe(0);
  });
});

describe('limits and JSON errors', () => {
  const json = { 'content-type': 'application/json' };

  it('answers a 100 KB body with a JSON 413, declared or chunked, and keeps serving', async () => {
    broker = await startTestBroker();
    const big = JSON.stringify({ ...statusMsg('a'), pad: 'x'.repeat(100 * 1024) });
    const declared = await broker.request({ method: 'POST', path: '/publish', headers: json, body: big });
    expect(declared.status).toBe(413);
    expect(declared.headers['content-type']).toBe('application/json');
    expect(errorOf(declared.body)).toBe('request body must be at most 65536 bytes');
    const chunked = await rawExchange(
      broker.port,
      `POST /publish HTTP/1.1\r\nHost: 127.0.0.1:${broker.port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n`,
    );
    expect(chunked).toMatch(/^HTTP\/1\.1 413 [\s\S]*\{"error":"request body must be at most 65536 bytes"\}/);
    expect((await broker.publish(statusMsg('a'))).status).toBe(202);
    expect((await broker.status()).message_count).toBe(1);
  });

  it('rejects bad UTF-8, bad percent-encoding and bad query strings with JSON 400', async () => {
    broker = await startTestBroker();
    const badUtf8 = Buffer.concat([
      Buffer.from('{"type":"agent.status","agent_id":"a","payload":{"status":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('","modified_files":[]}}'),
    ]);
    const utf8Reply = await broker.request({
      method: 'POST',
      path: '/publish',
      headers: json,
      body: badUtf8,
    });
    expect(utf8Reply.status).toBe(400);
    expect(utf8Reply.body).toBe('{"error":"request body is not valid UTF-8"}');
    const path = await broker.request({ path: '/messages/feat%ZZ' });
    expect(path.status).toBe(400);
    expect(path.body).toBe('{"error":"invalid percent-encoding in path"}');
    const twice = await broker.request({ path: '/messages/a?since=1&since=2' });
    expect(twice.status).toBe(400);
    expect(errorOf(twice.body)).toMatch(/^invalid query string: duplicate field/);
    const query = await broker.request({ path: '/messages/a?since=%E0%A4%A' });
    expect(query.status).toBe(400);
    expect(errorOf(query.body)).toMatch(/^invalid query string/);
    expect((await broker.request({ path: '/messages/a?other=1&since=0' })).status).toBe(200);
  });

  it('rejects too long ids, too many items and too long strings', async () => {
    broker = await startTestBroker();
    const longId = 'a'.repeat(129);
    expect(errorOf((await broker.publish(statusMsg(longId))).body)).toBe(
      'agent_id must be at most 128 characters',
    );
    expect((await broker.publish(statusMsg('a'.repeat(128)))).status).toBe(202);
    expect(errorOf((await broker.poll(longId)).body)).toBe('agent_id must be at most 128 characters');
    expect(errorOf((await broker.publish(blockedMsg('a', longId))).body)).toBe(
      'from must be at most 128 characters',
    );
    const many = {
      type: 'agent.artifact',
      agent_id: 'a',
      payload: {
        status: 'done',
        exports: Array.from({ length: 1001 }, (_, i) => `e${i}`),
        modified_files: [],
      },
    };
    expect(errorOf((await broker.publish(many)).body)).toBe('exports must have at most 1000 items');
    expect(
      errorOf((await broker.publish(statusMsg('a', 'working', { message: 'é'.repeat(8193) }))).body),
    ).toBe('message must be at most 16384 bytes');
    expect((await broker.publish(statusMsg('a', 'working', { message: 'é'.repeat(8192) }))).status).toBe(202);
  });

  it('answers requests the HTTP parser rejects with JSON, and keeps serving', async () => {
    broker = await startTestBroker();
    const garbage = await rawExchange(
      broker.port,
      Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x0d, 0x0a, 0x0d, 0x0a]),
    );
    expect(garbage).toMatch(
      /^HTTP\/1\.1 400 Bad Request[\s\S]*\r\n\r\n\{"error":"malformed HTTP request"\}$/,
    );
    const headers = await rawExchange(
      broker.port,
      `GET /status HTTP/1.1\r\nHost: 127.0.0.1:${broker.port}\r\nX-Big: ${'y'.repeat(20_000)}\r\n\r\n`,
    );
    expect(headers).toMatch(/^HTTP\/1\.1 431 [\s\S]*\{"error":"request headers are too large"\}$/);
    expect((await broker.request({ path: '/status' })).status).toBe(200);
  });
});

describe('bounded memory', () => {
  it('keeps at most N messages per inbox and tells a poll that skipped dropped ones', async () => {
    broker = await startTestBroker({ limits: { ...DEFAULT_LIMITS, inboxMessages: 3 } });
    await broker.publish(statusMsg('a'));
    for (let i = 0; i < 5; i += 1) await broker.publish(artifactMsg('b'));
    const all = JSON.parse((await broker.poll('a')).body) as {
      messages: { seq: number }[];
      last_seq: number;
      dropped_before: number;
    };
    expect(all.messages.map((m) => m.seq)).toEqual([4, 5, 6]);
    expect(all.dropped_before).toBe(4);
    expect(all.last_seq).toBe(6);
    expect(JSON.parse((await broker.poll('a', '?since=3')).body)).not.toHaveProperty('dropped_before');
  });

  it('caps the agents outside the roster with 429 and accepts known ones', async () => {
    broker = await startTestBroker({
      roster: [{ agent_id: 'r', cli: 'x' }],
      limits: { ...DEFAULT_LIMITS, extraAgents: 2 },
    });
    expect((await broker.publish(statusMsg('a'))).status).toBe(202);
    expect((await broker.poll('b')).status).toBe(200);
    const third = await broker.publish(statusMsg('c'));
    expect(third.status).toBe(429);
    expect(errorOf(third.body)).toMatch(/^too many agents/);
    expect((await broker.publish(blockedMsg('a', 'd'))).status).toBe(429);
    expect((await broker.publish(blockedMsg('a', 'r'))).status).toBe(202);
    expect((await broker.publish(statusMsg('b'))).status).toBe(202);
  });

  it('pages a large inbox and says there is more', async () => {
    broker = await startTestBroker({ limits: { ...DEFAULT_LIMITS, pageChars: 400 } });
    await broker.publish(statusMsg('a'));
    for (let i = 0; i < 5; i += 1) await broker.publish(artifactMsg('b'));
    const seen: number[] = [];
    let cursor = 0;
    let pages = 0;
    for (;;) {
      const page = JSON.parse((await broker.poll('a', `?since=${cursor}`)).body) as {
        messages: { seq: number }[];
        last_seq: number;
        more?: boolean;
      };
      pages += 1;
      seen.push(...page.messages.map((m) => m.seq));
      cursor = page.last_seq;
      if (!page.more) break;
    }
    expect(pages).toBeGreaterThan(1);
    expect(seen).toEqual([2, 3, 4, 5, 6]);
  });
});
