// 1,000 malformed and hostile requests against a real broker process (built dist): random bytes,
// truncated bodies, slow clients that never finish their headers, bad UTF-8, huge ids and bodies,
// wrong tokens and foreign Hosts. The broker must keep serving, not restart, close the slow
// connections by itself, and keep its memory bounded.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchStatus } from '../../src/broker/client.js';
import type { BrokerPlan } from '../../src/broker/client/session.js';
import { startBrokerProcess, type RunningBroker } from '../helpers/broker-process.js';
import { pollUntil } from '../helpers/poll.js';

let brokerPlan: BrokerPlan;
let running: RunningBroker;

beforeAll(async () => {
  running = await startBrokerProcess('paw-hostile');
  brokerPlan = running.plan;
});

afterAll(() => running.stop());

/** Writes raw bytes, optionally leaves the request unfinished, and resolves when the socket closes. */
function raw(payload: Buffer | string, options: { end?: boolean; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(brokerPlan.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), options.timeoutMs ?? 15_000);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    if (options.end === false) socket.write(payload);
    else socket.end(payload);
  });
}

function request(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer | string = '',
): string {
  const head = Object.entries({ host: `127.0.0.1:${brokerPlan.port}`, connection: 'close', ...headers })
    .map(([key, value]) => `${key}: ${value}\r\n`)
    .join('');
  const length = Buffer.byteLength(body);
  return `${method} ${path} HTTP/1.1\r\n${head}${length > 0 ? `content-length: ${length}\r\n` : ''}\r\n${body.toString()}`;
}

function rssKiB(pid: number): number | undefined {
  const file = `/proc/${pid}/status`;
  if (!existsSync(file)) return undefined;
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(file, 'utf8'));
  return match ? Number(match[1]) : undefined;
}

const auth = () => ({
  authorization: `Bearer ${brokerPlan.token ?? ''}`,
  'content-type': 'application/json',
});

function hostileRequest(i: number): Promise<string> {
  const kind = i % 10;
  switch (kind) {
    case 0: {
      // Leading empty lines are allowed before a request, so a payload of nothing but CR/LF is
      // no request at all (the connection just closes): the first byte is never one of them.
      const bytes = randomBytes(1 + (i % 512));
      if (bytes[0] === 0x0a || bytes[0] === 0x0d) bytes[0] = 0;
      return raw(bytes);
    }
    case 1:
      return raw(
        `POST /publish HTTP/1.1\r\nHost: 127.0.0.1:${brokerPlan.port}\r\nAuthorization: Bearer ${brokerPlan.token ?? ''}\r\nContent-Length: 1000\r\nContent-Type: application/json\r\n\r\n{"type":`,
      );
    case 2:
      return raw(
        request(
          'POST',
          '/publish',
          auth(),
          Buffer.concat([
            Buffer.from('{"type":"agent.status","agent_id":"'),
            randomBytes(64),
            Buffer.from('"}'),
          ]),
        ),
      );
    case 3:
      return raw(request('GET', `/messages/${'a'.repeat(5_000 + i)}`, auth()));
    case 4:
      return raw(
        request(
          'POST',
          '/publish',
          auth(),
          JSON.stringify({
            type: 'agent.status',
            agent_id: 'x'.repeat(129),
            payload: { status: 'w', modified_files: [] },
          }),
        ),
      );
    case 5:
      return raw(request('POST', '/publish', auth(), `{"pad":"${'z'.repeat(70_000)}"}`));
    case 6:
      return raw(
        request(
          'POST',
          '/publish',
          { authorization: 'Bearer wrong', 'content-type': 'application/json' },
          '{}',
        ),
      );
    case 7:
      return raw(request('GET', '/status', { host: 'rebind.example:80' }));
    case 8:
      // A roster agent's inbox, so the bad query is what is refused (an unknown id is a 404).
      return raw(request('GET', `/messages/feat-a?since=${'9'.repeat(30)}&since=%zz`, auth()));
    default:
      return raw(
        `GET /status HTTP/1.1\r\nHost: 127.0.0.1:${brokerPlan.port}\r\nX: ${'h'.repeat(40_000)}\r\n\r\n`,
      );
  }
}

