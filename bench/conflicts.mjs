// Benchmark 6, the conflict watcher: 8 agents, each in a worktree of a repository of 5,000 files
// (100 directories of 50), the real watcher (build/conflicts/watcher.js) on real git.
// - One full check after a change (a commit in one worktree that collides with two others, an
//   edit in a third): wall time and git processes it spawned, median of several rounds; the same
//   check of the two changed worktrees alone (what the watcher runs when its watches fire); the
//   full check again with 10,000 files in an ignored directory of every worktree.
// - Idle: the watcher in a process of its own, with its fs.watch watches, over a window with no
//   change: its CPU alone and with the git processes it started and reaped, as % of one core; and
//   the CPU of one full sweep (the periodic check that catches what the watches cannot see)
//   spread over its interval.
//
// Run alone with `node bench/conflicts.mjs` (after `npm run build`); `npm run bench` calls
// benchConflicts(). Options (env, standalone only): BENCH_SECONDS.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ROOT } from './sandbox.mjs';
import { cpuSeconds } from './proc.mjs';
import { progress, round } from './stats.mjs';

const AGENTS = 8;
const DIRS = 100;
const FILES_PER_DIR = 50;
const ROUNDS = 7;
const WARM_UP_MS = 3_000;

const ENV = {
  ...process.env,
  LC_ALL: 'C',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Paw Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.invalid',
  GIT_COMMITTER_NAME: 'Paw Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.invalid',
};

function git(cwd, args) {
  return execFileSync('git', args, { cwd, env: ENV, encoding: 'utf8' });
}

/** The repository and its 8 worktrees (`feat-0` … `feat-7`), each branch with a commit of its own. */
function createRepo() {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'paw-bench-conflicts-')));
  const repo = join(root, 'proj');
  for (let dir = 0; dir < DIRS; dir += 1) {
    mkdirSync(join(repo, `d${dir}`), { recursive: true });
    for (let file = 0; file < FILES_PER_DIR; file += 1) {
      writeFileSync(
        join(repo, `d${dir}`, `f${file}.txt`),
        `${Array.from({ length: 20 }, (_, line) => `d${dir} f${file} line ${line}`).join('\n')}\n`,
      );
    }
  }
  writeFileSync(join(repo, '.gitignore'), 'build/\n');
  git(root, ['init', '-q', '-b', 'main', repo]);
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-q', '-m', 'tree']);
  const targets = [];
  for (let index = 0; index < AGENTS; index += 1) {
    const agent = `feat-${index}`;
    const worktree = join(root, `proj-${agent}`);
    git(repo, ['worktree', 'add', '-q', '-b', agent, worktree]);
    // Each agent works in a directory of its own; 0, 1 and 2 also share d50/f0.txt.
    writeFileSync(join(worktree, `d${index}`, 'f0.txt'), `changed by ${agent}\n`);
    if (index < 3) writeFileSync(join(worktree, 'd50', 'f0.txt'), `line 0 by ${agent}\n`);
    git(worktree, ['commit', '-qam', `${agent} work`]);
    targets.push({ agent, branch: agent, worktree });
  }
  return { root, repo, session: { repo, baseBranch: 'main', targets } };
}

function ignoredBuildDirs(targets) {
  for (const { worktree } of targets) {
    for (let dir = 0; dir < 100; dir += 1) {
      mkdirSync(join(worktree, 'build', `c${dir}`), { recursive: true });
      for (let file = 0; file < 100; file += 1)
        writeFileSync(join(worktree, 'build', `c${dir}`, `o${file}`), '');
    }
  }
}

async function loadWatcher() {
  const [{ ConflictWatcher }, { gitConflictReader }, { systemRunner }] = await Promise.all([
    import(join(ROOT, 'build/conflicts/watcher.js')),
    import(join(ROOT, 'build/conflicts/git.js')),
    import(join(ROOT, 'build/util/exec.js')),
  ]);
  return { ConflictWatcher, gitConflictReader, systemRunner };
}

/**
 * Median wall time and git processes of a check after a change, over ROUNDS rounds: of every
 * worktree (`only` undefined), or of the changed ones alone, as the watcher does after its
 * watches fired.
 */
