// kill -9 of the broker during a publish burst loses no acknowledged message. Sixteen keep-alive
// publishers hammer a real broker (the broker window's command: the restart loop around the
// built server, token on) while it is killed: (1) the server — the window's loop starts it
// again; (2) every process, as an OOM kill or a crashed terminal would — a new broker process on
// the same log (what recovery starts) replays it. Every seq answered 202 must be in the inbox
// afterwards, and the sequence carries on above the highest one. A server that hangs is killed by
// its watchdog, a killed watchdog is replaced, and a server that cannot answer is taken over by a
// new broker window of the same broker.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { canListen, fetchStatus } from '../../src/broker/client.js';
import { planBroker, waitForBroker, type BrokerPlan } from '../../src/broker/client/session.js';
import { pollUntil } from '../helpers/poll.js';
import { CLI_PATH } from '../helpers/run-cli.js';
import { randomFreePort, waitForWatchdog } from '../helpers/broker-process.js';
import { procStatFields } from '../../src/util/process.js';

const PUBLISHERS = 16;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'paw-crash-'));
  return () => rmSync(dir, { recursive: true, force: true });
});

async function plan(name: string, saved?: BrokerPlan): Promise<BrokerPlan> {
  return planBroker({
    settings: {
      port: saved?.port ?? (await randomFreePort()),
      bind: '127.0.0.1',
      allowRemote: false,
      auth: 'token',
    },
    session: `paw-${name}`,
    repoPath: dir,
    // 'pub' publishes here: under token auth only the session's own agents may.
    roster: [
      { branch: 'watcher', cli: 'claude' },
      { branch: 'pub', cli: 'claude' },
    ],
    saved: saved
      ? { port: saved.port, token: saved.token ?? undefined, logPath: saved.logPath }
      : { logPath: join(dir, `${name}.jsonl`) },
    cliPath: CLI_PATH,
  });
}

/**
 * Starts the broker (restart loop, server, and later the server's watchdog) in a process group of
 * its own; resolves with the loop's pid (the group's id) once it answers.
 */
async function startBroker(brokerPlan: BrokerPlan): Promise<number> {
  const [program = process.execPath, ...args] = brokerPlan.command;
  const proc = spawn(program, args, {
    env: { ...process.env, ...brokerPlan.env },
    stdio: 'ignore',
    detached: true,
  });
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  cleanups.push(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      await exited;
    }
  });
  await waitForBroker(brokerPlan, { timeoutMs: 10_000 });
  return proc.pid ?? 0;
}

