// What the broker adds to a launch, for two builds side by side (e.g. before and after a change):
//
//   node bench/launch-ab.mjs <base>/dist/cli.js [<other>/dist/cli.js]   (default other: this dist/)
//
// Each build must sit in its package (package.json beside dist/, node_modules reachable). Every
// round runs `start --no-attach` of N branches with `[broker] enabled = false` and `= true` for
// both builds, all four alternating, each in a fresh sandbox (as section 2 of run.mjs), so drift
// on the machine hits them alike. Prints per N and build the medians and the broker's share:
// median(on) − median(off), and the median of the per-round differences; every sample goes to
// bench/results/launch-ab.json. Knobs: BENCH_LAUNCH_RUNS (rounds, default 7), BENCH_SIZES
// (default 2,8,16).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CLI_PATH, ROOT, createSandbox } from './sandbox.mjs';
import { median, msText, progress, renderTable, round } from './stats.mjs';

const [base, other = CLI_PATH] = process.argv.slice(2).map((path) => resolve(path));
if (!base) {
  process.stderr.write('usage: node bench/launch-ab.mjs <base>/dist/cli.js [<other>/dist/cli.js]\n');
  process.exit(2);
}
const builds = { base, other };
const runs = Number(process.env.BENCH_LAUNCH_RUNS ?? 7);
const sizes = (process.env.BENCH_SIZES ?? '2,8,16').split(',').map(Number);

function launchOnce(cli, n, broker) {
  const sandbox = createSandbox();
  try {
    // A port of its own: other launches on the machine cannot take it between planning and bind.
    if (broker) sandbox.enableBroker(20000 + Math.floor(Math.random() * 25000));
    else sandbox.disableBroker();
    const branches = Array.from({ length: n }, (_, i) => `b${i + 1}`).join(',');
    const argv = [cli, 'start', '--no-attach', '--cli', 'claude', '--branches', branches];
    const started = performance.now();
    const result = spawnSync(process.execPath, argv, {
      cwd: sandbox.repo,
      env: sandbox.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const ms = performance.now() - started;
    if (result.status !== 0)
      throw new Error(`${cli} N=${n} exited ${result.status}: ${String(result.stderr)}`);
    return ms;
  } finally {
    sandbox.cleanup();
  }
}

const samples = {};
for (let r = 1; r <= runs; r += 1) {
  for (const n of sizes)
    for (const build of Object.keys(builds))
      for (const broker of [false, true]) {
        const key = `${n}/${build}/${broker ? 'on' : 'off'}`;
        (samples[key] ??= []).push(launchOnce(builds[build], n, broker));
      }
  progress(`launch-ab: round ${r}/${runs} done`);
}

const rows = [];
for (const n of sizes)
  for (const [build, cli] of Object.entries(builds)) {
    const off = samples[`${n}/${build}/off`];
    const on = samples[`${n}/${build}/on`];
    rows.push({
      branches: n,
      build,
      cli,
      off_ms: round(median(off)),
      on_ms: round(median(on)),
      broker_adds_ms: round(median(on) - median(off)),
      broker_adds_paired_ms: round(median(on.map((ms, i) => ms - off[i]))),
      samples_ms: { off: off.map((ms) => round(ms, 1)), on: on.map((ms) => round(ms, 1)) },
    });
  }
const loadAverage = loadavg()
  .map((value) => value.toFixed(2))
  .join(' ');
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(
  join(ROOT, 'bench', 'results', 'launch-ab.json'),
  `${JSON.stringify({ date: new Date().toISOString(), runs, load_average_end: loadAverage, rows }, null, 2)}\n`,
);
process.stdout.write(
  `broker off vs on, median of ${runs} alternating rounds (load average at end ${loadAverage})\n` +
    `base: ${base}\nother: ${other}\n${renderTable(
      ['branches', 'build', 'broker off', 'broker on', 'broker adds', 'broker adds (paired)'],
      rows.map((row) => [
        row.branches,
        row.build,
        msText(row.off_ms),
        msText(row.on_ms),
        msText(row.broker_adds_ms),
        msText(row.broker_adds_paired_ms),
      ]),
    )}\n`,
);
