// Benchmark 3, broker: publish throughput and latency under 1, 16 and 64 keep-alive connections
// for the real broker (the broker window's command with GIT_PAW_BROKER_CONFIG as planBroker builds
// it: restart loop + server, token auth, JSONL log) against a bare node:http server that only
// parses the same JSON and answers 202 — same load generator, same run, rounds alternating.
// Also: the broker's RSS once it has accepted 100,000 publishes, and the latency of a poll with
// 10,000 messages in the inbox and `since` near the end. Last, overload: bursts of 500 publishers
// at once, each on its own connection — every one must get 202 or 503, none a closed connection.
//
// Run alone with `node bench/broker.mjs` (after `npm run build`); `npm run bench` calls
// benchBroker(). Options (env, standalone only): BENCH_SECONDS, BENCH_ROUNDS, BENCH_TOTAL.
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { CLI_PATH, ROOT, createSandbox } from './sandbox.mjs';
import { median, percentile, progress, round } from './stats.mjs';

// Helpers come from tsc's module-by-module output (build/); the CLI under test is the bundled dist/.
const { findFreePort, fetchStatus } = await import(join(ROOT, 'build/broker/client.js'));
const { planBroker, waitForBroker } = await import(join(ROOT, 'build/broker/client/session.js'));

const ROSTER = ['feat-a', 'feat-b', 'feat-c', 'feat-d'];
const POLLED_AGENT = 'feat-b';

/** A node:http server that only parses the JSON body and answers 202 (the floor of any JSON route). */
export const BARE_SERVER = `
const http = require('node:http');
let seq = 0;
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const body = '{"seq":' + (++seq) + '}';
    res.writeHead(202, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}).listen(Number(process.argv[1]), '127.0.0.1', () => process.send('ready'));
`;

