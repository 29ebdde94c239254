// Signals sent to the real CLI process in the middle of an 8-branch launch with the broker on: the
// terminal closing (SIGHUP), Ctrl-C, kill and Ctrl-\ all roll the launch back, whatever it had
// made so far. Each launch is held at its point by something that waits for a file (a git hook,
// a git wrapper, a preload of the broker's process) and says it got there by writing another.
// Combinations, kept affordable on two cores: every signal at one point (between two worktrees),
// and every point with the signal that used to leave everything behind (SIGHUP).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canListen } from '../../src/broker/client.js';
import { writeExecutable } from '../helpers/executable.js';
import { pollUntil } from '../helpers/poll.js';
import { CLI_PATH } from '../helpers/run-cli.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { skipWithoutTmux } from '../helpers/tmux.js';
import { enableBroker } from '../helpers/broker-session.js';
import {
  expectNothingCreated,
  sessionAlive,
  sessionsDirOf,
  worktreeDir,
} from '../helpers/lifecycle.js';

const BRANCHES = Array.from({ length: 8 }, (_, index) => `b${index}`);

interface Launch {
  pid: number;
  signal(name: NodeJS.Signals): void;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Shell lines that write the reached file, then wait until the go file exists. */
function waitForGo(reached: string, go: string): string {
  return `: > '${reached}'\nwhile [ ! -e '${go}' ]; do sleep 0.02; done\n`;
}

/** The pids of this sandbox's broker processes (server and watchdog), found by their environment. */
function brokerProcesses(sandbox: Sandbox): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!argv.some((arg) => /broker\/(serve|watchdog)\.js$/.test(arg))) continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').includes(sandbox.root)) pids.push(Number(entry));
    } catch {
      // Exited meanwhile.
    }
  }
  return pids;
}

