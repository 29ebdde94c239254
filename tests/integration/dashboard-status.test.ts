// The dashboard's `/status` fetcher against servers that never finish their answer: one that
// streams without end and one that drips a byte at a time. Each poll must fail with a reason in
// bounded time and memory, so the dashboard shows its "unreachable" banner instead of hanging.
// And the wait of a dashboard started with its session for the broker to listen.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpStatusFetcher, StatusUnavailable, waitForStartingBroker } from '../../src/dashboard/broker-status.js';
import { pollUntil } from '../helpers/poll.js';

const servers: Server[] = [];
const timers: NodeJS.Timeout[] = [];
afterEach(async () => {
  for (const timer of timers.splice(0)) clearInterval(timer);
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(answer: (res: ServerResponse) => void): Promise<string> {
  const server = createServer((_req, res) => answer(res));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('dashboard status fetcher', () => {
  it('gives up on an answer that never ends', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const url = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"git_paw":true,"agents":[],"pad":"');
      const pump = () => {
        while (res.write(chunk));
      };
      res.on('drain', pump);
      pump();
    });
    const failure = await httpStatusFetcher(url, 'paw-proj', 30_000)().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StatusUnavailable);
    expect((failure as Error).message).toBe('the /status answer is too large');
  });

  it('gives up on an answer that trickles in slower than the timeout', async () => {
    const url = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      timers.push(setInterval(() => res.write(' '), 100));
    });
    const started = Date.now();
    const failure = await httpStatusFetcher(url, 'paw-proj', 500)().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StatusUnavailable);
    expect((failure as Error).message).toBe('no answer within 0.5s');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

/** A loopback port that nothing listens on (taken, then let go). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A server on `port` answering `/status` like a broker, counting the requests. */
async function statusServerOn(port: number): Promise<{ requests: () => number }> {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"git_paw":true}');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { requests: () => requests };
}

describe('dashboard started with its session', () => {
  const launchedNow = () => ({ GIT_PAW_LAUNCHED_AT: String(Math.floor(Date.now() / 1000)) });

  it('waits while the broker refuses connections, and goes on once it listens', async () => {
    const port = await freePort();
    let looks = 0;
    let done = false;
    const waiting = waitForStartingBroker(`http://127.0.0.1:${port}`, launchedNow(), () => {
      looks += 1;
      return Date.now();
    }).then(() => (done = true));
    await pollUntil(() => looks, (count) => count >= 3, { what: 'three looks at a refused port' });
    expect(done).toBe(false);
    const broker = await statusServerOn(port);
    await waiting;
    expect(broker.requests()).toBeGreaterThan(0);
  });

  it('gives up when the launch window ends with nothing listening', async () => {
    const port = await freePort();
    let looks = 0;
    // The clock jumps past the window after two looks.
    await waitForStartingBroker(`http://127.0.0.1:${port}`, launchedNow(), () => {
      looks += 1;
      return looks > 2 ? Date.now() + 60_000 : Date.now();
    });
    expect(looks).toBe(3);
  });

  it('does not wait when opened long after the launch, or outside a session', async () => {
    const port = await freePort();
    const broker = await statusServerOn(port);
    const url = `http://127.0.0.1:${port}`;
    await waitForStartingBroker(url, { GIT_PAW_LAUNCHED_AT: String(Math.floor(Date.now() / 1000) - 60) });
    await waitForStartingBroker(url, {});
    expect(broker.requests()).toBe(0);
  });
});
