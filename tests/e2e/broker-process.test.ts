// The broker as the launch runs it: the broker window's restart loop around the built server.
// Crash recovery (kill -9 of the server → back within 2 s with every acknowledged message and a
// continuing seq), graceful stop on SIGHUP, restart of the whole process, no orphan once the
// loop is gone, fatal start-up errors (a distinct exit code that ends the loop), and the real
// tmux window wiring.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { canListen, fetchStatus, probeBroker } from '../../src/broker/client.js';
import { FATAL_EXIT_CODE } from '../../src/broker/config.js';
import {
  planBroker,
  stopBrokerAndWait,
  waitForBroker,
  type BrokerPlan,
} from '../../src/broker/client/session.js';
import { brokerServerArgv } from '../../src/broker/client/keeper.js';
import { pollUntil } from '../helpers/poll.js';
import { CLI_PATH } from '../helpers/run-cli.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { skipWithoutTmux } from '../helpers/tmux.js';
import { randomFreePort, waitForWatchdog } from '../helpers/broker-process.js';
import { processRuns } from '../../src/util/process.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let dataHome: string;
beforeAll(() => {
  dataHome = mkdtempSync(join(tmpdir(), 'paw-broker-e2e-'));
  process.env.XDG_DATA_HOME = dataHome;
  return () => rmSync(dataHome, { recursive: true, force: true });
});

// 'pub' publishes in these tests: under token auth only the session's own agents may.
const ROSTER = [
  { branch: 'watcher', cli: 'claude' },
  { branch: 'pub', cli: 'claude' },
];
let sessions = 0;

async function plan(
  overrides: {
    session?: string;
    port?: number;
    auth?: 'token' | 'none';
    saved?: { port?: number; token?: string; logPath?: string };
  } = {},
): Promise<BrokerPlan> {
  return planBroker({
    settings: {
      port: overrides.port ?? (await randomFreePort()),
      bind: '127.0.0.1',
      allowRemote: false,
      auth: overrides.auth ?? 'token',
    },
    session: overrides.session ?? `paw-e2e-${(sessions += 1)}`,
    repoPath: '/tmp/paw-e2e-repo',
    roster: ROSTER,
    saved: overrides.saved,
    cliPath: CLI_PATH,
  });
}

interface WindowCommand {
  proc: ChildProcess;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startWindowCommand(brokerPlan: BrokerPlan, env: NodeJS.ProcessEnv = brokerPlan.env): WindowCommand {
  const [program = process.execPath, ...args] = brokerPlan.command;
  const proc = spawn(program, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  cleanups.push(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      await exited;
    }
  });
  return { proc, stderr: () => stderr, exited };
}

