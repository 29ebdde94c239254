// The hook command a CLI runs for each event, run for real by sh and curl: it delivers the payload
// with the pane's token, and when the broker is gone it stays silent and exits 0 at once, so a
// dead broker never shows in (or slows down) the agent's pane.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { eventsUrl, postPayloadScript } from '../../src/agents/hook-command.js';
import { pollUntil } from '../helpers/poll.js';

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

function runScript(
  script: string,
  options: { stdin?: string; arg?: string; token: string; env?: NodeJS.ProcessEnv },
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      'sh',
      ['-c', script, 'hook', ...(options.arg === undefined ? [] : [options.arg])],
      { env: { PATH: process.env.PATH, GIT_PAW_BROKER_TOKEN: options.token, ...options.env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
    // A hook that exits without reading its input must not fail the test run with EPIPE.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.stdin ?? '');
  });
}

describe('hook command', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function listen(): Promise<{ url: string; received: Received[] }> {
    const received: Received[] = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ url: req.url ?? '', headers: req.headers, body });
        res.writeHead(202, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
  }

  it('posts a payload read from stdin to the agent route with the bearer token, printing nothing', async () => {
    const { url, received } = await listen();
    const payload = '{"hook_event_name":"Stop","msg":"it\'s \\"quoted\\" $HOME %s %d — ünïcödé"}';
    const result = await runScript(postPayloadScript(eventsUrl(url, 'feat-a'), 'stdin'), {
      stdin: payload,
      token: 'tok-1',
    });
    expect(result).toEqual({ code: 0, output: '' });
    // The hook does not wait for the broker's answer: the request may still be in flight.
    await pollUntil(
      () => received.length,
      (count) => count === 1,
      { what: 'the event to arrive' },
    );
    expect(received[0]?.url).toBe('/events/feat-a');
    expect(received[0]?.headers.authorization).toBe('Bearer tok-1');
    expect(received[0]?.headers['content-type']).toBe('application/json');
    expect(received[0]?.body).toBe(payload);
  });

  it('posts a payload given as the first argument (Codex notify) byte for byte', async () => {
    const { url, received } = await listen();
    const payload = '{"type":"agent-turn-complete","last-assistant-message":"a `b` $(c) ✓"}';
    const result = await runScript(postPayloadScript(eventsUrl(url, 'feat-b'), 'arg'), {
      arg: payload,
      token: 't',
    });
    expect(result).toEqual({ code: 0, output: '' });
    await pollUntil(
      () => received.length,
      (count) => count === 1,
      { what: 'the event to arrive' },
    );
    expect(received[0]?.body).toBe(payload);
  });

  it('never names the token variable with a $ (Gemini shows hook commands with such variables filled in)', () => {
    for (const from of ['stdin', 'arg'] as const) {
      expect(postPayloadScript('http://127.0.0.1:9/events/x', from)).not.toMatch(/\$\{?GIT_PAW_BROKER_TOKEN/);
    }
  });

  it('exits 0 silently when nothing listens on the broker port', async () => {
    const { url } = await listen();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
    const result = await runScript(postPayloadScript(eventsUrl(url, 'feat-a'), 'stdin'), {
      stdin: '{}',
      token: 't',
    });
    expect(result).toEqual({ code: 0, output: '' });
  });

  /** A PATH whose `sleep` leaves a mark before sleeping: the hook waiting to try again shows. */
  function markingSleep(): { path: string; mark: string; cleanup: () => void } {
    const dir = mkdtempSync(join(tmpdir(), 'paw-sleep-'));
    const mark = join(dir, 'slept');
    writeFileSync(join(dir, 'sleep'), `#!/bin/sh\n: > '${mark}'\nexec /bin/sleep "$@"\n`, { mode: 0o755 });
    return {
      path: `${dir}:${process.env.PATH ?? ''}`,
      mark,
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  }

  it('right after the launch, an event sent before the broker listens arrives once it does', async () => {
    const { url, received } = await listen();
    const port = (server?.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
    const sleep = markingSleep();
    try {
      const hook = runScript(postPayloadScript(eventsUrl(url, 'feat-a'), 'stdin'), {
        stdin: '{"hook_event_name":"SessionStart"}',
        token: 't',
        env: { PATH: sleep.path, GIT_PAW_LAUNCHED_AT: String(Math.floor(Date.now() / 1000)) },
      });
      // Refused at least once, and waiting to try again: now the broker starts.
      await pollUntil(() => existsSync(sleep.mark), Boolean, { what: 'the hook to wait for the broker' });
      const late = createServer((req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        req.on('end', () => {
          received.push({ url: req.url ?? '', headers: req.headers, body });
          res.writeHead(202).end('{}');
        });
      });
      server = late;
      await new Promise<void>((resolve) => late.listen(port, '127.0.0.1', resolve));
      expect(await hook).toEqual({ code: 0, output: '' });
      await pollUntil(
        () => received.length,
        (count) => count === 1,
        { what: 'the early event to arrive' },
      );
      expect(received[0]?.body).toBe('{"hook_event_name":"SessionStart"}');
    } finally {
      sleep.cleanup();
    }
  });

  it('long after the launch, a refused connection is not tried again: a gone broker costs a hook nothing', async () => {
    const sleep = markingSleep();
    try {
      const result = await runScript(postPayloadScript('http://127.0.0.1:9/events/x', 'stdin'), {
        stdin: '{}',
        token: 't',
        env: { PATH: sleep.path, GIT_PAW_LAUNCHED_AT: String(Math.floor(Date.now() / 1000) - 3600) },
      });
      expect(result).toEqual({ code: 0, output: '' });
      expect(existsSync(sleep.mark)).toBe(false);
    } finally {
      sleep.cleanup();
    }
  });

  it('falls back to curl where there is no bash', async () => {
    const { url, received } = await listen();
    const onlyCurl = mkdtempSync(join(tmpdir(), 'paw-curl-'));
    try {
      symlinkSync(execFileSync('sh', ['-c', 'command -v curl']).toString().trim(), join(onlyCurl, 'curl'));
      const payload = '{"hook_event_name":"Stop"}';
      const result = await new Promise<{ code: number; output: string }>((resolve) => {
        const child = execFile(
          '/bin/sh',
          ['-c', postPayloadScript(eventsUrl(url, 'feat-c'), 'stdin')],
          { env: { PATH: onlyCurl, GIT_PAW_BROKER_TOKEN: 'tc' } },
          (error, stdout, stderr) =>
            resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
        );
        child.stdin?.end(payload);
      });
      expect(result).toEqual({ code: 0, output: '' });
      expect(received.map((r) => [r.url, r.headers.authorization, r.body])).toEqual([
        ['/events/feat-c', 'Bearer tc', payload],
      ]);
    } finally {
      rmSync(onlyCurl, { recursive: true, force: true });
    }
  });

  it('exits 0 silently without bash or curl on PATH', async () => {
    const script = postPayloadScript('http://127.0.0.1:9/events/x', 'stdin');
    const result = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile('/bin/sh', ['-c', script], { env: { PATH: '/nonexistent' } }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
      );
    });
    expect(result).toEqual({ code: 0, output: '' });
  });
});
