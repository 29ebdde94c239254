// Benchmark 4, dashboard idle CPU: a real broker-enabled session (`git-paw start --no-attach`,
// ten branches, fake AI CLIs) whose pane 0 runs `git-paw dashboard`. Each agent publishes one
// status through the session's broker; the window opens once the dashboards show every agent
// idle (the watcher has settled their state), so nothing changes during it and what is measured
// is the view's own cost: its /status poll, and its ages and uptime, which change once a minute.
// CPU = utime + stime from /proc/<pid>/stat before and after the window, as % of one core.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI_PATH, ROOT, createSandbox } from './sandbox.mjs';
import { cpuSeconds, CLK_TCK } from './proc.mjs';
import { progress, round } from './stats.mjs';

// Helpers come from tsc's module-by-module output (build/); the CLI under test is the bundled dist/.
const { fetchStatus } = await import(join(ROOT, 'build/broker/client.js'));
const { agentIdOf } = await import(join(ROOT, 'build/git/names.js'));

const SESSION = 'paw-proj';
const AGENTS = 10;

const cmdline = (pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');

/** The process at or below `pid` whose command line runs `git-paw dashboard`. */
function findDashboard(pid) {
  if (/cli\.js dashboard/.test(cmdline(pid))) return pid;
  const childrenFile = `/proc/${pid}/task/${pid}/children`;
  const children = existsSync(childrenFile)
    ? readFileSync(childrenFile, 'utf8').trim().split(/\s+/).filter(Boolean)
    : [];
  for (const child of children) {
    const found = findDashboard(Number(child));
    if (found) return found;
  }
  return undefined;
}

async function waitFor(probe, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function publish(url, token, body) {
  const response = await fetch(`${url}/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (response.status !== 202) throw new Error(`publish answered ${response.status}`);
}

/** Returns the dashboard's (and meanwhile the broker's) CPU use over `seconds` of idling. */
export async function benchDashboard({ seconds = 30 } = {}) {
  const sandbox = createSandbox();
  try {
    sandbox.enableBroker();
    const branches = Array.from({ length: AGENTS }, (_, i) => `feat/agent-${i + 1}`);
    const launch = spawnSync(
      process.execPath,
      [CLI_PATH, 'start', '--no-attach', '--cli', 'claude', '--branches', branches.join(',')],
      { cwd: sandbox.repo, env: sandbox.env, encoding: 'utf8' },
    );
    if (launch.status !== 0) throw new Error(`start failed: ${launch.stderr}`);
    const state = sandbox.savedState(SESSION);
    const url = `http://${state.broker_bind}:${state.broker_port}`;
    for (const branch of branches) {
      await publish(url, state.broker_token, {
        type: 'agent.status',
        agent_id: agentIdOf(branch),
        payload: { status: 'working', modified_files: ['src/main.ts'], message: `implementing ${branch}` },
      });
    }
    // Pane 0 of the session (its tiled size), and a second `git paw dashboard` in an 80×24
    // session of the same tmux server, which has room for every row.
    const paneZero = sandbox.tmux(['list-panes', '-t', `=${SESSION}:`, '-F', '#{pane_id}']).split('\n')[0];
    sandbox.tmux([
      'new-session',
      '-d',
      '-s',
      'view',
      '-x',
      '80',
      '-y',
      '24',
      '-c',
      sandbox.repo,
      `'${process.execPath}' '${CLI_PATH}' dashboard`,
    ]);
    const views = [];
    for (const pane of [paneZero, '=view:']) {
      await waitFor(
        () =>
          new RegExp(`${AGENTS} agents: ${AGENTS} idle\\b`).test(
            sandbox.tmux(['capture-pane', '-p', '-t', pane]),
          ),
        `dashboard ${pane} to show all ten agents idle (their state settled)`,
      );
      const panePid = Number(sandbox.tmux(['display-message', '-p', '-t', pane, '#{pane_pid}']));
      const size = sandbox.tmux(['display-message', '-p', '-t', pane, '#{pane_width}x#{pane_height}']).trim();
      views.push({
        size,
        pid: await waitFor(() => findDashboard(panePid), `the dashboard process of ${pane}`),
      });
    }
    const brokerPid = (await fetchStatus(url)).pid;
    await sleep(2_000); // let start-up work (JIT, first renders) settle before the window opens
    progress(`dashboard: measuring idle CPU for ${seconds} s`);
    const pids = [...views.map((view) => view.pid), brokerPid];
    const before = pids.map((pid) => cpuSeconds(pid).self);
    const startedAt = performance.now();
    await sleep(seconds * 1000);
    const wall = (performance.now() - startedAt) / 1000;
    const percent = pids.map((pid, i) => round(((cpuSeconds(pid).self - before[i]) / wall) * 100, 2));
    return {
      agents: AGENTS,
      seconds: round(wall, 1),
      views: views.map((view, i) => ({ pane: view.size, cpu_percent: percent[i] })),
      broker_cpu_percent: percent[2],
      clock_ticks_per_second: CLK_TCK,
    };
  } finally {
    sandbox.cleanup();
  }
}