async function publish(brokerPlan: BrokerPlan, body: unknown): Promise<{ status: number; body: string }> {
  const response = await fetch(`${brokerPlan.url}/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${brokerPlan.token ?? ''}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.text() };
}

async function inboxSeqs(brokerPlan: BrokerPlan, agentId: string): Promise<number[]> {
  const seqs: number[] = [];
  let cursor = 0;
  for (;;) {
    const response = await fetch(`${brokerPlan.url}/messages/${agentId}?since=${cursor}`, {
      headers: { authorization: `Bearer ${brokerPlan.token ?? ''}` },
    });
    const page = (await response.json()) as { messages: { seq: number }[]; last_seq: number; more?: boolean };
    seqs.push(...page.messages.map((message) => message.seq));
    cursor = page.last_seq;
    if (!page.more) return seqs;
  }
}

const artifact = (n: number) => ({
  type: 'agent.artifact',
  agent_id: 'pub',
  payload: { status: 'done', exports: [`e${n}`], modified_files: [] },
});

describe('broker process', () => {
  it('restarts a kill -9ed server within 2 s with every acknowledged message and a continuing seq', async () => {
    const brokerPlan = await plan();
    startWindowCommand(brokerPlan);
    await waitForBroker(brokerPlan, { timeoutMs: 10_000 });
    const firstPid = (await fetchStatus(brokerPlan.url)).pid;

    const acknowledged: number[] = [];
    let publishing = true;
    const publisher = (async () => {
      for (let n = 0; publishing; n += 1) {
        try {
          const reply = await publish(brokerPlan, artifact(n));
          if (reply.status === 202) acknowledged.push((JSON.parse(reply.body) as { seq: number }).seq);
        } catch {
          // Connection refused while the server restarts: not acknowledged, nothing to check.
        }
      }
    })();
    await pollUntil(
      () => acknowledged.length,
      (count) => count >= 50,
      { timeoutMs: 10_000, what: '50 acknowledged publishes' },
    );

    process.kill(firstPid ?? 0, 'SIGKILL');
    const killedAt = Date.now();
    const restarted = await pollUntil(
      () => probeBroker(brokerPlan.url, { timeoutMs: 300 }),
      (probe) => probe.kind === 'git-paw' && probe.status.pid !== firstPid,
      { timeoutMs: 2_000, intervalMs: 20, what: 'a restarted broker with a new pid' },
    );
    const downFor = Date.now() - killedAt;
    expect(restarted.kind === 'git-paw' && restarted.status.instance_id).toBe(brokerPlan.instanceId);
    await pollUntil(
      () => acknowledged.length,
      (count) => count >= 100,
      { timeoutMs: 10_000, what: 'publishes after the restart' },
    );
    publishing = false;
    await publisher;

    const held = new Set(await inboxSeqs(brokerPlan, 'watcher'));
    expect(acknowledged.filter((seq) => !held.has(seq))).toEqual([]);
    expect(new Set(acknowledged).size).toBe(acknowledged.length);
    const next = await publish(brokerPlan, artifact(-1));
    expect((JSON.parse(next.body) as { seq: number }).seq).toBeGreaterThan(Math.max(...acknowledged));
    expect(downFor).toBeLessThan(2_000);
  });

  it('stops on SIGHUP: exit 0, port free, log complete, no watchdog left; a new process replays it', async () => {
    const brokerPlan = await plan();
    const first = startWindowCommand(brokerPlan);
    await waitForBroker(brokerPlan);
    for (let n = 1; n <= 5; n += 1)
      expect((await publish(brokerPlan, artifact(n))).body).toBe(`{"seq":${n}}`);
    const watchdog = await waitForWatchdog(Number((await fetchStatus(brokerPlan.url)).pid));
    first.proc.kill('SIGHUP');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(await canListen('127.0.0.1', brokerPlan.port)).toBe(true);
    await pollUntil(() => processRuns(watchdog), (running) => !running, { what: `watchdog ${watchdog} to exit` });
    const lines = readFileSync(brokerPlan.logPath, 'utf8').trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { seq: number }).seq)).toEqual([1, 2, 3, 4, 5]);

    const again = await plan({
      saved: { port: brokerPlan.port, token: brokerPlan.token ?? undefined, logPath: brokerPlan.logPath },
    });
    expect(again.token).toBe(brokerPlan.token);
    startWindowCommand(again);
    await waitForBroker(again);
    expect(await inboxSeqs(again, 'watcher')).toEqual([1, 2, 3, 4, 5]);
    expect((await publish(again, artifact(6))).body).toBe('{"seq":6}');
    expect((await fetchStatus(again.url)).agents.map((agent) => agent.agent_id)).toEqual(['watcher', 'pub']);
  });

  it('a server whose window loop was killed stops by itself (no orphan on the port)', async () => {
    const brokerPlan = await plan();
    const window = startWindowCommand(brokerPlan);
    await waitForBroker(brokerPlan);
    const serverPid = Number((await fetchStatus(brokerPlan.url)).pid);
    expect(serverPid).toBeGreaterThan(0);
    const watchdog = await waitForWatchdog(serverPid);
    // The window's restart loop dies hard, so nothing would restart the server any more.
    window.proc.kill('SIGKILL');
    await window.exited;
    expect(await stopBrokerAndWait('127.0.0.1', brokerPlan.port, { timeoutMs: 10_000 })).toBe(true);
    await pollUntil(() => processRuns(serverPid), (alive) => !alive, {
      timeoutMs: 5_000,
      what: `the orphaned server (pid ${serverPid}) to exit`,
    });
    // A graceful stop: the log is closed and its pid file removed, and the watchdog is gone too.
    expect(existsSync(`${brokerPlan.logPath}.pid`)).toBe(false);
    await pollUntil(() => processRuns(watchdog), (running) => !running, { what: `watchdog ${watchdog} to exit` });
  });

  it('a server killed while its new watchdog is still starting leaves no watchdog behind', async () => {
    const brokerPlan = await plan();
    startWindowCommand(brokerPlan);
    await waitForBroker(brokerPlan);
    const serverPid = Number((await fetchStatus(brokerPlan.url)).pid);
    // Spawned a second after the first answer; at a low priority its start-up takes a while.
    const watchdog = await waitForWatchdog(serverPid, { intervalMs: 5 });
    process.kill(serverPid, 'SIGKILL');
    await pollUntil(() => processRuns(watchdog), (running) => !running, {
      timeoutMs: 15_000,
      what: `the watchdog ${watchdog} of the killed server to exit`,
    });
    // Meanwhile the loop started a new server, with a watchdog of its own.
    const next = await pollUntil(
      () => fetchStatus(brokerPlan.url).catch(() => undefined),
      (status) => status !== undefined && status.pid !== serverPid,
      { timeoutMs: 5_000, what: 'the restarted server' },
    );
    await waitForWatchdog(Number(next?.pid));
  });

  it('serves on as `git-paw __broker`, the command of windows that earlier versions opened', async () => {
    const brokerPlan = await plan();
    const proc = spawn(process.execPath, [CLI_PATH, '__broker'], {
      env: { ...process.env, ...brokerPlan.env },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => proc.on('exit', resolve));
    cleanups.push(async () => {
      proc.kill('SIGTERM');
      await exited;
    });
    await waitForBroker(brokerPlan);
    // Well past its background start (a second after its first answer), it still answers.
    const status = await pollUntil(
      () => fetchStatus(brokerPlan.url),
      (current) => (current.uptime_seconds ?? 0) >= 3,
      { timeoutMs: 10_000, intervalMs: 200, what: 'the broker to have served for 3 s' },
    );
    expect(status.pid).toBe(proc.pid);
    expect(proc.exitCode).toBeNull();
  });

  it('ends with the reason when the port is taken, and waitForBroker reports it', async () => {
    const brokerPlan = await plan();
    const squatter: Server = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => squatter.listen(brokerPlan.port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
    const window = startWindowCommand(brokerPlan);
    await expect(waitForBroker(brokerPlan, { timeoutMs: 10_000 })).rejects.toThrow(
      `Broker error: port ${brokerPlan.port} is already in use by another process — change [broker] port in .git-paw/config.toml`,
    );
    expect((await window.exited).code).toBe(FATAL_EXIT_CODE);
    expect(window.stderr()).toContain(`error: Broker error: port ${brokerPlan.port} is already in use`);
  });

  it('refuses to serve without its token under auth = "token" (never falls back to no auth)', async () => {
    for (const token of [undefined, '']) {
      const brokerPlan = await plan();
      const window = startWindowCommand(brokerPlan, {
        ...brokerPlan.windowEnv,
        GIT_PAW_BROKER_TOKEN: token,
      });
      await expect(waitForBroker(brokerPlan, { timeoutMs: 10_000 })).rejects.toThrow(
        'Broker error: GIT_PAW_BROKER_TOKEN is not set, and [broker] auth requires a token',
      );
      expect((await window.exited).code).toBe(FATAL_EXIT_CODE);
      expect(await canListen('127.0.0.1', brokerPlan.port)).toBe(true);
    }
    // The configuration (passed on a command line by tmux) never holds the token.
    const withToken = await plan();
    expect(withToken.env).toEqual({ ...withToken.windowEnv, GIT_PAW_BROKER_TOKEN: withToken.token });
    expect(withToken.windowEnv.GIT_PAW_BROKER_CONFIG).not.toContain(withToken.token ?? '');
    expect(JSON.parse(withToken.windowEnv.GIT_PAW_BROKER_CONFIG ?? '')).toMatchObject({ auth: 'token' });
    // Under auth = "none" the configuration alone is enough.
    const open = await plan({ auth: 'none' });
    expect(open.env).toEqual(open.windowEnv);
    startWindowCommand(open, { ...open.windowEnv, GIT_PAW_BROKER_TOKEN: undefined });
    await waitForBroker(open);
    expect((await publish(open, artifact(1))).status).toBe(202);
  });

  it('refuses to run without its configuration', async () => {
    const [program = process.execPath, ...args] = brokerServerArgv(CLI_PATH);
    const proc = spawn(program, args, {
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise((resolve) => proc.on('exit', resolve));
    expect(code).toBe(FATAL_EXIT_CODE);
    expect(stderr).toContain('error: Broker error: GIT_PAW_BROKER_CONFIG is not set');
  });
});

describe('port choice and holders', () => {
  it('names a foreign server and another session holding a configured port', async () => {
    const foreign = await plan();
    const squatter: Server = createServer((_req, res) => res.writeHead(404).end('nope'));
    await new Promise<void>((resolve) => squatter.listen(foreign.port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
    await expect(plan({ port: foreign.port })).rejects.toThrow(
      `Broker error: port ${foreign.port} is already in use by another process (GET /status answered HTTP 404 without the git-paw marker)`,
    );

    const other = await plan({ session: 'paw-other' });
    startWindowCommand(other);
    await waitForBroker(other);
    await expect(plan({ port: other.port })).rejects.toThrow(
      new RegExp(
        `port ${other.port} is used by the git-paw broker of session 'paw-other' \\(repo /tmp/paw-e2e-repo, pid \\d+\\)`,
      ),
    );
  });

  it('picks the first free port from the start when none is configured, and a token unless auth = "none"', async () => {
    const unset = await planBroker({
      settings: { port: undefined, bind: '127.0.0.1', allowRemote: false, auth: 'none' },
      session: 'paw-free',
      repoPath: '/tmp/r',
      roster: [],
    });
    expect(unset.port).toBeGreaterThanOrEqual(9119);
    expect(await canListen('127.0.0.1', unset.port)).toBe(true);
    expect(unset.token).toBeNull();
    const { GIT_PAW_LAUNCHED_AT: launchedAt, ...sessionEnv } = unset.sessionEnv;
    expect(sessionEnv).toEqual({
      GIT_PAW_BROKER_URL: `http://127.0.0.1:${unset.port}`,
      GIT_PAW_BROKER_TOKEN: '',
    });
    // When the launch was (epoch seconds): hooks wait for a broker still starting only shortly after.
    expect(launchedAt).toMatch(/^\d+$/);
    expect(Math.abs(Number(launchedAt) - Date.now() / 1000)).toBeLessThan(60);
    expect(unset.logPath).toBe(join(dataHome, 'git-paw', 'sessions', 'paw-free.broker.jsonl'));
    expect((await plan()).token).toMatch(/^[0-9a-f]{64}$/);
    await expect(
      planBroker({
        settings: { port: 9300, bind: '0.0.0.0', allowRemote: false, auth: 'token' },
        session: 's',
        repoPath: '/r',
        roster: [],
      }),
    ).rejects.toThrow("Broker error: refusing to listen on non-loopback address '0.0.0.0'");
  });
});

describe.skipIf(skipWithoutTmux)('broker window in a tmux session', () => {
  let sandbox: Sandbox;
  afterEach(() => sandbox.cleanup());

  it('runs as a hidden window and stops with the session (kill-session → port released, log kept)', async () => {
    sandbox = createSandbox({ noRepo: true });
    const brokerPlan = await plan({ auth: 'none' });
    const envArgs = Object.entries(brokerPlan.windowEnv).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
    sandbox.tmux(['new-session', '-d', '-s', 'paw-e2e', '-x', '120', '-y', '30']);
    sandbox.tmux(['new-window', '-d', '-t', '=paw-e2e:', '-n', 'broker', ...envArgs, ...brokerPlan.command]);
    await waitForBroker(brokerPlan, { timeoutMs: 10_000 });
    expect((await publish(brokerPlan, artifact(1))).status).toBe(202);
    sandbox.tmux(['kill-session', '-t', '=paw-e2e']);
    expect(await stopBrokerAndWait('127.0.0.1', brokerPlan.port, { timeoutMs: 5_000 })).toBe(true);
    expect(readFileSync(brokerPlan.logPath, 'utf8')).toContain('"seq":1');
    expect(existsSync(`${brokerPlan.logPath}.error`)).toBe(false);
  });
});
