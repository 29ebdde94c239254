// Benchmark 5, the broker's state watcher with 10 and 50 idle agents: a real tmux session on a
// private server, one pane per agent (each in a window of its own at 200×50, so every capture is
// a full screen) tagged with `@paw_agent` and running a fake idle CLI, watched by the real
// watcher (build/broker/watcher.js, Claude's screen rules) in a process of its own, as in the
// broker's server. Over the window:
// - the watcher process's CPU (utime + stime from /proc), alone and with the tmux clients it
//   started and reaped (cutime + cstime), as % of one core;
// - the tmux server's CPU meanwhile (the captures are its work);
// - tmux processes per tick: in a second, shorter run, processes logged by a counting `tmux`
//   wrapper first on PATH, divided by the ticks the watcher process counted (the wrapper's own
//   shell would inflate the CPU figures, so the CPU run finds the real tmux directly).
//
// Run alone with `node bench/watcher.mjs` (after `npm run build`); `npm run bench` calls
// benchWatcher(). Options (env, standalone only): BENCH_SECONDS.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ROOT, createSandbox } from './sandbox.mjs';
import { cpuSeconds } from './proc.mjs';
import { progress, round } from './stats.mjs';

const SESSION = 'paw-bench';
const WARM_UP_MS = 3_000;
/** The counting run: long enough for a few ticks. */
const COUNT_MS = 5_000;

/**
 * The watcher process: starts the watcher on the session with a runner that counts its calls
 * (one per tick) and prints the count when asked on stdin.
 */
const WATCHER_PROCESS = `
const [{ startStateWatcher }, { systemRunner }] = await Promise.all([
  import(${JSON.stringify(join(ROOT, 'build/broker/watcher.js'))}),
  import(${JSON.stringify(join(ROOT, 'build/util/exec.js'))}),
]);
const options = JSON.parse(process.argv[1]);
let ticks = 0;
const runner = { run: (program, args, runOptions) => { ticks += 1; return systemRunner.run(program, args, runOptions); } };
startStateWatcher({ ...options, runner, sink: { observe: () => ({ ok: true, outcome: 'decided' }) }, onStop: (reason) => console.error('watcher stopped: ' + reason) });
process.stdin.on('data', () => process.stdout.write(ticks + '\\n'));
`;

/** Asks the watcher process for its tick count. */
function ticksOf(child) {
  return new Promise((resolve) => {
    child.stdout.once('data', (chunk) => resolve(Number(String(chunk).trim())));
    child.stdin.write('?\n');
  });
}

async function measure(agents, seconds) {
  const sandbox = createSandbox({ countTmux: true });
  let child;
  try {
    sandbox.tmux(['new-session', '-d', '-s', SESSION, '-x', '200', '-y', '50']);
    for (let index = 1; index < agents; index += 1) sandbox.tmux(['new-window', '-d', '-t', `=${SESSION}:`]);
    const panes = sandbox
      .tmux(['list-panes', '-s', '-t', `=${SESSION}`, '-F', '#{pane_id}'])
      .trim()
      .split('\n');
    const fake = join(sandbox.root, 'bin', 'claude');
    const start = panes.flatMap((pane, index) => [
      ...(index > 0 ? [';'] : []),
      ...['set-option', '-p', '-t', pane, '@paw_agent', `agent-${index}`],
      ...[';', 'send-keys', '-t', pane, '-l', '--', fake, ';', 'send-keys', '-t', pane, 'Enter'],
    ]);
    sandbox.tmux(start);
    const options = {
      session: SESSION,
      location: {
        socketPath: sandbox.tmux(['display-message', '-p', '#{socket_path}']).trim(),
        sessionId: sandbox.tmux(['display-message', '-p', '-t', `=${SESSION}:`, '#{session_id}']).trim(),
      },
      roster: panes.map((_, index) => ({ agent_id: `agent-${index}`, cli: 'claude' })),
    };
    const serverPid = Number(sandbox.tmux(['display-message', '-p', '#{pid}']).trim());
    const startWatcher = (path) => {
      child = spawn(
        process.execPath,
        ['--input-type=module', '-e', WATCHER_PROCESS, JSON.stringify(options)],
        {
          env: { ...sandbox.env, PATH: path },
          stdio: ['pipe', 'pipe', 'inherit'],
        },
      );
      return child;
    };
    const bin = join(sandbox.root, 'bin');
    const direct = startWatcher(
      sandbox.env.PATH.split(':')
        .filter((dir) => dir !== bin)
        .join(':'),
    );
    await sleep(WARM_UP_MS);
    const ticksBefore = await ticksOf(direct);
    const before = { watcher: cpuSeconds(direct.pid), server: cpuSeconds(serverPid) };
    const started = performance.now();
    await sleep(seconds * 1000);
    const wall = (performance.now() - started) / 1000;
    const after = { watcher: cpuSeconds(direct.pid), server: cpuSeconds(serverPid) };
    const ticks = (await ticksOf(direct)) - ticksBefore;
    direct.kill();

    const counted = startWatcher(sandbox.env.PATH);
    await sleep(COUNT_MS);
    const countedTicks = await ticksOf(counted);
    counted.kill('SIGKILL');
    // A tmux started by the tick counted last logs itself a moment later.
    await sleep(300);
    const processes = sandbox.tmuxProcesses();
    const percent = (cpu) => round((cpu / wall) * 100, 2);
    return {
      agents,
      seconds: round(wall, 1),
      ticks,
      tmux_processes_per_tick: round(processes / countedTicks, 2),
      counted_ticks: countedTicks,
      watcher_cpu_percent: percent(after.watcher.self - before.watcher.self),
      watcher_with_tmux_clients_cpu_percent: percent(
        after.watcher.self + after.watcher.children - before.watcher.self - before.watcher.children,
      ),
      tmux_server_cpu_percent: percent(after.server.self - before.server.self),
    };
  } finally {
    child?.kill();
    sandbox.cleanup();
  }
}

export async function benchWatcher({ sizes = [10, 50], seconds = 20 } = {}) {
  const rows = [];
  for (const agents of sizes) {
    progress(`  watcher, ${agents} idle agents, ${seconds} s`);
    rows.push(await measure(agents, seconds));
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(
    JSON.stringify(await benchWatcher({ seconds: Number(process.env.BENCH_SECONDS ?? 20) }), null, 2),
  );
}
