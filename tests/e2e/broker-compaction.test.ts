// Log compaction in the real broker process (the built server in its window's restart loop,
// token on, a 64 KiB `[broker] log_limit`): the log is rewritten as a snapshot
// once it passes the limit, a restarted server answers `/status` and every inbox as before with
// the seqs going on, and a kill -9 of the server in the middle of a compaction (held at its pause
// point by the test-only environment variable) loses nothing that was acknowledged.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fetchStatus } from '../../src/broker/client.js';
import { COMPACTION_PAUSE_ENV } from '../../src/broker/server/compaction.js';
import { planBroker, waitForBroker, type BrokerPlan } from '../../src/broker/client/session.js';
import { compactionPath } from '../../src/broker/server/store.js';
import { randomFreePort } from '../helpers/broker-process.js';
import { pollUntil } from '../helpers/poll.js';
import { CLI_PATH } from '../helpers/run-cli.js';

const LIMIT = 64 * 1024;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'paw-compaction-'));
  return () => rmSync(dir, { recursive: true, force: true });
});

let sessions = 0;
async function plan(): Promise<BrokerPlan> {
  sessions += 1;
  return planBroker({
    settings: {
      port: await randomFreePort(),
      bind: '127.0.0.1',
      allowRemote: false,
      auth: 'token',
      logLimit: LIMIT,
    },
    session: `paw-compaction-${sessions}`,
    repoPath: dir,
    // 'pub' publishes here: under token auth only the session's own agents may.
    roster: [
      { branch: 'watcher', cli: 'claude' },
      { branch: 'pub', cli: 'claude' },
    ],
    saved: { logPath: join(dir, `session-${sessions}.jsonl`) },
    cliPath: CLI_PATH,
  });
}

