// Hostile input the 1,000-request suite (broker-hostile.test.ts) does not send (issue 7): bodies
// declared or streamed far beyond the limit (10 GB Content-Length, endless chunked bodies),
// request smuggling shapes, JSON that is valid but hostile (30,000 levels deep, `__proto__` and
// `constructor` as agent ids) — which must not poison the log for the replay after a crash — and
// thousands of distinct agent ids. The real broker process (built dist) must answer each with a
// JSON status, keep serving from the same process, and keep its memory bounded.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchStatus } from '../../src/broker/client.js';
import type { BrokerPlan } from '../../src/broker/client/session.js';
import { startBrokerProcess, type RunningBroker } from '../helpers/broker-process.js';
import { pollUntil } from '../helpers/poll.js';
import { httpRequest } from '../helpers/broker-harness.js';

let broker: BrokerPlan;
let running: RunningBroker;

beforeAll(async () => {
  // Ids that name Object.prototype members are agents of the session, so they may publish.
  running = await startBrokerProcess('paw-input', {
    roster: ['feat/a', '__proto__', 'constructor'].map((branch) => ({ branch, cli: 'claude' })),
  });
  broker = running.plan;
});

afterAll(() => running.stop());

const headers = () =>
  `Host: 127.0.0.1:${broker.port}\r\nAuthorization: Bearer ${broker.token ?? ''}\r\nContent-Type: application/json\r\n`;

/** Sends raw bytes (a string or a generator of chunks) and resolves with what came back when the socket closes. */
function raw(payload: string | Iterable<string>): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(broker.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), 15_000);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    if (typeof payload === 'string') {
      socket.end(payload);
      return;
    }
    // Stream until the broker has answered and closed: it must not wait for the end.
    const pieces = payload[Symbol.iterator]();
    const pump = (): void => {
      for (let next = pieces.next(); !next.done; next = pieces.next()) {
        if (socket.destroyed || chunks.length > 0) return;
        if (!socket.write(next.value)) return void socket.once('drain', pump);
      }
      socket.end();
    };
    socket.on('connect', pump);
  });
}

