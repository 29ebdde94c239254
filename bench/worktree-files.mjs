// Benchmark 7, copying `[worktree] copy` files: a directory of 20,000 small files (a stand-in for
// node_modules) copied from the main checkout into 8 new worktrees by git-paw's own copy pipeline
// (build/bootstrap/files.js: one `cp -R --reflink=auto --parents` per worktree, one worktree after
// another). Alternating rounds run it as git-paw does (`--reflink=auto`: copy-on-write clones
// where the file system has them, else an in-kernel copy_file_range) and with `--reflink=never`
// (a read/write copy through cp), so the table shows what this machine's file system offers. No
// clones on a file system without reflinks: the result says so plainly (`cp --reflink=always` on
// one file is the probe).
//
// Run alone with `node bench/worktree-files.mjs` (after `npm run build`); `npm run bench` calls
// benchWorktreeFiles(). Options (env, standalone only): BENCH_COPY_ROUNDS.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from './sandbox.mjs';
import { median, progress, round } from './stats.mjs';

const WORKTREES = 8;
const DIRS = 200;
const FILES_PER_DIR = 100;

/** The main checkout: `.git/info` for the exclude file, and `node_modules` of 20,000 files. */
function createSource(root) {
  const source = join(root, 'main');
  mkdirSync(join(source, '.git', 'info'), { recursive: true });
  for (let dir = 0; dir < DIRS; dir += 1) {
    const path = join(source, 'node_modules', `pkg${dir}`);
    mkdirSync(path, { recursive: true });
    for (let file = 0; file < FILES_PER_DIR; file += 1)
      writeFileSync(
        join(path, `f${file}.js`),
        `module.exports = ${JSON.stringify(`pkg${dir}/f${file}`.repeat(8))};\n`,
      );
  }
  return source;
}

/** Whether this file system clones: `cp --reflink=always` fails where it cannot. */
function reflinkProbe(root) {
  writeFileSync(join(root, 'probe'), 'probe\n');
  const result = spawnSync('cp', ['--reflink=always', join(root, 'probe'), join(root, 'probe-copy')], {
    encoding: 'utf8',
  });
  return { supported: result.status === 0, reason: result.stderr.trim().split('\n')[0] ?? '' };
}

function fileSystemType(path) {
  try {
    return execFileSync('stat', ['-f', '-c', '%T', path], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** One launch's copies: 8 fresh worktree directories, the pipeline run over all of them; wall ms. */
async function copyRound(modules, source, root, reflink) {
  const worktrees = Array.from({ length: WORKTREES }, (_, index) => join(root, `wt-${reflink}-${index}`));
  for (const worktree of worktrees) mkdirSync(worktree);
  const runner = {
    run: (program, args, options) =>
      modules.systemRunner.run(
        program,
        args.map((arg) => (arg === '--reflink=auto' ? `--reflink=${reflink}` : arg)),
        options,
      ),
  };
  const plan = { source, copy: ['node_modules'], link: [], hide: [], unignoredInMain: [] };
  const repo = { root: source, project: 'main', commonDir: join(source, '.git') };
  const started = performance.now();
  const files = modules.bootstrapPipeline(runner, repo, plan);
  for (const worktree of worktrees) files.add(worktree);
  await files.done();
  const ms = performance.now() - started;
  for (const worktree of worktrees) rmSync(worktree, { recursive: true, force: true });
  return ms;
}

export async function benchWorktreeFiles({ rounds = 3 } = {}) {
  const modules = {
    ...(await import(join(ROOT, 'build/bootstrap/files.js'))),
    ...(await import(join(ROOT, 'build/util/exec.js'))),
  };
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'paw-bench-copy-')));
  try {
    progress(`worktree files: writing ${DIRS * FILES_PER_DIR} files`);
    const source = createSource(root);
    const probe = reflinkProbe(root);
    const samples = { auto: [], never: [] };
    for (let index = 0; index < rounds; index += 1) {
      for (const reflink of ['auto', 'never']) {
        progress(`worktree files: round ${index + 1}/${rounds}, --reflink=${reflink}`);
        samples[reflink].push(await copyRound(modules, source, root, reflink));
      }
    }
    const auto = median(samples.auto);
    const never = median(samples.never);
    return {
      files: DIRS * FILES_PER_DIR,
      worktrees: WORKTREES,
      rounds,
      file_system: fileSystemType(root),
      reflinks_supported: probe.supported,
      reflink_probe_error: probe.supported ? undefined : probe.reason,
      reflink_auto_ms: round(auto),
      reflink_never_ms: round(never),
      per_worktree_auto_ms: round(auto / WORKTREES),
      per_worktree_never_ms: round(never / WORKTREES),
      samples_ms: { auto: samples.auto.map((ms) => round(ms)), never: samples.never.map((ms) => round(ms)) },
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rounds = Number(process.env.BENCH_COPY_ROUNDS ?? 3);
  console.log(JSON.stringify(await benchWorktreeFiles({ rounds }), null, 2));
}
