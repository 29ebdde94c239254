// Benchmark 3b, hook events: the latency a CLI's hook adds per event when it posts its JSON to
// `POST /events/<agent_id>` of a live broker (the real restart loop + server, token auth, the
// agent's adapter turning the payload into a state, a deciding signal written to the log before
// the reply), against the bare node:http server of benchmark 3 answering the same requests. A
// Claude Code session's cycle of events is replayed (prompt, tool calls, a permission request,
// stop), so some events decide a new state and most only confirm one. Two client shapes: a fresh
// connection per event (a hook that connects each time: the worst case) and one kept-alive
// connection, one event in flight at a time, rounds alternating between the two servers. Then
// the command hook every CLI runs: `sh -c` with git-paw's hook script (bash /dev/tcp), the
// payload on stdin, timed from spawn to exit (the whole cost the CLI waits for).
//
// Run alone with `node bench/events.mjs` (after `npm run build`); `npm run bench` calls
// benchEvents(). Options (env, standalone only): BENCH_EVENTS (per round), BENCH_EVENT_ROUNDS.
import { Buffer } from 'node:buffer';
import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { BARE_SERVER, openConnection } from './broker.mjs';
import { CLI_PATH, ROOT, createSandbox } from './sandbox.mjs';
import { percentile, progress, round } from './stats.mjs';

const { findFreePort, fetchStatus } = await import(join(ROOT, 'build/broker/client.js'));
const { planBroker, waitForBroker } = await import(join(ROOT, 'build/broker/client/session.js'));
const { eventsUrl, postPayloadScript } = await import(join(ROOT, 'build/agents/hook-command.js'));

const AGENT = 'feat-a';

/** One turn of a Claude Code session as its hooks report it (payload fields as the CLI sends them). */
const CYCLE = [
  { hook_event_name: 'UserPromptSubmit', prompt: 'Add the login form and its tests.' },
  { hook_event_name: 'PreToolUse', tool_name: 'Read', tool_input: { file_path: '/repo/src/login.ts' } },
  { hook_event_name: 'PostToolUse', tool_name: 'Read', tool_input: { file_path: '/repo/src/login.ts' } },
  { hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'npm test -- login' } },
  { hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: { command: 'npm test -- login' } },
  { hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: { command: 'npm test -- login' } },
  { hook_event_name: 'Stop', last_assistant_message: 'The login form is in place; 12 tests pass.' },
];

function eventBody(n) {
  return JSON.stringify({
    session_id: '5b0e3c8e-8f43-4a57-9d0c-3c1f3f4f2a10',
    transcript_path: '/home/user/.claude/projects/repo/5b0e3c8e.jsonl',
    cwd: '/repo',
    ...CYCLE[n % CYCLE.length],
  });
}

