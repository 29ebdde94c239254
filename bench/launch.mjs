// Benchmark 2, launch: `git-paw start --no-attach` of N branches against upstream's sequence as a
// plain shell script (bench/upstream-launch.sh) and the raw N × `git worktree add` floor. Every
// run gets a fresh sandbox (repo, HOME/XDG, private tmux server); creating it, checking the
// result and `tmux kill-server` + removal happen outside the timed part. Variants alternate
// within each round. Separate, untimed runs count git and tmux processes with wrappers first on PATH.
// The plain git-paw variants run with `[broker] enabled = false` (comparable with upstream's
// script, which starts no broker); the broker-on variant shows what the default launch adds.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CLI_PATH, ROOT, createSandbox } from './sandbox.mjs';
import { median, progress, round } from './stats.mjs';

const SESSION = 'paw-proj';
const UPSTREAM_SCRIPT = join(ROOT, 'bench', 'upstream-launch.sh');

const branchesOf = (n) => Array.from({ length: n }, (_, i) => `b${i + 1}`);

/** What each variant runs: argv and whether a tmux session with N panes must result. */
const VARIANTS = {
  floor: (sandbox, branches) => ({
    argv: ['sh', UPSTREAM_SCRIPT, 'worktrees', sandbox.repo, SESSION, 'claude', ...branches],
    panes: 0,
  }),
  upstream: (sandbox, branches) => ({
    argv: ['sh', UPSTREAM_SCRIPT, 'full', sandbox.repo, SESSION, 'claude', ...branches],
    panes: branches.length,
  }),
  gitPaw: (sandbox, branches) => {
    sandbox.disableBroker();
    return {
      argv: [
        process.execPath,
        CLI_PATH,
        'start',
        '--no-attach',
        '--cli',
        'claude',
        '--branches',
        branches.join(','),
      ],
      panes: branches.length,
    };
  },
  // The same command with --dry-run: node start-up, module loading and plan validation only.
  gitPawDryRun: (sandbox, branches) => {
    sandbox.disableBroker();
    return {
      argv: [
        process.execPath,
        CLI_PATH,
        'start',
        '--dry-run',
        '--cli',
        'claude',
        '--branches',
        branches.join(','),
      ],
      panes: 0,
    };
  },
  // The default launch: pane 0 is the dashboard and the broker runs in a hidden window.
  gitPawBroker: (sandbox, branches) => {
    const plain = VARIANTS.gitPaw(sandbox, branches);
    sandbox.enableBroker();
    return { ...plain, panes: branches.length + 1 };
  },
};

function paneCount(sandbox) {
  try {
    return sandbox
      .tmux(['list-panes', '-t', `=${SESSION}:`, '-F', '#{pane_id}'])
      .trim()
      .split('\n').length;
  } catch {
    return 0;
  }
}

/** One launch in a fresh sandbox (of `files` extra files): { ms, tmuxProcesses?, gitProcesses?, brokerWired? }. */
function launchOnce(variant, n, { count = false, files = 0 } = {}) {
  const sandbox = createSandbox({ countTmux: count, countGit: count, files });
  try {
    const { argv, panes } = VARIANTS[variant](sandbox, branchesOf(n));
    const started = performance.now();
    const result = spawnSync(argv[0], argv.slice(1), {
      cwd: sandbox.repo,
      env: sandbox.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const ms = performance.now() - started;
    if (result.status !== 0)
      throw new Error(`${variant} N=${n} exited ${result.status}: ${String(result.stderr)}`);
    if (paneCount(sandbox) !== panes)
      throw new Error(`${variant} N=${n}: expected ${panes} panes, found ${paneCount(sandbox)}`);
    const run = { ms };
    if (count) {
      run.tmuxProcesses = sandbox.tmuxProcesses();
      run.gitProcesses = sandbox.gitProcesses();
    }
    if (variant === 'gitPawBroker') run.brokerWired = sandbox.savedState(SESSION)?.broker_port !== undefined;
    return run;
  } finally {
    sandbox.cleanup();
  }
}

/** git and tmux processes of one untimed launch of upstream's script and of git-paw. */
function processCounts(n, files) {
  const upstream = launchOnce('upstream', n, { count: true, files });
  const gitPaw = launchOnce('gitPaw', n, { count: true, files });
  return {
    git_processes_upstream: upstream.gitProcesses,
    git_processes_git_paw: gitPaw.gitProcesses,
    tmux_processes_upstream: upstream.tmuxProcesses,
    tmux_processes_git_paw: gitPaw.tmuxProcesses,
  };
}

/**
 * Returns one entry per N: medians of each variant, ratios against upstream and the floor, git
 * and tmux process counts, and every sample. The broker-on variant runs when `broker` is set and the
 * launch path starts a broker. `files` makes each sandbox repo that much bigger.
 */
export async function benchLaunch({ sizes, runs, files = 0, broker = true }) {
  const variants = ['floor', 'upstream', 'gitPaw', 'gitPawDryRun'];
  if (broker && launchOnce('gitPawBroker', sizes[0]).brokerWired) variants.push('gitPawBroker');
  else if (broker)
    progress('launch: the launch path does not start a broker yet; skipping the broker-on variant');

  const samples = Object.fromEntries(sizes.map((n) => [n, Object.fromEntries(variants.map((v) => [v, []]))]));
  for (let round = 1; round <= runs; round += 1) {
    for (const n of sizes)
      for (const variant of variants) samples[n][variant].push(launchOnce(variant, n, { files }).ms);
    progress(`launch: round ${round}/${runs} done`);
  }
  return sizes.map((n) => {
    const medians = Object.fromEntries(variants.map((v) => [v, median(samples[n][v])]));
    const entry = {
      branches: n,
      files,
      runs,
      floor_ms: round(medians.floor),
      upstream_ms: round(medians.upstream),
      git_paw_ms: round(medians.gitPaw),
      git_paw_vs_upstream: round(medians.gitPaw / medians.upstream),
      git_paw_dry_run_ms: round(medians.gitPawDryRun),
      git_paw_above_floor_ms: round(medians.gitPaw - medians.floor),
      upstream_above_floor_ms: round(medians.upstream - medians.floor),
      ...processCounts(n, files),
    };
    if (medians.gitPawBroker !== undefined) {
      entry.git_paw_broker_ms = round(medians.gitPawBroker);
      entry.broker_added_ms = round(medians.gitPawBroker - medians.gitPaw);
      entry.tmux_processes_git_paw_broker = launchOnce('gitPawBroker', n, { count: true }).tmuxProcesses;
    }
    entry.samples_ms = Object.fromEntries(variants.map((v) => [v, samples[n][v].map((ms) => round(ms, 1))]));
    return entry;
  });
}