describe('hostile traffic', () => {
  it('leaves the broker serving, unrestarted and bounded after 1,000 bad requests and 150 slow clients', async () => {
    const before = await fetchStatus(brokerPlan.url);
    const pid = before.pid ?? 0;

    // Slow clients: headers that never end. They must be closed by the broker, not by us.
    const slow: Promise<string>[] = [];
    const slowSockets: Socket[] = [];
    for (let i = 0; i < 150; i += 1) {
      slow.push(
        new Promise((resolve) => {
          const socket = connect(brokerPlan.port, '127.0.0.1');
          slowSockets.push(socket);
          const chunks: Buffer[] = [];
          socket.on('data', (chunk) => chunks.push(chunk));
          socket.on('error', () => undefined);
          socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
          socket.write(`GET /status HTTP/1.1\r\nHost: 127.0.0.1:${brokerPlan.port}\r\nX-Slow: `);
        }),
      );
    }

    const answers: string[] = [];
    for (let start = 0; start < 1_000; start += 25) {
      answers.push(...(await Promise.all(Array.from({ length: 25 }, (_, k) => hostileRequest(start + k)))));
    }
    const statuses = answers.map((answer) => /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 'closed');
    // One JSON error each; its text may quote the request (escaped quotes). A request whose body
    // is followed by garbage gets the reply to its request (it asked to close after it).
    for (const answer of answers.filter((text) => text.startsWith('HTTP/1.1'))) {
      expect(answer).toMatch(/\r\n\r\n\{"error":"(?:[^"\\]|\\.)+"\}$/);
    }
    const expected = ['400', '400', '400', '400', '400', '413', '401', '403', '400', '431'];
    statuses.forEach((status, i) => expect(status, `request ${i} (kind ${i % 10})`).toBe(expected[i % 10]));
    expect(statuses).not.toContain('500');
    expect(statuses).not.toContain('202');

    // Every slow socket is closed by the broker, not by us, and never without an answer: pushed
    // out by newer connections while the connection cap was reached (a JSON 503 with
    // Retry-After), otherwise timed out with a JSON 408.
    const slowAnswers = await Promise.all(slow);
    expect(slowSockets.every((socket) => socket.destroyed)).toBe(true);
    const pushedOut = slowAnswers.filter((answer) => answer.startsWith('HTTP/1.1 503 '));
    const timedOut = slowAnswers.filter((answer) => !answer.startsWith('HTTP/1.1 503 '));
    for (const answer of pushedOut)
      expect(answer).toMatch(
        /\r\nRetry-After: 1\r\n[\s\S]*\{"error":"the broker is at capacity; retry after 1 s"\}$/,
      );
    for (const answer of timedOut)
      expect(answer).toMatch(/^HTTP\/1\.1 408 [\s\S]*\{"error":"request timed out"\}$/);
    expect(timedOut.length).toBeGreaterThan(0);
    expect(pushedOut.length).toBeGreaterThan(0);

    const after = await pollUntil(
      () => fetchStatus(brokerPlan.url),
      () => true,
      { timeoutMs: 5_000, what: 'the broker to answer' },
    );
    expect(after.pid).toBe(pid);
    expect(after.message_count).toBe(0);
    const ok = await fetch(`${brokerPlan.url}/publish`, {
      method: 'POST',
      headers: auth(),
      body: JSON.stringify({
        type: 'agent.status',
        agent_id: 'feat-a',
        payload: { status: 'working', modified_files: [] },
      }),
    });
    expect(ok.status).toBe(202);
    const rss = rssKiB(pid);
    if (rss !== undefined) expect(rss).toBeLessThan(200 * 1024);
  }, 60_000);
});
