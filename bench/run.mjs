// `npm run bench` entry point (after the build): runs the benchmarks one after the other on
// this machine, prints a results table on stdout (progress on stderr) and writes the same figures
// as JSON to bench/results/latest.json. BENCHMARKS.md explains each figure.
//
// Options (env): BENCH_STARTUP_RUNS (default 30), BENCH_LAUNCH_RUNS (default 7),
// BENCH_BROKER_SECONDS (per round, default 2), BENCH_BROKER_ROUNDS (default 3),
// BENCH_EVENTS (per round, default 1000), BENCH_EVENT_ROUNDS (default 3),
// BENCH_DASHBOARD_SECONDS (default 30), BENCH_WATCHER_SECONDS (default 20),
// BENCH_CONFLICTS_SECONDS (idle window, default 30), BENCH_COPY_ROUNDS (default 3),
// BENCH_ONLY (comma list of startup,launch,broker,events,mcp,compaction,dashboard,watcher,conflicts,files).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchBroker } from './broker.mjs';
import { benchCompaction } from './compaction.mjs';
import { benchConflicts } from './conflicts.mjs';
import { benchDashboard } from './dashboard.mjs';
import { benchEvents } from './events.mjs';
import { benchMcp } from './mcp.mjs';
import { benchLaunch } from './launch.mjs';
import { ROOT } from './sandbox.mjs';
import { benchStartup } from './startup.mjs';
import { benchWatcher } from './watcher.mjs';
import { benchWorktreeFiles } from './worktree-files.mjs';
import { countText, msText, progress, ratioText, renderTable } from './stats.mjs';

const setting = (name, fallback) => Number(process.env[name] ?? fallback);
const only = process.env.BENCH_ONLY?.split(',');
const wanted = (section) => !only || only.includes(section);

function machine() {
  const cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  const version = (program, args) => execFileSync(program, args, { encoding: 'utf8' }).trim();
  return {
    cpus: availableParallelism(),
    cpu_model: cpu.trim(),
    memory_gib: Math.round(totalmem() / 1024 ** 3),
    kernel: release(),
    node: process.version,
    git: version('git', ['--version']).replace('git version ', ''),
    tmux: version('tmux', ['-V']).replace('tmux ', ''),
    load_average_at_start: loadavg().map((value) => Number(value.toFixed(2))),
  };
}

function startupTable(s) {
  return renderTable(
    ['command', 'median', 'vs node -e 0'],
    [
      ['node -e 0', msText(s.node_ms), ratioText(1)],
      ['git-paw --version', msText(s.version_ms), ratioText(s.version_ratio)],
      ['git-paw status (no session)', msText(s.status_ms), ratioText(s.status_ratio)],
    ],
  );
}

function launchTable(rows) {
  const broker = rows.some((row) => row.git_paw_broker_ms !== undefined);
  return renderTable(
    [
      'branches',
      'worktree floor',
      'upstream script',
      'git-paw',
      'git-paw / upstream',
      'git-paw --dry-run',
      ...(broker ? ['git-paw + broker', 'broker adds'] : []),
      'git processes: upstream / git-paw',
      `tmux processes: upstream / git-paw${broker ? ' / + broker' : ''}`,
    ],
    rows.map((row) => [
      row.branches,
      msText(row.floor_ms),
      msText(row.upstream_ms),
      msText(row.git_paw_ms),
      ratioText(row.git_paw_vs_upstream),
      msText(row.git_paw_dry_run_ms),
      ...(broker ? [msText(row.git_paw_broker_ms), msText(row.broker_added_ms)] : []),
      `${row.git_processes_upstream} / ${row.git_processes_git_paw}`,
      [
        row.tmux_processes_upstream,
        row.tmux_processes_git_paw,
        ...(broker ? [row.tmux_processes_git_paw_broker] : []),
      ].join(' / '),
    ]),
  );
}

function compactionTable(c) {
  return renderTable(
    ['figure', 'value'],
    [
      [`replay, ${c.small.log_mib} MiB log of records`, msText(c.small.replay_ms)],
      [`replay, ${c.plain.log_mib} MiB log of records`, msText(c.plain.replay_ms)],
      [`replay, ${c.compacted.log_mib} MiB log: snapshot + records`, msText(c.compacted.replay_ms)],
      [`compaction under load (${c.live.log_after_mib} MiB after)`, msText(c.live.compaction_ms)],
      ['requests held by it (server)', msText(c.live.server_paused_ms)],
      ['longest publish meanwhile (client)', msText(c.live.publish_max_ms)],
      ['failed publishes meanwhile', countText(c.live.failed_publishes)],
    ],
  );
}

