// A per-test sandbox: temp dir with an isolated HOME/XDG, a private tmux server (TMUX_TMPDIR),
// a bin dir for fake AI CLIs, and a git repo `proj` with one commit on `main`. Sessions run a
// broker by default; a test about sessions without one says so with `broker: false`.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { writeExecutable } from './executable.js';
import { join, relative } from 'node:path';
import { systemRunner, type CommandRunner } from '../../src/util/exec.js';

export interface Sandbox {
  root: string;
  home: string;
  bin: string;
  tmuxDir: string;
  /** The main repo (created by `createRepo`, default name `proj`). */
  repo: string;
  env: NodeJS.ProcessEnv;
  /** git-paw's real CommandRunner in the sandbox's environment (never the caller's tmux). */
  runner: CommandRunner;
  /** Runs git in `cwd` (default: the repo) and returns trimmed stdout; throws on failure. */
  git(args: string[], cwd?: string): string;
  /** Runs tmux against the sandbox's private server; returns trimmed stdout; throws on failure. */
  tmux(args: string[]): string;
  /** Like tmux() but returns the exit code instead of throwing. */
  tmuxStatus(args: string[]): number;
  /** Writes an executable fake AI CLI called `name` into the sandbox bin dir. */
  fakeCli(name: string, script?: string): string;
  writeFile(relativeToRoot: string, content: string): string;
  /** Writes the global config (`$XDG_CONFIG_HOME/git-paw/config.toml`). */
  writeGlobalConfig(content: string): string;
  /**
   * Writes the repo config (`<repo>/.git-paw/config.toml`); in a `broker: false` sandbox the
   * broker stays off unless `content` has a `[broker]` table of its own.
   */
  writeRepoConfig(content: string): string;
  /** A PATH of the bin dir plus a dir holding only git, so AI CLIs installed on the host are invisible. */
  isolatedPath(): string;
  cleanup(): void;
}

const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin';

/** Default fake CLI: prints a marker with its cwd and args, then waits. */
export function defaultFakeScript(name: string): string {
  return `#!/bin/sh\necho "FAKE-CLI ${name} cwd=$(pwd) args=$*"\nexec sleep 3600\n`;
}

export interface SandboxOptions {
  /** Name of the repo directory (default `proj`). */
  repoName?: string;
  /** Create no repo at all. */
  noRepo?: boolean;
  /** Extra directories prepended to PATH after the sandbox bin dir. */
  pathDirs?: string[];
  /**
   * Where the sandbox dir is made (default: the OS temp dir). Gemini CLI refuses a settings file
   * under a group- or world-writable directory such as /tmp, so its tests pass a private one.
   */
  parentDir?: string;
  /**
   * false: the repo config says `[broker] enabled = false` from the start, for tests about
   * sessions without a broker (no dashboard pane, no broker window, no broker state fields).
   */
  broker?: false;
}

/** The repo config table that turns the broker off. */
export const NO_BROKER_TABLE = '[broker]\nenabled = false\n';

/** `content` followed by the table that turns the broker off, unless it has a `[broker]` table. */
function withoutBroker(content: string): string {
  if (/^\s*\[broker\]/m.test(content)) return content;
  const separator = content === '' || content.endsWith('\n') ? '' : '\n';
  return `${content}${separator}${NO_BROKER_TABLE}`;
}

export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const root = realpathSync(mkdtempSync(join(options.parentDir ?? tmpdir(), 'paw-test-')));
  const home = join(root, 'home');
  const bin = join(root, 'bin');
  const tmuxDir = join(root, 'tmux');
  for (const dir of [home, bin, tmuxDir, join(home, '.config'), join(home, '.local', 'share')]) {
    mkdirSync(dir, { recursive: true });
  }
  const nodeDir = process.execPath.replace(/\/node$/, '');
  const env: NodeJS.ProcessEnv = {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    TMUX_TMPDIR: tmuxDir,
    PATH: [bin, ...(options.pathDirs ?? []), nodeDir, SYSTEM_PATH].join(':'),
    SHELL: '/bin/sh',
    // A shell in a pane must not write history into HOME while the sandbox is being removed.
    HISTFILE: '/dev/null',
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Paw Test',
    GIT_AUTHOR_EMAIL: 'paw@example.invalid',
    GIT_COMMITTER_NAME: 'Paw Test',
    GIT_COMMITTER_EMAIL: 'paw@example.invalid',
    NO_COLOR: '1',
  };
  const repo = join(root, options.repoName ?? 'proj');

  const sandbox: Sandbox = {
    root,
    home,
    bin,
    tmuxDir,
    repo,
    env,
    runner: {
      run: (program, args, options = {}) =>
        systemRunner.run(program, args, { ...options, env: { ...env, TMUX: undefined, ...options.env } }),
    },
    git(args, cwd = repo) {
      return execFileSync('git', args, { cwd, env: { ...env, LC_ALL: 'C' }, encoding: 'utf8' }).trim();
    },
    tmux(args) {
      return execFileSync('tmux', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    },
    tmuxStatus(args) {
      try {
        execFileSync('tmux', args, { env, stdio: 'ignore' });
        return 0;
      } catch (error) {
        return (error as { status?: number }).status ?? 1;
      }
    },
    fakeCli(name, script = defaultFakeScript(name)) {
      return writeExecutable(bin, name, script);
    },
    writeFile(relative, content) {
      const path = join(root, relative);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, content);
      return path;
    },
    writeGlobalConfig(content) {
      return sandbox.writeFile('home/.config/git-paw/config.toml', content);
    },
    writeRepoConfig(content) {
      const text = options.broker === false ? withoutBroker(content) : content;
      return sandbox.writeFile(join(relative(root, repo), '.git-paw', 'config.toml'), text);
    },
    isolatedPath() {
      const system = join(root, 'system-bin');
      mkdirSync(system, { recursive: true });
      const git = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
      if (!existsSync(join(system, 'git'))) symlinkSync(git, join(system, 'git'));
      return `${bin}:${system}`;
    },
    cleanup() {
      try {
        execFileSync('tmux', ['kill-server'], { env, stdio: 'ignore' });
      } catch {
        // No server was running.
      }
      // Session processes (the broker) may still be writing while they react to the server's
      // death; rmSync retries ENOTEMPTY/EBUSY until they are gone.
      rmSync(root, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
    },
  };

  if (!options.noRepo) {
    mkdirSync(repo, { recursive: true });
    sandbox.git(['init', '-q', '-b', 'main']);
    writeFileSync(join(repo, 'README.md'), '# proj\n');
    sandbox.git(['add', '.']);
    sandbox.git(['commit', '-q', '-m', 'initial']);
    if (options.broker === false) sandbox.writeRepoConfig('');
  }
  return sandbox;
}
