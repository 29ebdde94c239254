// Starts a real broker (the broker window's restart loop around the built server) on a free loopback port
// in a temp dir, the way the launch does, for tests that talk to it over the network.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../../src/broker/client.js';
import { planBroker, waitForBroker, type BrokerPlan } from '../../src/broker/client/session.js';
import { pollUntil } from './poll.js';
import { CLI_PATH } from './run-cli.js';

/**
 * A free loopback port for a test broker, searched from a random start below Linux's ephemeral
 * range (32768+), so an outgoing connection cannot take it between the search and the bind, and
 * parallel test files rarely pick the same one.
 */
export function randomFreePort(): Promise<number> {
  return findFreePort('127.0.0.1', 20_000 + Math.floor(Math.random() * 12_000));
}

export interface RunningBroker {
  /** Temp dir holding the broker's log (`broker.jsonl`). */
  dir: string;
  plan: BrokerPlan;
  /** SIGTERM to the loop (which stops its server), wait for its exit, remove the temp dir. */
  stop(): Promise<void>;
}

export interface BrokerProcessOptions {
  /** The repo the broker says it belongs to (default: its temp dir). */
  repoPath?: string;
  /** Branches and CLIs of the session (default: `feat/a` on claude, agent `feat-a`). */
  roster?: { branch: string; cli: string }[];
}

/** A token-protected broker of session `session` (one roster agent `feat-a` unless told), answering /status. */
export async function startBrokerProcess(
  session: string,
  options: BrokerProcessOptions = {},
): Promise<RunningBroker> {
  const dir = mkdtempSync(join(tmpdir(), `${session}-`));
  const plan = await planBroker({
    settings: {
      port: await randomFreePort(),
      bind: '127.0.0.1',
      allowRemote: false,
      auth: 'token',
    },
    session,
    repoPath: options.repoPath ?? dir,
    roster: options.roster ?? [{ branch: 'feat/a', cli: 'claude' }],
    saved: { logPath: join(dir, 'broker.jsonl') },
    cliPath: CLI_PATH,
  });
  const [program = process.execPath, ...args] = plan.command;
  // Outside any tmux, as the tests mean it: a TMUX inherited from the developer's terminal would
  // let the broker's state watcher read their own session of the same name.
  const env = { ...process.env, TMUX: undefined, TMUX_PANE: undefined, ...plan.env };
  const proc = spawn(program, args, { env, stdio: 'ignore' });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  await waitForBroker(plan);
  return {
    dir,
    plan,
    async stop() {
      proc.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
    },
  };
}

/** The pid of the broker server's watchdog process, if it has one now (from /proc). */
export function watchdogOf(serverPid: number): number | undefined {
  let children: number[];
  try {
    children = readFileSync(`/proc/${serverPid}/task/${serverPid}/children`, 'utf8')
      .trim()
      .split(' ')
      .filter(Boolean)
      .map(Number);
  } catch {
    return undefined;
  }
  return children.find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('broker/watchdog.js');
    } catch {
      return false;
    }
  });
}

/**
 * Polls until the server has a watchdog process (other than `replacing`, when given) and returns
 * its pid; the server starts one a second after its first answer.
 */
export async function waitForWatchdog(
  serverPid: number,
  options: { replacing?: number; timeoutMs?: number; intervalMs?: number } = {},
): Promise<number> {
  const pid = await pollUntil(
    () => watchdogOf(serverPid),
    (found) => found !== undefined && found !== options.replacing,
    {
      timeoutMs: options.timeoutMs ?? 10_000,
      ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
      what: options.replacing === undefined ? `a watchdog of server ${serverPid}` : `a watchdog in place of ${options.replacing}`,
    },
  );
  return pid ?? 0;
}
