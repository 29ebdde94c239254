// Benchmark 3c, broker log compaction at the default `[broker] log_limit` (64 MiB). A log of
// message records is written up to the limit, its messages routed so that the broker's default
// retention caps are full (200,000 messages held across 20 inboxes: the largest snapshot those
// caps allow). Measured:
// - start-up replay of that log (no snapshot yet), in a fresh process with the server's heap cap
//   (and of a 16 MiB one, for comparison);
// - the real broker (restart loop + server) compacting it while 8 keep-alive publishers keep
//   going: the compaction's duration and how long requests waited (the server's own figures, and
//   the longest publish round-trip seen by the clients meanwhile);
// - start-up replay of a compacted log grown back to the limit (snapshot + records).
//
// Run alone with `node bench/compaction.mjs` (after `npm run build`); `npm run bench` calls
// benchCompaction().
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { CLI_PATH, ROOT, createSandbox } from './sandbox.mjs';
import { median, progress, round } from './stats.mjs';

const { findFreePort } = await import(join(ROOT, 'build/broker/client.js'));
const { planBroker, waitForBroker } = await import(join(ROOT, 'build/broker/client/session.js'));
const { recordLine } = await import(join(ROOT, 'build/broker/server/store.js'));

const LIMIT = 64 * 1024 * 1024;
const SMALL_LIMIT = 16 * 1024 * 1024;
const ROSTER = ['feat-a', 'feat-b', 'feat-c', 'feat-d'];
const RECIPIENTS = 20;
/** The server's heap cap (SERVER_NODE_FLAGS of the broker window's command): replay must fit in it. */
const HEAP_FLAG = '--max-old-space-size=192';

/** Appends records to `path` until it holds `bytes`: requests to 20 agents, and a broadcast in ten. */
function fillLog(path, bytes, firstSeq) {
  const fd = openSync(path, 'a');
  let size = statSync(path).size;
  let seq = firstSeq;
  const ts = new Date().toISOString();
  const lines = [];
  while (size < bytes) {
    const sender = ROSTER[seq % ROSTER.length];
    const message =
      seq % 10 === 0
        ? {
            type: 'agent.artifact',
            agent_id: sender,
            payload: { status: 'done', exports: [`export-${seq}`], modified_files: [`src/m-${seq}.ts`] },
          }
        : {
            type: 'agent.blocked',
            agent_id: sender,
            payload: { needs: `the schema of table ${seq}`, from: `helper-${seq % RECIPIENTS}` },
          };
    const line = recordLine({ kind: 'message', seq, ts, message });
    lines.push(line);
    size += Buffer.byteLength(line);
    seq += 1;
    if (lines.length === 10_000) writeSync(fd, lines.splice(0).join(''));
  }
  writeSync(fd, lines.join(''));
  closeSync(fd);
  return seq;
}

/** Milliseconds `openBroker` takes to replay `path`, in a fresh node with the server's heap cap. */
function coldReplayMs(path) {
  const script = `
    const { openBroker } = await import(${JSON.stringify(join(ROOT, 'build/broker/server/service.js'))});
    const started = performance.now();
    const opened = openBroker({
      roster: ${JSON.stringify(ROSTER.map((id) => ({ agent_id: id, cli: 'bench' })))},
      logPath: ${JSON.stringify(path)},
      identity: { session: 's', repoPath: '/', instanceId: 'i', version: '0', pid: 0, startedAt: new Date() },
    });
    const ms = performance.now() - started;
    await opened.log.close();
    process.stdout.write(JSON.stringify({ ms, skipped: opened.replay.skipped, status: JSON.parse(opened.service.statusJson()) }));
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HEAP_FLAG, '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`replay exited ${code}`)),
    );
  });
}

async function replayFigures(path, runs) {
  const results = [];
  for (let run = 0; run < runs; run += 1) results.push(await coldReplayMs(path));
  return {
    log_mib: round(statSync(path).size / 1024 / 1024, 1),
    replay_ms: round(median(results.map((result) => result.ms)), 0),
    replay_max_ms: round(Math.max(...results.map((result) => result.ms)), 0),
    next_seq: results[0].status.next_seq,
  };
}

/** The real broker compacting the log at `path` while publishers keep going. */
async function compactLive(dir, logPath) {
  const plan = await planBroker({
    settings: {
      port: await findFreePort('127.0.0.1', 31_000),
      bind: '127.0.0.1',
      allowRemote: false,
      auth: 'token',
    },
    session: 'paw-bench-compaction',
    repoPath: dir,
    roster: ROSTER.map((branch) => ({ branch, cli: 'bench' })),
    saved: { logPath },
    cliPath: CLI_PATH,
  });
  const broker = spawn(plan.command[0], plan.command.slice(1), {
    env: { ...process.env, TMUX: undefined, ...plan.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  broker.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => broker.once('exit', resolve));
  try {
    await waitForBroker(plan, { timeoutMs: 30_000 });
    const compacted = () =>
      /compacted the message log.*in (\d+) ms \(requests waited (\d+) ms\)/.exec(stderr);
    const roundTrips = [];
    let failures = 0;
    const publisher = async (id) => {
      for (let n = 0; !compacted(); n += 1) {
        const started = performance.now();
        const response = await fetch(`${plan.url}/publish`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${plan.token}` },
          body: JSON.stringify({
            type: 'agent.status',
            agent_id: ROSTER[id % ROSTER.length],
            payload: { status: 'working', modified_files: [], message: `step ${n}` },
          }),
        });
        await response.text();
        if (response.status !== 202) failures += 1;
        roundTrips.push(performance.now() - started);
        if (roundTrips.length > 200_000) throw new Error(`no compaction; broker said: ${stderr}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, id) => publisher(id)));
    const [, totalMs, waitedMs] = compacted();
    const sorted = [...roundTrips].sort((a, b) => a - b);
    return {
      compaction_ms: Number(totalMs),
      server_paused_ms: Number(waitedMs),
      publishes_meanwhile: roundTrips.length,
      failed_publishes: failures,
      publish_p50_ms: round(sorted[Math.floor(sorted.length / 2)], 1),
      publish_max_ms: round(sorted.at(-1), 0),
      log_after_mib: round(statSync(logPath).size / 1024 / 1024, 1),
      broker_line: compacted()[0],
    };
  } finally {
    broker.kill('SIGTERM');
    await exited;
  }
}

/** Runs the whole compaction benchmark; returns the figures. */
export async function benchCompaction({ runs = 3 } = {}) {
  const sandbox = createSandbox();
  try {
    // A smaller limit for comparison: replay time grows with the number of records.
    const smallPath = join(sandbox.root, 'small.broker.jsonl');
    fillLog(smallPath, SMALL_LIMIT - 4096, 1);
    progress('compaction: replaying a 16 MiB log');
    const small = await replayFigures(smallPath, runs);
    const logPath = join(sandbox.root, 'bench.broker.jsonl');
    progress('compaction: writing a 64 MiB log');
    const nextSeq = fillLog(logPath, LIMIT - 4096, 1);
    progress('compaction: replaying it');
    const plain = await replayFigures(logPath, runs);
    progress('compaction: the broker compacts it under load');
    const live = await compactLive(sandbox.root, logPath);
    progress('compaction: growing the compacted log back to the limit, replaying it');
    fillLog(logPath, LIMIT - 4096, nextSeq + live.publishes_meanwhile + 1);
    const compacted = await replayFigures(logPath, runs);
    return { limit_mib: LIMIT / 1024 / 1024, runs, small, plain, live, compacted };
  } finally {
    sandbox.cleanup();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await benchCompaction(), null, 2));
}