describe.skipIf(skipWithoutTmux)('an interrupted launch', () => {
  let sandbox: Sandbox;
  let port: number;
  let reached: string;
  let go: string;
  let launch: Launch | undefined;

  beforeEach(async () => {
    sandbox = createSandbox();
    sandbox.fakeCli('claude');
    port = await enableBroker(sandbox);
    reached = join(sandbox.root, 'reached');
    go = join(sandbox.root, 'go');
    launch = undefined;
  });
  afterEach(async () => {
    writeFileSync(go, '');
    if (launch) {
      launch.signal('SIGKILL');
      await launch.exit;
    }
    sandbox.cleanup();
  });

  function start(env: NodeJS.ProcessEnv = {}): Launch {
    const child = spawn(
      process.execPath,
      [CLI_PATH, 'start', '--cli', 'claude', '--branches', BRANCHES.join(','), '--no-attach'],
      { cwd: sandbox.repo, env: { ...sandbox.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const started: Launch = {
      pid: child.pid ?? -1,
      signal: (name) => void child.kill(name),
      exit: new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr }))),
    };
    launch = started;
    return started;
  }

  /** A post-checkout hook that holds the checkout of `slug`'s worktree. */
  function holdCheckoutOf(slug: string): void {
    writeExecutable(
      join(sandbox.repo, '.git', 'hooks'),
      'post-checkout',
      `#!/bin/sh\ncase "$PWD" in *-${slug}) ${waitForGo(reached, go).replace(/\n/g, '; ')} ;; esac\n`,
    );
  }

  async function reach(what: string): Promise<void> {
    await pollUntil(() => existsSync(reached), Boolean, { what, timeoutMs: 20_000 });
  }

  /**
   * Sends `signal`, lets whatever holds the launch go on (unless `keepHeld`: the launch must then
   * end without it), and checks that nothing is left.
   */
  async function interruptAndCheck(running: Launch, signal: NodeJS.Signals, keepHeld = false): Promise<void> {
    running.signal(signal);
    if (!keepHeld) writeFileSync(go, '');
    const result = await running.exit;
    launch = undefined;
    const lastLine = result.stderr.trimEnd().split('\n').at(-1);
    expect({ code: result.code, signal: result.signal, lastLine }).toEqual({
      code: 2,
      signal: null,
      lastLine: 'error: Cancelled.',
    });
    expectNothingLeft();
    await pollUntil(
      () => brokerProcesses(sandbox),
      (pids) => pids.length === 0,
      { what: 'no broker process' },
    );
    expect(await canListen('127.0.0.1', port)).toBe(true);
  }

  /** No session, worktree, branch, state, lock, session-environment file or broker log. */
  function expectNothingLeft(): void {
    expectNothingCreated(sandbox);
    const sessions = sessionsDirOf(sandbox);
    expect(existsSync(sessions) ? readdirSync(sessions) : []).toEqual([]);
  }

  for (const signal of ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGQUIT'] as const) {
    it(`${signal} between two worktrees removes everything`, async () => {
      holdCheckoutOf('b3');
      const running = start();
      await reach('the checkout of the fourth worktree');
      expect(existsSync(worktreeDir(sandbox, 'b2'))).toBe(true);
      await interruptAndCheck(running, signal);
    });
  }

  it('SIGHUP before the worktrees (while the plan is checked) releases the lock and creates nothing', async () => {
    // A git in front of the real one, holding the launch's `git worktree list`.
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    writeExecutable(
      sandbox.bin,
      'git',
      `#!/bin/sh\ncase "$*" in *"worktree list"*) [ -e '${go}' ] || { ${waitForGo(reached, go).replace(/\n/g, '; ')} } ;; esac\nexec '${realGit}' "$@"\n`,
    );
    const running = start();
    await reach('the launch listing the worktrees');
    // The repo lock lives in its own dir next to the sessions; released, it stays marked free.
    const locks = join(sessionsDirOf(sandbox), '..', 'locks');
    const held = readdirSync(locks).filter((name) => /\.lock(\.\d+)?$/.test(name));
    expect(held).toHaveLength(1);
    expect(readFileSync(join(locks, held[0] ?? ''), 'utf8')).not.toBe('free');
    await interruptAndCheck(running, 'SIGHUP');
    expect(readFileSync(join(locks, held[0] ?? ''), 'utf8')).toBe('free');
  });

  it('SIGHUP after the tmux session and its broker exist removes them with the rest', async () => {
    holdCheckoutOf('b7');
    const running = start();
    await reach('the checkout of the last worktree');
    await pollUntil(() => sessionAlive(sandbox), Boolean, { what: 'the tmux session' });
    await pollUntil(
      () => canListen('127.0.0.1', port),
      (free) => !free,
      { what: 'the broker listening' },
    );
    await interruptAndCheck(running, 'SIGHUP');
  });

  it('SIGHUP while the broker starts stops it and removes everything', async () => {
    // Node preloads this into every process of the launch; only the broker's server waits.
    const preload = join(sandbox.root, 'hold-broker.cjs');
    writeFileSync(
      preload,
      `if (process.argv.some((arg) => arg.endsWith('broker/serve.js'))) {
  const fs = require('node:fs');
  fs.writeFileSync(${JSON.stringify(reached)}, '');
  const cell = new Int32Array(new SharedArrayBuffer(4));
  while (!fs.existsSync(${JSON.stringify(go)})) Atomics.wait(cell, 0, 0, 20);
}
`,
    );
    const running = start({ NODE_OPTIONS: `--require ${preload}` });
    await reach('the broker process starting');
    // Every worktree has its AGENTS.md: the launch now waits for the broker to answer.
    await pollUntil(
      () => BRANCHES.filter((branch) => existsSync(join(worktreeDir(sandbox, branch), 'AGENTS.md'))).length,
      (count) => count === BRANCHES.length,
      { what: 'all worktrees made' },
    );
    expect(brokerProcesses(sandbox)).not.toEqual([]);
    // The broker never answers: the launch must not wait for it.
    await interruptAndCheck(running, 'SIGHUP', true);
  });
});
