// Benchmark 3c, MCP: the latency of a `publish_status` tool call on the broker's MCP endpoint
// against the same status published with `POST /publish`, one call in flight over one kept-alive
// node:http connection, on the real broker (restart loop + server, token auth, JSONL log),
// alternating rounds; then the server's RSS after 10,000 MCP calls.
//
// Run alone with `node bench/mcp.mjs` (after `npm run build`); `npm run bench` calls benchMcp().
import { spawn } from 'node:child_process';
import { Buffer } from 'node:buffer';
import { Agent, request } from 'node:http';
import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { CLI_PATH, ROOT } from './sandbox.mjs';
import { percentile, progress, round } from './stats.mjs';

const { findFreePort, fetchStatus } = await import(join(ROOT, 'build/broker/client.js'));
const { planBroker, waitForBroker } = await import(join(ROOT, 'build/broker/client/session.js'));
const { agentToken } = await import(join(ROOT, 'build/broker/auth.js'));

const AGENT = 'feat-a';

function rssMiB(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/**
 * One POST over a kept-alive node:http connection; resolves with the status and body. Lighter than
 * fetch (undici), whose own allocations and timers would add to the tail of both routes.
 */
function post(agent, url, headers, body) {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function timed(send, calls) {
  const times = [];
  for (let i = 0; i < calls; i += 1) {
    const start = performance.now();
    await send(i);
    times.push(performance.now() - start);
  }
  return times;
}

export async function benchMcp({ calls = 2_000, rounds = 3, rssCalls = 10_000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'paw-bench-mcp-'));
  const plan = await planBroker({
    settings: {
      port: await findFreePort('127.0.0.1', 31_000),
      bind: '127.0.0.1',
      allowRemote: false,
      auth: 'token',
    },
    session: 'paw-bench-mcp',
    repoPath: dir,
    roster: [{ branch: 'feat/a', cli: 'claude' }],
    saved: { logPath: join(dir, 'bench.broker.jsonl') },
    cliPath: CLI_PATH,
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const broker = spawn(plan.command[0], plan.command.slice(1), {
    env: { ...process.env, TMUX: undefined, ...plan.env },
    stdio: 'ignore',
  });
  try {
    await waitForBroker(plan);
    const pid = (await fetchStatus(plan.url)).pid;
    const token = agentToken(plan.token, AGENT);
    const mcpHeaders = {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-06-18',
    };
    const mcpCall = async (i) => {
      const body = JSON.stringify({
        jsonrpc: '2.0',
        id: i,
        method: 'tools/call',
        params: { name: 'publish_status', arguments: { status: 'working', message: `step ${i}` } },
      });
      const { status, text } = await post(agent, `${plan.url}/mcp/${AGENT}`, mcpHeaders, body);
      if (status !== 200 || text.includes('"isError":true')) throw new Error(`MCP call failed: ${text}`);
    };
    const publish = async (i) => {
      const body = JSON.stringify({
        type: 'agent.status',
        agent_id: AGENT,
        payload: { status: 'working', modified_files: [], message: `step ${i}` },
      });
      const { status } = await post(
        agent,
        `${plan.url}/publish`,
        { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      );
      if (status !== 202) throw new Error(`publish failed: ${status}`);
    };
    // Warm-up: the endpoint module loads on first use, and the JIT settles.
    await timed(mcpCall, 200);
    await timed(publish, 200);
    const mcpTimes = [];
    const publishTimes = [];
    for (let round = 0; round < rounds; round += 1) {
      progress(`  mcp round ${round + 1}/${rounds}`);
      mcpTimes.push(...(await timed(mcpCall, calls)));
      publishTimes.push(...(await timed(publish, calls)));
    }
    const rssBefore = rssMiB(pid);
    await timed(mcpCall, rssCalls);
    const rssAfter = rssMiB(pid);
    const stats = (times) => ({
      p50_ms: round(percentile(times, 50), 3),
      p99_ms: round(percentile(times, 99), 3),
    });
    return {
      calls_per_round: calls,
      rounds,
      mcp_publish_status: stats(mcpTimes),
      http_publish: stats(publishTimes),
      rss_calls: rssCalls,
      server_rss_before_mib: round(rssBefore, 1),
      server_rss_after_mib: round(rssAfter, 1),
    };
  } finally {
    agent.destroy();
    broker.kill('SIGTERM');
    await new Promise((resolve) => (broker.exitCode !== null ? resolve() : broker.once('exit', resolve)));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await benchMcp(), null, 2));
}