function publishBytes(port, token, agent, n) {
  const body = JSON.stringify({
    type: 'agent.artifact',
    agent_id: agent,
    payload: { status: 'done', exports: [`Export${n % 100}`], modified_files: [`src/file${n % 50}.ts`] },
  });
  const auth = token ? `Authorization: Bearer ${token}\r\n` : '';
  return Buffer.from(
    `POST /publish HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n${auth}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * A minimal keep-alive HTTP/1.1 client on a raw socket (so the client is not the bottleneck):
 * `send(bytes)` resolves with { status, body, ms } of the reply; one request in flight at a time.
 */
export function openConnection(port) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    let buffer = Buffer.alloc(0);
    let pending;
    socket.on('error', (error) => (pending ? pending.reject(error) : reject(error)));
    socket.on('data', (chunk) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end === -1 || !pending) return;
      const head = buffer.subarray(0, end).toString('latin1');
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
      if (buffer.length < end + 4 + length) return;
      const body = buffer.subarray(end + 4, end + 4 + length).toString('utf8');
      buffer = buffer.subarray(end + 4 + length);
      const { resolve: done, started } = pending;
      pending = undefined;
      done({ status: Number(head.slice(9, 12)), body, ms: performance.now() - started });
    });
    socket.on('connect', () =>
      resolve({
        send(bytes) {
          return new Promise((done, failed) => {
            pending = { resolve: done, reject: failed, started: performance.now() };
            socket.write(bytes);
          });
        },
        close: () => socket.end(),
      }),
    );
  });
}

/** `connections` keep-alive loops publishing back to back until `deadline` or the budget runs out. */
async function publishLoad(port, token, { connections, seconds, budget = { left: Infinity } }) {
  const latencies = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async (_, i) => {
      const connection = await openConnection(port);
      for (let n = 0; performance.now() < deadline && budget.left > 0; n += 1) {
        budget.left -= 1;
        const reply = await connection.send(publishBytes(port, token, ROSTER[i % ROSTER.length], n));
        if (reply.status !== 202) throw new Error(`publish answered ${reply.status}: ${reply.body}`);
        latencies.push(reply.ms);
      }
      connection.close();
    }),
  );
  return { perSecond: latencies.length / ((performance.now() - started) / 1000), latencies };
}

/**
 * One publish on a fresh connection (`Connection: close`): the reply's status, or 'closed' when
 * the connection ended (or was reset) without a complete reply.
 */
function publishOnFreshConnection(port, bytes) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? -1);
      const complete =
        end !== -1 && length >= 0 && Buffer.byteLength(text.slice(end + 4), 'latin1') >= length;
      resolve(complete ? Number(text.slice(9, 12)) : 'closed');
    });
    socket.write(bytes);
  });
}

/** `bursts` times, `publishers` publishes at once, each on its own connection; counts the answers. */
async function overloadBursts(port, token, { publishers, bursts }) {
  const counts = { accepted: 0, busy: 0, other: 0, closed_without_reply: 0 };
  for (let b = 0; b < bursts; b += 1) {
    const replies = await Promise.all(
      Array.from({ length: publishers }, (_, n) => {
        const bytes = publishBytes(port, token, ROSTER[n % ROSTER.length], n);
        const closing = Buffer.from(
          bytes.toString('latin1').replace('\r\n', '\r\nConnection: close\r\n'),
          'latin1',
        );
        return publishOnFreshConnection(port, closing);
      }),
    );
    for (const reply of replies) {
      if (reply === 202) counts.accepted += 1;
      else if (reply === 503) counts.busy += 1;
      else if (reply === 'closed') counts.closed_without_reply += 1;
      else counts.other += 1;
    }
  }
  return { publishers, bursts, ...counts };
}

function rssMiB(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

function pollBytes(port, token, since) {
  return Buffer.from(
    `GET /messages/${POLLED_AGENT}?since=${since} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\n\r\n`,
  );
}

/** Size and newest seq of the polled inbox, paging from the start. */
async function inboxExtent(connection, port, token) {
  let since = 0;
  let held = 0;
  for (;;) {
    const page = JSON.parse((await connection.send(pollBytes(port, token, since))).body);
    held += page.messages.length;
    since = Number(page.last_seq);
    if (!page.more) return { held, lastSeq: since };
  }
}

async function startServers(dir) {
  const children = [];
  const barePort = await findFreePort('127.0.0.1', 30_000);
  const bare = spawn(process.execPath, ['-e', BARE_SERVER, String(barePort)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(bare);
  await new Promise((resolve) => bare.once('message', resolve));
  const plan = await planBroker({
    settings: {
      port: await findFreePort('127.0.0.1', barePort + 1),
      bind: '127.0.0.1',
      allowRemote: false,
      auth: 'token',
    },
    session: 'paw-bench',
    repoPath: dir,
    roster: ROSTER.map((branch) => ({ branch, cli: 'bench' })),
    saved: { logPath: join(dir, 'bench.broker.jsonl') },
    cliPath: CLI_PATH,
  });
  const broker = spawn(plan.command[0], plan.command.slice(1), {
    env: { ...process.env, ...plan.env },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  children.push(broker);
  await waitForBroker(plan);
  const stop = async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(
      children.map(
        (child) =>
          new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve))),
      ),
    );
  };
  return { barePort, plan, brokerPid: (await fetchStatus(plan.url)).pid, stop };
}

/** Runs the whole broker benchmark; returns the figures (medians over rounds). */
export async function benchBroker({
  seconds = 2,
  rounds = 3,
  total = 100_000,
  concurrency = [1, 16, 64],
  polls = 500,
} = {}) {
  const sandbox = createSandbox();
  const servers = await startServers(sandbox.root);
  try {
    const { barePort, plan, brokerPid } = servers;
    progress(`broker: publishing until ${total.toLocaleString('en-US')} messages are accepted`);
    const budget = { left: total };
    while (budget.left > 0)
      await publishLoad(plan.port, plan.token, { connections: 16, seconds: 60, budget });
    const accepted = (await fetchStatus(plan.url)).message_count;
    const rssAfterTotal = rssMiB(brokerPid);

    progress(`broker: ${polls} polls with a full inbox`);
    const poller = await openConnection(plan.port);
    const inbox = await inboxExtent(poller, plan.port, plan.token);
    const since = inbox.lastSeq - 10;
    const pollMs = [];
    for (let i = 0; i < polls; i += 1)
      pollMs.push((await poller.send(pollBytes(plan.port, plan.token, since))).ms);
    poller.close();

    const throughput = [];
    for (const connections of concurrency) {
      await publishLoad(barePort, null, { connections, seconds: 0.5 });
      await publishLoad(plan.port, plan.token, { connections, seconds: 0.5 });
      const bare = { rates: [], latencies: [] };
      const broker = { rates: [], latencies: [] };
      for (let r = 0; r < rounds; r += 1) {
        for (const [port, token, into] of [
          [barePort, null, bare],
          [plan.port, plan.token, broker],
        ]) {
          const run = await publishLoad(port, token, { connections, seconds });
          into.rates.push(run.perSecond);
          into.latencies.push(...run.latencies);
        }
      }
      progress(`broker: ${connections} connection(s) measured`);
      throughput.push({
        connections,
        bare_per_s: Math.round(median(bare.rates)),
        broker_per_s: Math.round(median(broker.rates)),
        broker_vs_bare: round(median(broker.rates) / median(bare.rates)),
        bare_p50_ms: round(percentile(bare.latencies, 50), 3),
        bare_p99_ms: round(percentile(bare.latencies, 99), 3),
        broker_p50_ms: round(percentile(broker.latencies, 50), 3),
        broker_p99_ms: round(percentile(broker.latencies, 99), 3),
      });
    }
    progress('broker: bursts of 500 publishers at once');
    const overload = await overloadBursts(plan.port, plan.token, { publishers: 500, bursts: 5 });
    const end = await fetchStatus(plan.url);
    return {
      seconds_per_round: seconds,
      rounds,
      throughput,
      poll: {
        inbox_messages: inbox.held,
        returned_per_poll: 10,
        polls,
        p50_ms: round(percentile(pollMs, 50), 3),
        p99_ms: round(percentile(pollMs, 99), 3),
      },
      rss: {
        accepted_publishes: accepted,
        server_rss_mib: round(rssAfterTotal, 1),
        server_rss_end_mib: round(rssMiB(brokerPid), 1),
        publishes_at_end: end.message_count,
        log_mib: round(statSync(plan.logPath).size / 1024 / 1024, 1),
      },
      overload,
    };
  } finally {
    await servers.stop();
    sandbox.cleanup();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const figures = await benchBroker({
    seconds: Number(process.env.BENCH_SECONDS ?? 2),
    rounds: Number(process.env.BENCH_ROUNDS ?? 3),
    total: Number(process.env.BENCH_TOTAL ?? 100_000),
  });
  console.log(JSON.stringify(figures, null, 2));
}