function brokerTable(b) {
  const throughput = renderTable(
    ['connections', 'bare req/s', 'broker req/s', 'broker / bare', 'bare p50 / p99', 'broker p50 / p99'],
    b.throughput.map((row) => [
      row.connections,
      countText(row.bare_per_s),
      countText(row.broker_per_s),
      ratioText(row.broker_vs_bare),
      `${msText(row.bare_p50_ms)} / ${msText(row.bare_p99_ms)}`,
      `${msText(row.broker_p50_ms)} / ${msText(row.broker_p99_ms)}`,
    ]),
  );
  return [
    throughput,
    '',
    `poll, ${countText(b.poll.inbox_messages)} messages in the inbox, since = newest − ${b.poll.returned_per_poll} ` +
      `(${b.poll.polls} polls): p50 ${msText(b.poll.p50_ms)}, p99 ${msText(b.poll.p99_ms)}`,
    `server RSS after ${countText(b.rss.accepted_publishes)} publishes: ${b.rss.server_rss_mib} MiB ` +
      `(${b.rss.server_rss_end_mib} MiB after ${countText(b.rss.publishes_at_end)}; log ${b.rss.log_mib} MiB)`,
    `overload, ${b.overload.bursts} bursts of ${b.overload.publishers} publishers at once: ` +
      `${countText(b.overload.accepted)} × 202, ${countText(b.overload.busy)} × 503, ` +
      `${countText(b.overload.other)} other, ${countText(b.overload.closed_without_reply)} closed without a reply`,
  ].join('\n');
}

function eventsTable(e) {
  const cell = (figures) => `${msText(figures.p50_ms)} / ${msText(figures.p95_ms)}`;
  const table = renderTable(
    ['client', 'events', 'bare p50 / p95', 'broker p50 / p95', 'added p50 / p95'],
    [
      ['fresh connection per event', e.fresh_connection],
      ['one kept-alive connection', e.keep_alive],
    ].map(([label, row]) => [
      label,
      countText(row.events),
      cell(row.bare),
      cell(row.broker),
      `${msText(row.added_p50_ms)} / ${msText(row.added_p95_ms)}`,
    ]),
  );
  const command = e.command_hook;
  return `${table}\n\ncommand hook (sh -c, bash /dev/tcp, payload on stdin; spawn to exit), ${countText(command.events)} events: p50 ${msText(command.p50_ms)}, p95 ${msText(command.p95_ms)} (sh -c 'exit 0' alone: p50 ${msText(command.sh_floor.p50_ms)}, p95 ${msText(command.sh_floor.p95_ms)})`;
}

const started = Date.now();
const results = { date: new Date().toISOString(), machine: machine() };
const sections = [];

if (wanted('startup')) {
  progress('1/5 CLI start-up');
  results.startup = await benchStartup({ runs: setting('BENCH_STARTUP_RUNS', 30) });
  sections.push(
    `1. CLI start-up (median of ${results.startup.runs} alternating runs each)\n${startupTable(results.startup)}`,
  );
}
if (wanted('launch')) {
  progress('2/5 launch');
  results.launch = await benchLaunch({ sizes: [2, 8, 16], runs: setting('BENCH_LAUNCH_RUNS', 7) });
  sections.push(
    `2. Launch, start --no-attach vs upstream's sequence as a shell script ` +
      `(median of ${results.launch[0].runs} runs, fresh sandbox each)\n${launchTable(results.launch)}`,
  );
  const files = 500;
  results.launchBigRepo = await benchLaunch({
    sizes: [8],
    runs: setting('BENCH_LAUNCH_RUNS', 7),
    files,
    broker: false,
  });
  sections.push(
    `2b. The same launch in a repo of ${countText(files)} more files ` +
      `(median of ${results.launchBigRepo[0].runs} runs)\n${launchTable(results.launchBigRepo)}`,
  );
}
if (wanted('broker')) {
  progress('3/5 broker');
  results.broker = await benchBroker({
    seconds: setting('BENCH_BROKER_SECONDS', 2),
    rounds: setting('BENCH_BROKER_ROUNDS', 3),
  });
  sections.push(
    `3. Broker publish, keep-alive connections (${results.broker.rounds} alternating rounds of ` +
      `${results.broker.seconds_per_round} s; req/s = median round)\n${brokerTable(results.broker)}`,
  );
}
if (wanted('mcp')) {
  progress('3c MCP tool calls');
  results.mcp = await benchMcp({ calls: setting('BENCH_MCP_CALLS', 2_000) });
  const m = results.mcp;
  sections.push(
    `3c. publish_status over MCP vs the same status over POST /publish (one call in flight, ` +
      `${m.rounds} alternating rounds of ${m.calls_per_round})\n` +
      renderTable(
        ['route', 'p50', 'p99'],
        [
          [
            'MCP tools/call publish_status',
            msText(m.mcp_publish_status.p50_ms),
            msText(m.mcp_publish_status.p99_ms),
          ],
          ['POST /publish', msText(m.http_publish.p50_ms), msText(m.http_publish.p99_ms)],
        ],
      ) +
      `\nbroker server RSS: ${m.server_rss_before_mib} MiB before, ${m.server_rss_after_mib} MiB after ${countText(m.rss_calls)} more MCP calls`,
  );
}
if (wanted('events')) {
  progress('3b hook events');
  results.events = await benchEvents({
    events: setting('BENCH_EVENTS', 1_000),
    rounds: setting('BENCH_EVENT_ROUNDS', 3),
  });
  sections.push(
    `3b. Hook events posted to POST /events/<agent> (a Claude Code turn replayed; bare and broker ` +
      `alternating, one event in flight)\n${eventsTable(results.events)}`,
  );
}
if (wanted('compaction')) {
  progress('3c log compaction');
  results.compaction = await benchCompaction();
  sections.push(
    `3c. Broker log compaction at the ${results.compaction.limit_mib} MiB limit (default retention caps full; ` +
      `replay = median of ${results.compaction.runs} cold starts)\n${compactionTable(results.compaction)}`,
  );
}
if (wanted('dashboard')) {
  progress('4/5 dashboard');
  results.dashboard = await benchDashboard({ seconds: setting('BENCH_DASHBOARD_SECONDS', 30) });
  const d = results.dashboard;
  sections.push(
    `4. Dashboard idle CPU, ${d.agents} agents over ${d.seconds} s (% of one core)\n` +
      renderTable(
        ['view', 'CPU'],
        [
          [`pane 0 of the session (${d.views[0].pane})`, `${d.views[0].cpu_percent} %`],
          [`git paw dashboard in an ${d.views[1].pane} terminal`, `${d.views[1].cpu_percent} %`],
          ['the broker meanwhile', `${d.broker_cpu_percent} %`],
        ],
      ),
  );
}