async function checks(session, only) {
  const { ConflictWatcher, gitConflictReader, systemRunner } = await loadWatcher();
  let processes = 0;
  const runner = {
    run: (program, args, options) => ((processes += 1), systemRunner.run(program, args, options)),
  };
  const watcher = new ConflictWatcher({
    load: () => session,
    git: gitConflictReader(runner),
    watchDir: () => ({ close: () => undefined }),
  });
  await watcher.checkNow();
  const samples = [];
  let report;
  for (let round = 0; round < ROUNDS; round += 1) {
    const [first, , , third] = session.targets;
    writeFileSync(join(first.worktree, 'd50', 'f0.txt'), `line 0 by feat-0, round ${round}\n`);
    git(first.worktree, ['commit', '-qam', `round ${round}`]);
    writeFileSync(join(third.worktree, 'd3', 'f1.txt'), `edited in round ${round}\n`);
    processes = 0;
    const started = performance.now();
    report = await watcher.checkNow(only);
    samples.push({ ms: performance.now() - started, processes });
  }
  watcher.stop();
  samples.sort((a, b) => a.ms - b.ms);
  const median = samples[Math.floor(samples.length / 2)];
  return {
    ms: round(median.ms, 1),
    max_ms: round(samples[samples.length - 1].ms, 1),
    git_processes: median.processes,
    pairs: report.conflicts.map((entry) => `${entry.agents.join('+')} ${entry.kind}`),
  };
}

const IDLE_PROCESS = `
const [{ ConflictWatcher }, { gitConflictReader }, { systemRunner }] = await Promise.all([
  import(${JSON.stringify(join(ROOT, 'build/conflicts/watcher.js'))}),
  import(${JSON.stringify(join(ROOT, 'build/conflicts/git.js'))}),
  import(${JSON.stringify(join(ROOT, 'build/util/exec.js'))}),
]);
const session = JSON.parse(process.argv[1]);
let checks = 0;
const watcher = new ConflictWatcher({ load: () => session, git: gitConflictReader(systemRunner) });
watcher.on('report', () => { checks += 1; });
watcher.start();
process.stdin.on('data', () => process.stdout.write(checks + '\\n'));
setInterval(() => undefined, 1 << 30);
`;

function checksOf(child) {
  return new Promise((resolve) => {
    child.stdout.once('data', (chunk) => resolve(Number(String(chunk).trim())));
    child.stdin.write('?\n');
  });
}

async function idle(session, seconds) {
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', IDLE_PROCESS, JSON.stringify(session)],
    {
      env: ENV,
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  try {
    await sleep(WARM_UP_MS);
    const checksBefore = await checksOf(child);
    const before = cpuSeconds(child.pid);
    const started = performance.now();
    await sleep(seconds * 1000);
    const wall = (performance.now() - started) / 1000;
    const after = cpuSeconds(child.pid);
    const checks = (await checksOf(child)) - checksBefore;
    const percent = (cpu) => round((cpu / wall) * 100, 2);
    return {
      seconds: round(wall, 1),
      checks,
      cpu_percent: percent(after.self - before.self),
      cpu_with_git_percent: percent(after.self + after.children - before.self - before.children),
    };
  } finally {
    child.kill();
  }
}

/** CPU (this process's children) of one full sweep, spread over the sweep interval. */
async function sweepShare(session) {
  const { ConflictWatcher, gitConflictReader, systemRunner } = await loadWatcher();
  const { SWEEP_MS } = await import(join(ROOT, 'build/conflicts/watcher.js'));
  const watcher = new ConflictWatcher({
    load: () => session,
    git: gitConflictReader(systemRunner),
    watchDir: () => undefined,
  });
  await watcher.checkNow();
  const before = process.resourceUsage();
  const childrenBefore = cpuSeconds(process.pid).children;
  await watcher.checkNow();
  const after = process.resourceUsage();
  const childrenAfter = cpuSeconds(process.pid).children;
  watcher.stop();
  const selfSeconds =
    (after.userCPUTime + after.systemCPUTime - before.userCPUTime - before.systemCPUTime) / 1e6;
  const cpu = selfSeconds + childrenAfter - childrenBefore;
  return {
    sweep_cpu_ms: round(cpu * 1000, 1),
    sweep_interval_s: SWEEP_MS / 1000,
    percent: round((cpu / (SWEEP_MS / 1000)) * 100, 2),
  };
}

export async function benchConflicts({ seconds = 30 } = {}) {
  const { root, session } = createRepo();
  try {
    progress(`  conflicts, ${AGENTS} agents, ${DIRS * FILES_PER_DIR} files: full checks`);
    const full = await checks(session);
    const changed = await checks(session, ['feat-0', 'feat-3']);
    progress(`  conflicts: idle watcher, ${seconds} s`);
    const idleRun = await idle(session, seconds);
    const sweep = await sweepShare(session);
    progress('  conflicts: full checks with 10,000 ignored files per worktree');
    ignoredBuildDirs(session.targets);
    const withIgnored = await checks(session);
    return {
      agents: AGENTS,
      files: DIRS * FILES_PER_DIR,
      full_check: full,
      changed_worktrees_check: changed,
      full_check_ignored_dirs: withIgnored,
      idle: idleRun,
      sweep,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(
    JSON.stringify(await benchConflicts({ seconds: Number(process.env.BENCH_SECONDS ?? 30) }), null, 2),
  );
}
