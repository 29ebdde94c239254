// Broker publish throughput and memory (run after `npm run build`: `node bench/broker.mjs`).
//
// Compares, in the same run and with the same load generator, the real broker (`git-paw
// __broker`: supervisor + server child, token auth, JSONL log with group-commit fdatasync)
// against a bare node:http server that only parses the same JSON and answers 202. Load: 16
// keep-alive connections, each sending one request at a time, with a minimal raw-socket client
// so the client is not the bottleneck. Then keeps publishing until the broker has accepted
// 100,000 messages and reports its RSS.
//
// Options (env): BENCH_SECONDS (per measurement, default 5), BENCH_ROUNDS (default 2),
// BENCH_TOTAL (messages before the RSS reading, default 100000).
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { findFreePort, fetchStatus } = await import(join(root, 'dist/broker/client.js'));
const { planBroker, waitForBroker } = await import(join(root, 'dist/broker/session.js'));

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const TOTAL = Number(process.env.BENCH_TOTAL ?? 100_000);
const CONNECTIONS = 16;
const ROSTER = ['feat-a', 'feat-b', 'feat-c', 'feat-d'];

const BARE_SERVER = `
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

function requestBytes(port, token, agent, n) {
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

/** One keep-alive connection sending requests back to back until `deadline`; counts 202 replies. */
function connectionLoop(port, token, agent, deadline, budget) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    let buffer = Buffer.alloc(0);
    let done = 0;
    let n = 0;
    const send = () => {
      if (Date.now() >= deadline || budget.left <= 0) {
        socket.end();
        return resolve(done);
      }
      budget.left -= 1;
      socket.write(requestBytes(port, token, agent, (n += 1)));
    };
    socket.on('connect', send);
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buffer.subarray(0, end).toString('latin1');
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        if (!head.startsWith('HTTP/1.1 202'))
          return reject(new Error(`unexpected reply: ${head.split('\r\n')[0]}`));
        buffer = buffer.subarray(end + 4 + length);
        done += 1;
        send();
      }
    });
  });
}

async function measure(port, token, seconds, budget = { left: Infinity }) {
  const started = Date.now();
  const deadline = started + seconds * 1000;
  const counts = await Promise.all(
    Array.from({ length: CONNECTIONS }, (_, i) =>
      connectionLoop(port, token, ROSTER[i % ROSTER.length], deadline, budget),
    ),
  );
  const total = counts.reduce((a, b) => a + b, 0);
  return { total, perSecond: total / ((Date.now() - started) / 1000) };
}

function rssMiB(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

const dir = mkdtempSync(join(tmpdir(), 'paw-bench-'));
const children = [];
try {
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
    cliPath: join(root, 'dist/cli.js'),
  });
  const broker = spawn(plan.command[0], plan.command.slice(1), {
    env: { ...process.env, ...plan.env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(broker);
  await waitForBroker(plan);
  const brokerPid = (await fetchStatus(plan.url)).pid;

  const budget = { left: TOTAL };
  while (budget.left > 0) await measure(plan.port, plan.token, 60, budget);
  const afterTotal = (await fetchStatus(plan.url)).message_count;
  const rssAfterTotal = rssMiB(brokerPid);

  await measure(barePort, null, 1);
  await measure(plan.port, plan.token, 1);
  const bareRates = [];
  const brokerRates = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    bareRates.push((await measure(barePort, null, SECONDS)).perSecond);
    brokerRates.push((await measure(plan.port, plan.token, SECONDS)).perSecond);
  }
  const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
  const bareRate = mean(bareRates);
  const brokerRate = mean(brokerRates);

  const status = await fetchStatus(plan.url);
  const rss = rssMiB(brokerPid);
  const logMiB = statSync(plan.logPath).size / 1024 / 1024;

  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  console.log(`connections:        ${CONNECTIONS} keep-alive, ${SECONDS}s x ${ROUNDS} rounds each`);
  console.log(`bare node:http:     ${fmt(bareRate)} req/s  (${bareRates.map(fmt).join(', ')})`);
  console.log(`git-paw broker:     ${fmt(brokerRate)} req/s  (${brokerRates.map(fmt).join(', ')})`);
  console.log(`broker / bare:      ${((brokerRate / bareRate) * 100).toFixed(1)} %  (target >= 50 %)`);
  console.log(
    `broker RSS:         ${rssAfterTotal.toFixed(1)} MiB after ${fmt(afterTotal)} publishes  (target < 200 MiB)`,
  );
  console.log(`broker RSS at end:  ${rss.toFixed(1)} MiB after ${fmt(status.message_count)} publishes`);
  console.log(`log size:           ${logMiB.toFixed(1)} MiB`);
} finally {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve))),
    ),
  );
  rmSync(dir, { recursive: true, force: true });
}