if (wanted('watcher')) {
  progress('5/5 state watcher');
  results.watcher = await benchWatcher({ seconds: setting('BENCH_WATCHER_SECONDS', 20) });
  sections.push(
    `5. State watcher with idle agents, one pane each at 200x50 (CPU over ${results.watcher[0].seconds} s, % of one core)\n` +
      renderTable(
        ['agents', 'watcher', 'watcher + its tmux clients', 'tmux server', 'tmux processes per tick'],
        results.watcher.map((row) => [
          row.agents,
          `${row.watcher_cpu_percent} %`,
          `${row.watcher_with_tmux_clients_cpu_percent} %`,
          `${row.tmux_server_cpu_percent} %`,
          row.tmux_processes_per_tick,
        ]),
      ),
  );
}

if (wanted('conflicts')) {
  progress('6 conflict watcher');
  results.conflicts = await benchConflicts({ seconds: setting('BENCH_CONFLICTS_SECONDS', 30) });
  const c = results.conflicts;
  const checkRow = (label, row) => [label, msText(row.ms), msText(row.max_ms), row.git_processes];
  sections.push(
    `6. Conflict watcher, ${c.agents} agents on a repo of ${countText(c.files)} files (median of the rounds)\n` +
      renderTable(
        ['check after a change', 'wall', 'slowest', 'git processes'],
        [
          checkRow('all 8 worktrees', c.full_check),
          checkRow('the 2 changed worktrees (as after fs.watch)', c.changed_worktrees_check),
          checkRow('all 8, 10,000 ignored files in each', c.full_check_ignored_dirs),
        ],
      ) +
      `\nidle over ${c.idle.seconds} s: ${c.idle.cpu_percent} % of a core (with its git processes ${c.idle.cpu_with_git_percent} %, ${c.idle.checks} checks); ` +
      `a full sweep costs ${msText(c.sweep.sweep_cpu_ms)} CPU every ${c.sweep.sweep_interval_s} s = ${c.sweep.percent} %`,
  );
}

if (wanted('files')) {
  progress('7 worktree files');
  results.worktreeFiles = await benchWorktreeFiles({ rounds: setting('BENCH_COPY_ROUNDS', 3) });
  const f = results.worktreeFiles;
  sections.push(
    `7. [worktree] copy of ${countText(f.files)} files into ${f.worktrees} worktrees, one cp per worktree ` +
      `(median of ${f.rounds} alternating rounds; ${f.file_system}, reflinks ${f.reflinks_supported ? 'supported' : 'not supported'})\n` +
      renderTable(
        ['cp', 'all worktrees', 'per worktree'],
        [
          ['--reflink=auto (what git-paw runs)', msText(f.reflink_auto_ms), msText(f.per_worktree_auto_ms)],
          ['--reflink=never (read/write copy)', msText(f.reflink_never_ms), msText(f.per_worktree_never_ms)],
        ],
      ) +
      (f.reflinks_supported ? '' : `\nno copy-on-write here: ${f.reflink_probe_error}`),
  );
}

results.machine.load_average_at_end = loadavg().map((value) => Number(value.toFixed(2)));
results.total_seconds = Math.round((Date.now() - started) / 1000);
const m = results.machine;
console.log(
  [
    `git-paw benchmarks, ${results.date}`,
    `machine: ${m.cpus} × ${m.cpu_model}, ${m.memory_gib} GiB, Linux ${m.kernel}; node ${m.node}, git ${m.git}, tmux ${m.tmux}`,
    `load average at start ${m.load_average_at_start.join(' ')}, at end ${m.load_average_at_end.join(' ')}; took ${results.total_seconds} s`,
    '',
    sections.join('\n\n'),
  ].join('\n'),
);
const out = join(ROOT, 'bench', 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
progress(`wrote ${join(out, 'latest.json')}`);