/** One publish over the shared keep-alive agent; the seq when answered 202, undefined otherwise. */
function publish(brokerPlan: BrokerPlan, agent: Agent, n: number): Promise<number | undefined> {
  const body = JSON.stringify({
    type: 'agent.artifact',
    agent_id: 'pub',
    payload: { status: 'done', exports: [`e${n}`], modified_files: [] },
  });
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: brokerPlan.port,
        method: 'POST',
        path: '/publish',
        agent,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${brokerPlan.token ?? ''}` },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () =>
          resolve(res.statusCode === 202 ? (JSON.parse(text) as { seq: number }).seq : undefined),
        );
        res.on('error', () => resolve(undefined));
      },
    );
    req.on('error', () => resolve(undefined));
    req.end(body);
  });
}

interface Burst {
  acknowledged: number[];
  /** Publishes that got no 202 (refused, reset, cut off by the kill). */
  failed: () => number;
  stop: () => Promise<void>;
}

/** Sixteen publishers looping until stopped; every acknowledged seq is collected. */
function burst(target: () => BrokerPlan): Burst {
  const agent = new Agent({ keepAlive: true, maxSockets: PUBLISHERS });
  const acknowledged: number[] = [];
  let failed = 0;
  let running = true;
  let n = 0;
  const loops = Array.from({ length: PUBLISHERS }, async () => {
    while (running) {
      const seq = await publish(target(), agent, (n += 1));
      if (seq !== undefined) {
        acknowledged.push(seq);
      } else {
        failed += 1;
        await delay(10); // broker down: retry politely instead of spinning
      }
    }
  });
  return {
    acknowledged,
    failed: () => failed,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      agent.destroy();
    },
  };
}

interface InboxRead {
  seqs: number[];
  /** The first seq the inbox still holds when its cap dropped older ones (`dropped_before`). */
  droppedBefore: number;
}

async function readInbox(brokerPlan: BrokerPlan): Promise<InboxRead> {
  const read: InboxRead = { seqs: [], droppedBefore: 0 };
  for (let cursor = 0; ;) {
    const response = await fetch(`${brokerPlan.url}/messages/watcher?since=${cursor}`, {
      headers: { authorization: `Bearer ${brokerPlan.token ?? ''}` },
    });
    if (!response.ok) throw new Error(`reading the inbox: HTTP ${response.status} ${await response.text()}`);
    const page = (await response.json()) as {
      messages: { seq: number }[];
      last_seq: number;
      more?: boolean;
      dropped_before?: number;
    };
    read.seqs.push(...page.messages.map((message) => message.seq));
    read.droppedBefore = Math.max(read.droppedBefore, page.dropped_before ?? 0);
    cursor = page.last_seq;
    if (!page.more) return read;
  }
}

async function inboxSeqs(brokerPlan: BrokerPlan): Promise<number[]> {
  return (await readInbox(brokerPlan)).seqs;
}

/** The seqs of the messages in the broker's log file, read back as a restart would. */
function loggedSeqs(brokerPlan: BrokerPlan): Set<number> {
  const seqs = new Set<number>();
  for (const line of readFileSync(brokerPlan.logPath, 'utf8').split('\n')) {
    if (!line.startsWith('{"seq":')) continue;
    const record = JSON.parse(line) as { seq: number; msg?: unknown };
    if (record.msg !== undefined) seqs.add(record.seq);
  }
  return seqs;
}

/**
 * Every acknowledged seq is in the log file, and in the watcher's inbox unless the inbox's cap
 * (the newest 10,000 messages) dropped it: a fast machine acknowledges more than that in one
 * run, and the inbox says how far it dropped.
 */
async function expectEveryAcknowledgedKept(brokerPlan: BrokerPlan, load: Burst): Promise<void> {
  const { acknowledged } = load;
  // The kill really hit a running burst: some publishes were cut off or refused meanwhile.
  expect(load.failed()).toBeGreaterThan(0);
  expect(new Set(acknowledged).size).toBe(acknowledged.length);
  const inbox = await readInbox(brokerPlan);
  const held = new Set(inbox.seqs);
  const logged = loggedSeqs(brokerPlan);
  console.info(
    `${acknowledged.length} acknowledged, ${load.failed()} refused or cut off; the inbox holds ${held.size}` +
      (inbox.droppedBefore > 0 ? `, its cap dropped those before seq ${inbox.droppedBefore}` : ''),
  );
  expect(acknowledged.filter((seq) => !logged.has(seq))).toEqual([]);
  expect(acknowledged.filter((seq) => seq >= inbox.droppedBefore && !held.has(seq))).toEqual([]);
  const next = await publish(brokerPlan, new Agent(), -1);
  expect(next).toBeGreaterThan(Math.max(...acknowledged));
}

/** The parent pid of a running process (from /proc). */
function parentOf(pid: number): number {
  return Number(procStatFields(pid)?.[1]);
}

const count = (list: number[], atLeast: number, what: string) =>
  pollUntil(
    () => list.length,
    (length) => length >= atLeast,
    { timeoutMs: 15_000, what },
  );

describe('a broker that is killed or hangs', () => {
  it('of the server: the window loop starts it again on the same URL, no acknowledged message lost', async () => {
    const brokerPlan = await plan('server');
    const loopPid = await startBroker(brokerPlan);
    const first = await fetchStatus(brokerPlan.url);
    const load = burst(() => brokerPlan);
    await count(load.acknowledged, 500, '500 acknowledged publishes');
    process.kill(first.pid ?? 0, 'SIGKILL');
    const killedAt = Date.now();
    const acknowledgedAtKill = load.acknowledged.length;
    // /status asked every 10 ms until a new server answers; the longest stretch without an answer
    // is what a client sees of the kill.
    let lastAnswer = killedAt;
    let longestSilence = 0;
    const back = await pollUntil(
      async () => {
        const status = await fetchStatus(brokerPlan.url, { timeoutMs: 1_000 });
        longestSilence = Math.max(longestSilence, Date.now() - lastAnswer);
        lastAnswer = Date.now();
        return status;
      },
      // This very broker (its instance id), started by the same loop: never another process that
      // took the port meanwhile.
      (status) =>
        status.instance_id === first.instance_id &&
        status.pid !== first.pid &&
        parentOf(status.pid ?? 0) === loopPid,
      { timeoutMs: 15_000, intervalMs: 10, what: 'a new server started by the loop' },
    );
    console.info(
      `kill -9 of the server: new server after ${Date.now() - killedAt} ms; /status went unanswered for at most ${longestSilence} ms`,
    );
    // The same service: its identity and start time are kept; only the process changed.
    expect(back).toMatchObject({ instance_id: first.instance_id, started_at: first.started_at });
    await count(
      load.acknowledged,
      acknowledgedAtKill + 500,
      '500 more acknowledged publishes after the restart',
    );
    await load.stop();
    await expectEveryAcknowledgedKept(brokerPlan, load);
  });

  it('of the watchdog, or a stopped one: the server starts a new one, which still finds a hung server', async () => {
    const brokerPlan = await plan('watchdog');
    await startBroker(brokerPlan);
    const serverPid = (await fetchStatus(brokerPlan.url)).pid ?? 0;
    // The server starts its watchdog a moment after it first answers.
    const firstWatchdog = await waitForWatchdog(serverPid);
    process.kill(firstWatchdog, 'SIGKILL');
    const secondWatchdog = await waitForWatchdog(serverPid, { replacing: firstWatchdog });
    // One that stops pinging (stopped itself) is as good as none: it is replaced too.
    process.kill(secondWatchdog, 'SIGSTOP');
    cleanups.push(() => {
      try {
        process.kill(secondWatchdog, 'SIGKILL');
      } catch {
        // Killed by its server, as it should be.
      }
    });
    // A new watchdog gets a few seconds for its first ping (its start-up, at low priority).
    await waitForWatchdog(serverPid, { replacing: secondWatchdog, timeoutMs: 15_000 });
    // The replacement does its job: a stopped server is killed, and the loop starts a new one.
    process.kill(serverPid, 'SIGSTOP');
    cleanups.push(() => {
      try {
        process.kill(serverPid, 'SIGKILL');
      } catch {
        // Killed by its watchdog, as it should be.
      }
    });
    await pollUntil(
      () => fetchStatus(brokerPlan.url, { timeoutMs: 1_000 }).catch(() => undefined),
      (status) => status !== undefined && status.pid !== serverPid,
      { timeoutMs: 15_000, intervalMs: 50, what: 'a new server in place of the stopped one' },
    );
  });

  it('a stopped server (SIGSTOP) is found hung by its watchdog and replaced, with its messages', async () => {
    const brokerPlan = await plan('hung');
    await startBroker(brokerPlan);
    const agent = new Agent({ keepAlive: false });
    const seq = await publish(brokerPlan, agent, 1);
    expect(seq).toBe(1);
    const hungPid = (await fetchStatus(brokerPlan.url)).pid ?? 0;
    // The server starts its watchdog a moment after its first answer; a hang is found from then on.
    await waitForWatchdog(hungPid);
    process.kill(hungPid, 'SIGSTOP');
    cleanups.push(() => {
      try {
        process.kill(hungPid, 'SIGKILL');
      } catch {
        // Killed by its watchdog, as it should be.
      }
    });
    const stoppedAt = Date.now();
    const back = await pollUntil(
      () => fetchStatus(brokerPlan.url),
      (status) => status.pid !== hungPid,
      { timeoutMs: 15_000, intervalMs: 20, what: 'a new server in place of the stopped one' },
    );
    console.info(`SIGSTOP of the server: a new server answered after ${Date.now() - stoppedAt} ms`);
    expect(back.message_count).toBe(1);
    expect(await inboxSeqs(brokerPlan)).toEqual([1]);
  });

  it('a new broker window while the old server cannot answer: the new server finds the old one by its pid file and takes over', async () => {
    const brokerPlan = await plan('mute');
    const loopPid = await startBroker(brokerPlan);
    const agent = new Agent({ keepAlive: false });
    expect(await publish(brokerPlan, agent, 1)).toBe(1);
    const first = await fetchStatus(brokerPlan.url);
    const mutePid = first.pid ?? 0;
    const watchdogPid = await waitForWatchdog(mutePid);
    // The old server holds the port and the log but answers nobody, so no probe can name it; its
    // loop and its watchdog are gone, as when the window was closed, so nothing else replaces it.
    // It is stopped first: running, it would notice its loop gone and stop by itself.
    process.kill(mutePid, 'SIGSTOP');
    process.kill(watchdogPid, 'SIGKILL');
    process.kill(loopPid, 'SIGKILL');
    cleanups.push(() => {
      try {
        process.kill(mutePid, 'SIGKILL');
      } catch {
        // Killed by its successor, as it should be.
      }
    });
    // What `start` or `status` does for a session whose broker window is gone: a new one.
    await startBroker(brokerPlan);
    const back = await pollUntil(
      () => fetchStatus(brokerPlan.url, { timeoutMs: 1_000 }).catch(() => undefined),
      (status) => status !== undefined && status.pid !== mutePid,
      { timeoutMs: 20_000, intervalMs: 50, what: 'a new server in place of the mute one' },
    );
    expect(back).toMatchObject({ instance_id: first.instance_id, message_count: 1 });
    expect(await inboxSeqs(brokerPlan)).toEqual([1]);
  });

  it('of the whole process group: a new broker on the same log has every acknowledged message', async () => {
    const first = await plan('whole');
    const group = await startBroker(first);
    let current = first;
    const load = burst(() => current);
    await count(load.acknowledged, 500, '500 acknowledged publishes');
    // Loop, server and watchdog (one process group) at once: nothing is left to restart
    // anything, and no graceful shutdown happens anywhere.
    process.kill(-group, 'SIGKILL');
    await pollUntil(() => canListen('127.0.0.1', first.port), Boolean, {
      timeoutMs: 5_000,
      what: 'the killed broker to release its port',
    });
    const killedAt = load.acknowledged.length;
    current = await plan('whole', first);
    await startBroker(current);
    await count(load.acknowledged, killedAt + 500, '500 acknowledged publishes to the new broker');
    await load.stop();
    await expectEveryAcknowledgedKept(current, load);
  });
});
