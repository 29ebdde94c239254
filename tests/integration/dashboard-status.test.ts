// The dashboard's `/status` fetcher against servers that never finish their answer: one that
// streams without end and one that drips a byte at a time. Each poll must fail with a reason in
// bounded time and memory, so the dashboard shows its "unreachable" banner instead of hanging.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpStatusFetcher, StatusUnavailable } from '../../src/dashboard/broker-status.js';

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
