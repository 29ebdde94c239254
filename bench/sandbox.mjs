// Throwaway environments for the benchmarks: a temp root with an isolated HOME/XDG, a private
// tmux server (TMUX_TMPDIR), a bin dir holding a fake AI CLI, and a git repo `proj` with one
// commit. Mirrors tests/helpers/sandbox.ts, in plain JS so the bench needs no build of tests.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI_PATH = join(ROOT, 'dist', 'cli.js');

const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin';

/** The fake AI CLI every pane runs: prints a marker, then waits. */
const FAKE_CLI = '#!/bin/sh\necho "FAKE-CLI $(pwd)"\nexec sleep 3600\n';

const programPaths = new Map();

/** Absolute path of a real program (the counting wrappers exec it). */
function realProgram(name) {
  if (!programPaths.has(name))
    programPaths.set(name, execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim());
  return programPaths.get(name);
}

/** Absolute path of the real tmux binary. */
export function realTmux() {
  return realProgram('tmux');
}

/**
 * Creates a sandbox. With `countTmux` (and `countGit`), a `tmux` (`git`) wrapper first on PATH
 * appends one NUL-terminated record per process to a log before exec'ing the real program;
 * `tmuxProcesses()` (`gitProcesses()`) counts those the command under test started itself. With
 * `files`, the repo's first commit holds that many more files.
 */
export function createSandbox(options = {}) {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'paw-bench-')));
  const home = join(root, 'home');
  const bin = join(root, 'bin');
  const tmuxDir = join(root, 'tmux');
  const repo = join(root, 'proj');
  for (const dir of [bin, tmuxDir, join(home, '.config'), join(home, '.local', 'share'), repo]) {
    mkdirSync(dir, { recursive: true });
  }
  const executable = (path, text) => {
    writeFileSync(path, text);
    chmodSync(path, 0o755);
  };
  executable(join(bin, 'claude'), FAKE_CLI);
  const logOf = (program) => join(root, `${program}-processes.log`);
  const counted = [...(options.countTmux ? ['tmux'] : []), ...(options.countGit ? ['git'] : [])];
  for (const program of counted) {
    // Arguments may hold newlines (tmux command lists do): one NUL per process, after the pid of
    // the process that started it.
    writeFileSync(logOf(program), '');
    executable(
      join(bin, program),
      `#!/bin/sh\nprintf '%s %s\\0' "$PPID" "$*" >> '${logOf(program)}'\nexec '${realProgram(program)}' "$@"\n`,
    );
  }
  /**
   * Processes of `program` started by the command under test: by the process that made the first
   * call (the launch always calls first). The broker's own calls, which may come while the launch
   * still runs, are not the launch's.
   */
  const processCount = (program) => {
    const parents = readFileSync(logOf(program), 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((record) => record.slice(0, record.indexOf(' ')));
    return parents.filter((parent) => parent === parents[0]).length;
  };
  const env = {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    TMUX_TMPDIR: tmuxDir,
    PATH: [bin, dirname(process.execPath), SYSTEM_PATH].join(':'),
    SHELL: '/bin/sh',
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Paw Bench',
    GIT_AUTHOR_EMAIL: 'bench@example.invalid',
    GIT_COMMITTER_NAME: 'Paw Bench',
    GIT_COMMITTER_EMAIL: 'bench@example.invalid',
    NO_COLOR: '1',
  };
  const git = (args) =>
    execFileSync('git', args, { cwd: repo, env: { ...env, LC_ALL: 'C' }, stdio: 'ignore' });
  git(['init', '-q', '-b', 'main']);
  writeFileSync(join(repo, 'README.md'), '# proj\n');
  // A repo of realistic size when asked: `files` small text files in 40 directories.
  for (let i = 0; i < (options.files ?? 0); i += 1) {
    const dir = join(repo, 'src', `d${i % 40}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `f${i}.txt`), `file ${i}\n`.repeat(60));
  }
  git(['add', '.']);
  git(['commit', '-q', '-m', 'initial']);
  // Count only what runs in the sandbox from now on, not the set-up above.
  for (const program of counted) writeFileSync(logOf(program), '');
  return {
    root,
    home,
    repo,
    env,
    /**
     * Turns the broker on in the repo's config (it is on by default; this says so), on `port`
     * when given (else the first free port from 9119, which a parallel launch may take first).
     */
    enableBroker(port) {
      mkdirSync(join(repo, '.git-paw'), { recursive: true });
      const portLine = port === undefined ? '' : `port = ${port}\n`;
      writeFileSync(join(repo, '.git-paw', 'config.toml'), `[broker]\nenabled = true\n${portLine}`);
    },
    /** Turns the broker off in the repo's config. */
    disableBroker() {
      mkdirSync(join(repo, '.git-paw'), { recursive: true });
      writeFileSync(join(repo, '.git-paw', 'config.toml'), '[broker]\nenabled = false\n');
    },
    /** The session state git-paw saved, or undefined. */
    savedState(session) {
      const path = join(env.XDG_DATA_HOME, 'git-paw', 'sessions', `${session}.json`);
      return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
    },
    tmuxProcesses() {
      return processCount('tmux');
    },
    gitProcesses() {
      return processCount('git');
    },
    /** Runs tmux against the sandbox's private server (never through the counting wrapper). */
    tmux(args) {
      return execFileSync(realTmux(), args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    },
    cleanup() {
      try {
        execFileSync(realTmux(), ['kill-server'], { env, stdio: 'ignore' });
      } catch {
        // No server was running.
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