function eventBytes(port, token, n) {
  const body = eventBody(n);
  const auth = token ? `Authorization: Bearer ${token}\r\n` : '';
  return Buffer.from(
    `POST /events/${AGENT} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n${auth}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Connects, sends one request, reads the whole reply, closes; resolves with { status, ms }. */
function oneShot(port, bytes) {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    let buffer = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = buffer.subarray(0, end).toString('latin1');
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
      if (buffer.length < end + 4 + length) return;
      const ms = performance.now() - started;
      socket.destroy();
      resolve({ status: Number(head.slice(9, 12)), ms });
    });
  });
}

async function fresh(port, token, events, into) {
  for (let n = 0; n < events; n += 1) {
    const reply = await oneShot(port, eventBytes(port, token, n));
    if (reply.status !== 202) throw new Error(`event answered ${reply.status}`);
    into.push(reply.ms);
  }
}

async function keptAlive(port, token, events, into) {
  const connection = await openConnection(port);
  for (let n = 0; n < events; n += 1) {
    const reply = await connection.send(eventBytes(port, token, n));
    if (reply.status !== 202) throw new Error(`event answered ${reply.status}: ${reply.body}`);
    into.push(reply.ms);
  }
  connection.close();
}

/**
 * Runs the command hook once per event, as a CLI does, alternating with `sh -c 'exit 0'` (the
 * floor of any command hook spawned from Node); spawn-to-exit times of both.
 */
function commandHooks(plan, events) {
  const script = postPayloadScript(eventsUrl(plan.url, AGENT), 'stdin');
  const env = { ...process.env, GIT_PAW_BROKER_TOKEN: plan.token };
  const hook = [];
  const floor = [];
  const timed = (into, command, input) => {
    const started = performance.now();
    const run = spawnSync('sh', ['-c', command], { input, env, stdio: ['pipe', 'ignore', 'ignore'] });
    into.push(performance.now() - started);
    if (run.status !== 0) throw new Error(`'${command}' exited with ${run.status}`);
  };
  for (let n = 0; n < events; n += 1) {
    timed(hook, script, eventBody(n));
    timed(floor, 'exit 0', '');
  }
  return { hook, floor };
}

async function startServers(dir) {
  const barePort = await findFreePort('127.0.0.1', 30_000);
  const bare = spawn(process.execPath, ['-e', BARE_SERVER, String(barePort)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise((resolve) => bare.once('message', resolve));
  const plan = await planBroker({
    settings: {
      port: await findFreePort('127.0.0.1', barePort + 1),
      bind: '127.0.0.1',
      allowRemote: false,
      auth: 'token',
    },
    session: 'paw-bench-events',
    repoPath: dir,
    roster: [{ branch: AGENT, cli: 'claude' }],
    saved: { logPath: join(dir, 'events.broker.jsonl') },
    cliPath: CLI_PATH,
  });
  const broker = spawn(plan.command[0], plan.command.slice(1), {
    env: { ...process.env, ...plan.env },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  await waitForBroker(plan);
  const stop = async () => {
    for (const child of [bare, broker]) child.kill('SIGTERM');
    await Promise.all(
      [bare, broker].map(
        (child) =>
          new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve))),
      ),
    );
  };
  return { barePort, plan, stop };
}

const summary = (samples) => ({
  p50_ms: round(percentile(samples, 50), 3),
  p95_ms: round(percentile(samples, 95), 3),
  p99_ms: round(percentile(samples, 99), 3),
});

/** Runs the hook-event benchmark; returns p50/p95/p99 per client shape and server. */
export async function benchEvents({ events = 1_000, rounds = 3, commands = 300 } = {}) {
  const sandbox = createSandbox();
  const servers = await startServers(sandbox.root);
  try {
    const { barePort, plan } = servers;
    const results = {};
    for (const [shape, run] of [
      ['fresh_connection', fresh],
      ['keep_alive', keptAlive],
    ]) {
      // Warm-up: JIT and connection paths of both servers.
      await run(barePort, null, 200, []);
      await run(plan.port, plan.token, 200, []);
      const bare = [];
      const broker = [];
      for (let r = 0; r < rounds; r += 1) {
        await run(barePort, null, events, bare);
        await run(plan.port, plan.token, events, broker);
      }
      progress(`events: ${shape} measured`);
      const b = summary(broker);
      const floor = summary(bare);
      results[shape] = {
        events: broker.length,
        broker: b,
        bare: floor,
        added_p50_ms: round(b.p50_ms - floor.p50_ms, 3),
        added_p95_ms: round(b.p95_ms - floor.p95_ms, 3),
      };
    }
    const before = (await fetchStatus(plan.url)).agents[0];
    commandHooks(plan, 20);
    const { hook, floor } = commandHooks(plan, commands);
    results.command_hook = { events: commands, ...summary(hook), sh_floor: summary(floor) };
    progress('events: command hook measured');
    const after = (await fetchStatus(plan.url)).agents[0];
    // The command hook must have reached the broker, or its timings say nothing.
    if (after?.state_since === before?.state_since) throw new Error('the command hooks changed no state');
    return { ...results, final_state: after?.state ?? null };
  } finally {
    await servers.stop();
    sandbox.cleanup();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const figures = await benchEvents({
    events: Number(process.env.BENCH_EVENTS ?? 1_000),
    rounds: Number(process.env.BENCH_EVENT_ROUNDS ?? 3),
  });
  console.log(JSON.stringify(figures, null, 2));
}