/** The broker window's command (the loop restarts a killed server), outside tmux; returns what it printed so far. */
function startWindowCommand(brokerPlan: BrokerPlan, env: NodeJS.ProcessEnv = {}): () => string {
  const [program = process.execPath, ...args] = brokerPlan.command;
  const proc = spawn(program, args, {
    env: { ...process.env, TMUX: undefined, TMUX_PANE: undefined, ...brokerPlan.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  cleanups.push(async () => {
    proc.kill('SIGTERM');
    await exited;
  });
  return () => stderr;
}

const auth = (brokerPlan: BrokerPlan) => ({ authorization: `Bearer ${brokerPlan.token ?? ''}` });

async function publish(brokerPlan: BrokerPlan, n: number): Promise<number> {
  const response = await fetch(`${brokerPlan.url}/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth(brokerPlan) },
    body: JSON.stringify({
      type: 'agent.artifact',
      agent_id: 'pub',
      payload: { status: 'done', exports: [`export-${n}`], modified_files: [`src/module-${n}.ts`] },
    }),
  });
  const body = await response.text();
  if (response.status !== 202) throw new Error(`publish ${n}: ${response.status} ${body}`);
  return (JSON.parse(body) as { seq: number }).seq;
}

/** Every message of an inbox, page by page. */
async function inbox(brokerPlan: BrokerPlan, agentId: string): Promise<unknown[]> {
  const messages: unknown[] = [];
  let since = '0';
  for (;;) {
    const response = await fetch(`${brokerPlan.url}/messages/${agentId}?since=${since}`, {
      headers: auth(brokerPlan),
    });
    const page = (await response.json()) as {
      messages: unknown[];
      last_seq: number | string;
      more?: boolean;
    };
    messages.push(...page.messages);
    since = String(page.last_seq);
    if (!page.more) return messages;
  }
}

const seqsOf = (messages: unknown[]) => messages.map((message) => (message as { seq: number }).seq);

/**
 * `/status` without what differs from one server process to the next, or from one second to the
 * next — the conflict report included, which each server computes afresh from git.
 */
async function stableStatus(brokerPlan: BrokerPlan): Promise<Record<string, unknown>> {
  const status = (await fetchStatus(brokerPlan.url)) as Awaited<ReturnType<typeof fetchStatus>> &
    Record<string, unknown>;
  const {
    pid: _pid,
    uptime_seconds: _uptime,
    agents,
    conflicts: _conflicts,
    conflict_check: _check,
    ...rest
  } = status;
  return {
    ...rest,
    agents: agents.map(({ last_seen_seconds: _seen, ...agent }) => agent),
  };
}

/** Kills the server with SIGKILL and waits until its window's loop has a new one answering. */
async function killServer(brokerPlan: BrokerPlan): Promise<void> {
  const { pid } = await fetchStatus(brokerPlan.url);
  if (typeof pid !== 'number') throw new Error('the broker did not report its pid');
  process.kill(pid, 'SIGKILL');
  await pollUntil(
    async () => (await fetchStatus(brokerPlan.url)).pid,
    (next) => next !== pid,
    { what: 'a restarted server', timeoutMs: 20_000 },
  );
}

const firstLine = (path: string) => JSON.parse(readFileSync(path, 'utf8').split('\n')[0] ?? '') as object;

describe('broker log compaction', () => {
  it('compacts past the limit; a restarted server answers /status and every inbox as before, and seqs go on', async () => {
    const brokerPlan = await plan();
    const stderr = startWindowCommand(brokerPlan);
    await waitForBroker(brokerPlan, { timeoutMs: 20_000 });

    const acknowledged: number[] = [];
    for (let n = 0; !stderr().includes('compacted the message log'); n += 1) {
      if (n > 5_000) throw new Error(`no compaction after ${n} publishes; broker said: ${stderr()}`);
      acknowledged.push(await publish(brokerPlan, n));
    }
    expect(firstLine(brokerPlan.logPath)).toHaveProperty('snapshot');
    expect(existsSync(compactionPath(brokerPlan.logPath))).toBe(false);
    const before = { status: await stableStatus(brokerPlan), watcher: await inbox(brokerPlan, 'watcher') };
    expect(seqsOf(before.watcher)).toEqual(acknowledged);

    await killServer(brokerPlan);
    expect({ status: await stableStatus(brokerPlan), watcher: await inbox(brokerPlan, 'watcher') }).toEqual(
      before,
    );
    expect(await publish(brokerPlan, -1)).toBe(Math.max(...acknowledged) + 1);
  });

  it('a kill -9 in the middle of a compaction loses nothing acknowledged before or during it', async () => {
    const brokerPlan = await plan();
    const pauseFile = join(dir, `pause-${sessions}`);
    startWindowCommand(brokerPlan, { [COMPACTION_PAUSE_ENV]: pauseFile });
    await waitForBroker(brokerPlan, { timeoutMs: 20_000 });

    const acknowledged: number[] = [];
    for (let n = 0; !existsSync(pauseFile); n += 1) {
      if (n > 5_000) throw new Error(`no compaction after ${n} publishes`);
      acknowledged.push(await publish(brokerPlan, n));
    }
    // The new file is written and synced, not yet renamed; the broker keeps answering.
    expect(existsSync(compactionPath(brokerPlan.logPath))).toBe(true);
    for (let n = 0; n < 20; n += 1) acknowledged.push(await publish(brokerPlan, 10_000 + n));
    const before = await stableStatus(brokerPlan);

    await killServer(brokerPlan);
    expect(firstLine(brokerPlan.logPath)).not.toHaveProperty('snapshot');
    expect(existsSync(compactionPath(brokerPlan.logPath))).toBe(false);
    expect(await stableStatus(brokerPlan)).toEqual(before);
    expect(seqsOf(await inbox(brokerPlan, 'watcher'))).toEqual(acknowledged);

    // The restarted server compacts on its next write; this time the compaction finishes.
    rmSync(pauseFile, { force: true });
    acknowledged.push(await publish(brokerPlan, -1));
    await pollUntil(() => existsSync(pauseFile), Boolean, { what: 'the next compaction to pause' });
    acknowledged.push(await publish(brokerPlan, -2));
    rmSync(pauseFile);
    await pollUntil(() => 'snapshot' in firstLine(brokerPlan.logPath), Boolean, {
      what: 'the compacted log in place',
    });
    acknowledged.push(await publish(brokerPlan, -3));
    await killServer(brokerPlan);
    expect(seqsOf(await inbox(brokerPlan, 'watcher'))).toEqual(acknowledged);
  });
});
