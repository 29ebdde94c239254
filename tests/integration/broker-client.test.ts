// The probe and port-holder descriptions against real listeners on 127.0.0.1: nothing, a
// foreign HTTP server, a TCP listener that never answers, a 0.3.0 broker,
// and a broker of another session (never adopted).
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  canListen,
  describePortHolder,
  findFreePort,
  probeBroker,
  probeIfListening,
} from '../../src/broker/client.js';
import { connectOutcome } from '../../src/util/net.js';
import { readBrokerReport } from '../../src/broker/client/status.js';
import { startTestBroker, type TestBroker } from '../helpers/broker-harness.js';

const closers: (() => Promise<void>)[] = [];
/** Whether this machine has IPv6 loopback (containers often have none). */
const ipv6Loopback = await canListen('::1', 0).catch(() => false);
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function listen(server: HttpServer | TcpServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

function httpServer(status: number, body: string): HttpServer {
  return createHttpServer((_req, res) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(body),
  );
}

describe('probeBroker and describePortHolder', () => {
  it('reports a free port', async () => {
    const port = await findFreePort('127.0.0.1', 40_000 + Math.floor(Math.random() * 10_000));
    expect(await canListen('127.0.0.1', port)).toBe(true);
    expect(await probeBroker(`http://127.0.0.1:${port}`)).toEqual({ kind: 'free' });
    // The launch's cheap check before each probe: nothing accepts there yet.
    expect(await connectOutcome(`http://127.0.0.1:${port}`, 500)).toBe('refused');
    expect(await probeIfListening(`http://127.0.0.1:${port}`)).toEqual({ kind: 'free' });
  });

  it('says a port accepts connections whenever something listens, HTTP or not', async () => {
    const port = await listen(httpServer(404, 'not here'));
    expect(await connectOutcome(`http://127.0.0.1:${port}/`, 500)).toBe('accepted');
    expect((await probeIfListening(`http://127.0.0.1:${port}/`)).kind).toBe('foreign');
    const silent = await listen(createTcpServer((socket) => socket.destroy()));
    expect(await connectOutcome(`http://127.0.0.1:${silent}`, 500)).toBe('accepted');
  });

  it.skipIf(!ipv6Loopback)('reads an IPv6 address out of its brackets', async () => {
    const silent = createTcpServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => silent.listen(0, '::1', resolve));
    closers.push(() => new Promise((resolve) => silent.close(() => resolve())));
    expect(await connectOutcome(`http://[::1]:${(silent.address() as AddressInfo).port}`, 500)).toBe('accepted');
  });

  it('names a foreign server, and does not take a marker on a non-200 answer for a broker', async () => {
    const port = await listen(httpServer(404, 'not here'));
    expect(await probeBroker(`http://127.0.0.1:${port}`)).toEqual({
      kind: 'foreign',
      detail: 'GET /status answered HTTP 404 without the git-paw marker',
    });
    const marked = await listen(httpServer(500, '{"git_paw":true,"agents":[]}'));
    expect((await probeBroker(`http://127.0.0.1:${marked}`)).kind).toBe('foreign');
    expect(await canListen('127.0.0.1', port)).toBe(false);
    expect(await describePortHolder('127.0.0.1', port)).toBe(
      `port ${port} is already in use by another process (GET /status answered HTTP 404 without the git-paw marker)`,
    );
  });

  it('times out on a listener that never answers', async () => {
    const sockets: Socket[] = [];
    const silent = createTcpServer((socket) => sockets.push(socket));
    const port = await listen(silent);
    closers.unshift(async () => sockets.forEach((socket) => socket.destroy()));
    expect(await probeBroker(`http://127.0.0.1:${port}`, { timeoutMs: 300 })).toEqual({ kind: 'timeout' });
    expect(await describePortHolder('127.0.0.1', port)).toBe(
      `broker probe timed out on port ${port} — check for stuck processes on this port`,
    );
  });

  it('recognises a 0.3.0 broker without identity', async () => {
    const port = await listen(
      httpServer(200, '{"agents":[],"git_paw":true,"uptime_seconds":0,"version":"0.3.0"}'),
    );
    expect(await probeBroker(`http://127.0.0.1:${port}`)).toMatchObject({
      kind: 'git-paw',
      status: { version: '0.3.0' },
    });
    expect(await describePortHolder('127.0.0.1', port)).toBe(
      `port ${port} is used by another git-paw broker (version 0.3.0)`,
    );
  });
});

describe('readBrokerReport', () => {
  let broker: TestBroker;
  afterEach(async () => broker.cleanup());

  it('is running only for its own session and repo; another session is named as the holder', async () => {
    broker = await startTestBroker({ session: 'paw-mine', repoPath: '/repos/mine' });
    const input = {
      url: broker.url,
      bind: '127.0.0.1',
      port: broker.port,
      session: 'paw-mine',
      repoPath: '/repos/mine',
    };
    expect(await readBrokerReport(input)).toMatchObject({
      state: 'running',
      status: { session: 'paw-mine' },
    });
    expect(await readBrokerReport({ ...input, session: 'paw-other' })).toEqual({
      url: broker.url,
      state: 'not responding',
      holder: `port ${broker.port} is used by the git-paw broker of session 'paw-mine' (repo /repos/mine, pid ${process.pid})`,
    });
    await broker.stop();
    expect(await readBrokerReport(input)).toEqual({ url: broker.url, state: 'not responding' });
  });
});
