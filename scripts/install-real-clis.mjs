// Installs the pinned real AI CLIs (Claude Code, Codex, Gemini CLI) that the real-CLI test suite
// runs, into a cache directory outside the repo (${GIT_PAW_REAL_CLIS:-~/.cache/git-paw/real-clis}),
// never into the project's own dependencies: together they weigh about 760 MB.
// A stamp file records the installed versions, so a second run is a no-op in a few milliseconds.
// Exit codes: 0 installed (or already there), 1 install failed, 3 the npm registry cannot be
// reached (the suite may then skip, outside CI only).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The versions the suite is verified against; change them together with the suite. */
export const REAL_CLIS = {
  '@anthropic-ai/claude-code': '2.1.197',
  '@openai/codex': '0.171.0',
  '@google/gemini-cli': '0.61.0',
};
const BINS = ['claude', 'codex', 'gemini'];
const STAMP = 'git-paw-real-clis.json';
/** The error code npm prints for a failed request, e.g. ECONNREFUSED or ENOTFOUND. */
const NPM_ERROR_CODE = /npm error code (\S+)/;

export function realClisDir(env = process.env) {
  return env.GIT_PAW_REAL_CLIS || join(env.HOME || homedir(), '.cache', 'git-paw', 'real-clis');
}

function installedVersion(dir, name) {
  try {
    return JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/** True when every pinned package is installed at its pinned version with its command present. */
function installedAsPinned(dir) {
  return (
    Object.entries(REAL_CLIS).every(([name, version]) => installedVersion(dir, name) === version) &&
    BINS.every((bin) => existsSync(join(dir, 'node_modules', '.bin', bin)))
  );
}

function stampMatches(dir) {
  try {
    const stamp = JSON.parse(readFileSync(join(dir, STAMP), 'utf8'));
    return (
      JSON.stringify(stamp) === JSON.stringify(REAL_CLIS) &&
      BINS.every((bin) => existsSync(join(dir, 'node_modules', '.bin', bin)))
    );
  } catch {
    return false;
  }
}

function main() {
  const dir = realClisDir();
  if (stampMatches(dir)) return 0;
  // An install made by hand (or by an older run) with the right versions only lacks the stamp.
  if (!installedAsPinned(dir)) {
    // Asked first, without retries: npm install itself retries an unreachable registry for minutes.
    const ping = spawnSync('npm', ['ping', '--fetch-retries=0', '--fetch-timeout=15000'], {
      encoding: 'utf8',
    });
    if (ping.error || ping.status !== 0) {
      const reason =
        ping.error?.message ??
        (ping.stderr ?? '').match(NPM_ERROR_CODE)?.[1] ??
        `npm ping exit ${ping.status}`;
      console.error(`error: the npm registry cannot be reached (${reason}); the real CLIs are not installed`);
      return 3;
    }
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      `${JSON.stringify({ name: 'git-paw-real-clis', private: true, version: '0.0.0', dependencies: REAL_CLIS }, null, 2)}\n`,
    );
    console.log(
      `installing ${Object.entries(REAL_CLIS)
        .map(([n, v]) => `${n}@${v}`)
        .join(' ')} into ${dir}`,
    );
    const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    if (npm.error) {
      console.error(`error: could not run npm to install the real CLIs: ${npm.error.message}`);
      return 1;
    }
    if (npm.status !== 0) {
      process.stderr.write(npm.stderr ?? '');
      console.error(`error: npm install of the real CLIs failed (exit ${npm.status}) in ${dir}`);
      return 1;
    }
    if (!installedAsPinned(dir)) {
      console.error(`error: npm finished but the pinned CLIs are not all in ${dir}/node_modules`);
      return 1;
    }
  }
  writeFileSync(join(dir, STAMP), `${JSON.stringify(REAL_CLIS)}\n`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(main());
