// Benchmark 1, CLI start-up: `git-paw --version` and `git-paw status` (a repo with no session)
// against `node -e 0`, the floor any Node CLI pays. Runs alternate so drift hits all three alike.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { CLI_PATH, createSandbox } from './sandbox.mjs';
import { median, progress, round } from './stats.mjs';

function timed(args, options) {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - started;
  if (result.status !== 0) {
    throw new Error(`node ${args.join(' ')} exited ${result.status}: ${String(result.stderr)}`);
  }
  return { ms, stdout: String(result.stdout) };
}

/** Returns { runs, node_ms, version_ms, status_ms, version_ratio, status_ratio } (medians). */
export async function benchStartup({ runs }) {
  const sandbox = createSandbox();
  try {
    const options = { cwd: sandbox.repo, env: sandbox.env };
    const status = timed([CLI_PATH, 'status'], options).stdout;
    if (status !== 'No session for this repo.\n') throw new Error(`unexpected status output: ${status}`);
    const samples = { node: [], version: [], status: [] };
    for (let i = 0; i < runs; i += 1) {
      samples.node.push(timed(['-e', '0'], options).ms);
      samples.version.push(timed([CLI_PATH, '--version'], options).ms);
      samples.status.push(timed([CLI_PATH, 'status'], options).ms);
      if ((i + 1) % 10 === 0) progress(`start-up: ${i + 1}/${runs} rounds`);
    }
    const node = median(samples.node);
    const version = median(samples.version);
    const statusMs = median(samples.status);
    return {
      runs,
      node_ms: round(node),
      version_ms: round(version),
      status_ms: round(statusMs),
      version_ratio: round(version / node),
      status_ratio: round(statusMs / node),
      samples_ms: Object.fromEntries(
        Object.entries(samples).map(([name, values]) => [name, values.map((ms) => round(ms, 1))]),
      ),
    };
  } finally {
    sandbox.cleanup();
  }
}