const publishRequest = (body: string) =>
  `POST /publish HTTP/1.1\r\n${headers()}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;

function statusLine(reply: string): string {
  return reply.split('\r\n')[0] ?? '';
}

function expectJsonError(reply: string, status: number): void {
  expect(statusLine(reply)).toBe(
    `HTTP/1.1 ${status} ${status === 413 ? 'Payload Too Large' : 'Bad Request'}`,
  );
  expect(reply).toMatch(/\r\n\r\n\{"error":"[^"]+"\}$/);
}

const statusBody = (status: string) =>
  JSON.stringify({ type: 'agent.status', agent_id: 'feat-a', payload: { status, modified_files: [] } });

/** The responses in a raw reply, in order (every broker response has a Content-Length). */
function responsesOf(reply: string): { status: number; body: string }[] {
  const responses: { status: number; body: string }[] = [];
  let rest = reply;
  while (rest !== '') {
    const head = /^HTTP\/1\.1 (\d{3}) [^\r]*\r\n((?:[^\r]+\r\n)*)\r\n/.exec(rest);
    if (!head) throw new Error(`not an HTTP response: ${JSON.stringify(rest.slice(0, 80))}`);
    const length = Number(/^content-length: *(\d+)\r$/im.exec(head[2] ?? '')?.[1] ?? 0);
    responses.push({ status: Number(head[1]), body: rest.slice(head[0].length, head[0].length + length) });
    rest = rest.slice(head[0].length + length);
  }
  return responses;
}

function rssKiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
}

function* chunkedBody(totalBytes: number): Generator<string> {
  yield `POST /publish HTTP/1.1\r\n${headers()}Transfer-Encoding: chunked\r\n\r\n`;
  const piece = 'z'.repeat(16 * 1024);
  for (let sent = 0; sent < totalBytes; sent += piece.length)
    yield `${piece.length.toString(16)}\r\n${piece}\r\n`;
  yield '0\r\n\r\n';
}

describe('hostile input beyond the 1,000-request suite', () => {
  it('refuses oversized bodies as they arrive, 10 GB declared or 32 MB streamed, with bounded memory', async () => {
    const pid = (await fetchStatus(broker.url)).pid ?? 0;
    const before = rssKiB(pid);
    expectJsonError(
      await raw(`POST /publish HTTP/1.1\r\n${headers()}Content-Length: 10000000000\r\n\r\n{`),
      413,
    );
    // Eight concurrent 32 MB chunked bodies: the broker must stop buffering them (that would cost
    // 256 MB), yet every client still writing must read its JSON 413 — never a reset.
    const replies = await Promise.all(Array.from({ length: 8 }, () => raw(chunkedBody(32 * 1024 * 1024))));
    for (const reply of replies) expectJsonError(reply, 413);
    expect((await fetchStatus(broker.url)).pid).toBe(pid);
    expect(rssKiB(pid) - before).toBeLessThan(64 * 1024);
  });

  it('refuses request smuggling shapes and NUL bytes in headers', async () => {
    const ok = JSON.stringify({
      type: 'agent.status',
      agent_id: 'feat-a',
      payload: { status: 'w', modified_files: [] },
    });
    for (const request of [
      `POST /publish HTTP/1.1\r\n${headers()}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      `POST /publish HTTP/1.1\r\n${headers()}Content-Length: ${ok.length}\r\nContent-Length: 3\r\n\r\n${ok}`,
      `GET /status HTTP/1.1\r\nHost: 127.0.0.1:${broker.port}\r\nX-Evil: a\u0000b\r\n\r\n`,
    ]) {
      expectJsonError(await raw(request), 400);
    }
    expect((await fetchStatus(broker.url)).message_count).toBe(0);
  });

  it('answers a chunked body over 64 KiB with a JSON 413 even to a client that sends it all before reading', async () => {
    const before = (await fetchStatus(broker.url)).message_count;
    for (const size of [65 * 1024, 1024 * 1024, 8 * 1024 * 1024]) {
      const replies = await Promise.all(
        Array.from({ length: 4 }, () => raw([...chunkedBody(size)].join(''))),
      );
      for (const reply of replies) expectJsonError(reply, 413);
    }
    // A publish pipelined behind the refused body is neither stored nor answered.
    const pipelined = await raw(
      [...chunkedBody(128 * 1024), publishRequest(statusBody('after-413'))].join(''),
    );
    expect(responsesOf(pipelined).map((response) => response.status)).toEqual([413]);
    expect((await fetchStatus(broker.url)).message_count).toBe(before);
  });

  it('answers a publish pipelined before garbage with its 202 first, then the JSON 400', async () => {
    const before = (await fetchStatus(broker.url)).message_count;
    const keepAlive = (body: string) => publishRequest(body).replace('Connection: close\r\n', '');
    const status = `GET /status HTTP/1.1\r\nHost: 127.0.0.1:${broker.port}\r\n\r\n`;
    for (const garbage of [
      'GARBAGE\r\n\r\n',
      'POST /publish HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
    ]) {
      const reply = await raw(
        keepAlive(statusBody('pipelined-1')) + status + keepAlive(statusBody('pipelined-2')) + garbage,
      );
      const responses = responsesOf(reply);
      expect(responses.map((response) => response.status)).toEqual([202, 200, 202, 400]);
      const [first, second, third, last] = responses.map((response) => response.body);
      expect(second).toContain('"git_paw":true');
      expect(Number(/^\{"seq":(\d+)\}$/.exec(third ?? '')?.[1])).toBe(
        Number(/^\{"seq":(\d+)\}$/.exec(first ?? '')?.[1]) + 1,
      );
      expect(last).toBe('{"error":"malformed HTTP request"}');
    }
    // A client that asked to close after its publish gets the 202; what follows is ignored.
    const closing = await raw(publishRequest(statusBody('pipelined-close')) + 'GARBAGE\r\n\r\n');
    expect(responsesOf(closing).map((response) => response.status)).toEqual([202]);
    expect((await fetchStatus(broker.url)).message_count).toBe((before ?? 0) + 5);
  });

  it('stores valid but hostile JSON harmlessly; a kill -9 replays it and the ids stay plain agents', async () => {
    const deep = 30_000;
    const nested = `${'['.repeat(deep)}${']'.repeat(deep)}`;
    const deepBody = `{"type":"agent.artifact","agent_id":"feat-a","payload":{"status":"done","exports":[],"modified_files":[],"x":${nested}}}`;
    const deepReply = await raw(publishRequest(deepBody));
    expect(['HTTP/1.1 202 Accepted', 'HTTP/1.1 400 Bad Request']).toContain(statusLine(deepReply));
    for (const id of ['__proto__', 'constructor']) {
      const body = `{"type":"agent.artifact","agent_id":"${id}","payload":{"status":"done","exports":["${id}"],"modified_files":[],"__proto__":{"polluted":true}}}`;
      expect(statusLine(await raw(publishRequest(body)))).toBe('HTTP/1.1 202 Accepted');
    }
    const before = await fetchStatus(broker.url);
    expect(before.agents.map((agent) => agent.agent_id)).toEqual(
      expect.arrayContaining(['__proto__', 'constructor']),
    );

    process.kill(before.pid ?? 0, 'SIGKILL');
    const after = await pollUntil(
      () => fetchStatus(broker.url),
      (status) => status.pid !== before.pid,
      { timeoutMs: 5_000, what: 'the broker to come back from its log' },
    );
    expect(after.message_count).toBe(before.message_count);
    expect(after.agents).toEqual(
      before.agents.map((agent) => ({ ...agent, last_seen_seconds: expect.any(Number) as number })),
    );
    const inbox = await fetch(`${broker.url}/messages/feat-a?since=0`, {
      headers: { authorization: `Bearer ${broker.token ?? ''}` },
    });
    const exports = ((await inbox.json()) as { messages: { payload: { exports: string[] } }[] }).messages.map(
      (message) => message.payload.exports[0],
    );
    expect(exports).toEqual(['__proto__', 'constructor']);
  });

  it('answers 3,000 distinct agent ids and keeps serving within bounded memory', async () => {
    const statuses = new Set<number>();
    for (let start = 0; start < 3_000; start += 25) {
      const replies = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          httpRequest(broker.port, {
            path: `/messages/stranger-${start + i}?since=0`,
            headers: { authorization: `Bearer ${broker.token ?? ''}` },
          }),
        ),
      );
      for (const reply of replies) statuses.add(reply.status);
    }
    expect([...statuses].every((status) => status === 200 || (status >= 400 && status < 500))).toBe(true);
    const status = await fetchStatus(broker.url);
    expect(rssKiB(status.pid ?? 0)).toBeLessThan(200 * 1024);
  });
});
