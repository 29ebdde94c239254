// `git-paw __broker`: the supervisor, run by the restart loop that is the command of the
// session's hidden `broker` tmux window (broker/client/keeper.ts). It spawns the server as a
// child process and restarts it within 2 s whenever it dies unexpectedly (the child replays its
// log, so nothing acknowledged is lost), or when it stops answering the supervisor's pings
// (stopped, or stuck in a loop) — exits are not the only way a server fails. SIGHUP (tmux
// kill-session), SIGTERM and SIGINT stop the child gracefully, then the supervisor exits. A fatal
// start-up failure of the child (port taken, log unusable) ends the supervisor with the reason,
// also left in a file for `waitForBroker`.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { withExtraCaCertsAside } from '../../util/ca-certs.js';
import { BrokerError, describeError } from '../../util/errors.js';
import { packageFile } from '../../util/self.js';
import type { ChildReport, SupervisorMessage } from './child.js';
import { FATAL_EXIT_CODE, readBrokerConfig, startupErrorPath } from '../config.js';

const SERVE_SCRIPT = 'dist/broker/serve.js';
const STOP_TIMEOUT_MS = 5_000;
/** A child that ran this long before dying counts as healthy: the next restart is immediate. */
const HEALTHY_RUN_MS = 10_000;
const MAX_RESTART_DELAY_MS = 1_500;
/** How often a ready child is pinged. */
const PING_INTERVAL_MS = 250;
/**
 * A ready child that has not answered a ping for this long is hung and is killed (then restarted
 * like any crash). Long enough for a GC pause or a large synchronous write, short enough that a
 * stopped server is back within a few seconds.
 */
const HUNG_AFTER_MS = 2_000;
/**
 * The broker's own caps keep its live heap well under 100 MB; this ceiling turns a memory bug
 * into a restart instead of a machine that swaps.
 */
const SERVER_NODE_FLAGS = ['--max-old-space-size=192'];
const SIGNALS = ['SIGHUP', 'SIGTERM', 'SIGINT'] as const;

function log(line: string): void {
  process.stderr.write(`broker: ${line}\n`);
}

function restartDelay(consecutiveCrashes: number): number {
  return Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** Math.max(0, consecutiveCrashes - 1));
}

/**
 * Pings the ready child; kills it when it stops answering. Returns the stop function of the
 * watch (called when the child exits).
 */
function watchHealth(child: ChildProcess): () => void {
  let answeredAt = Date.now();
  const onMessage = (message: ChildReport) => {
    if (message.type === 'pong') answeredAt = Date.now();
  };
  child.on('message', onMessage);
  const timer = setInterval(() => {
    if (Date.now() - answeredAt > HUNG_AFTER_MS) {
      log(`server (pid ${child.pid}) has not answered for ${HUNG_AFTER_MS} ms; restarting it`);
      child.kill('SIGKILL');
      return;
    }
    if (child.connected) child.send({ type: 'ping' } satisfies SupervisorMessage, () => undefined);
  }, PING_INTERVAL_MS);
  return () => {
    clearInterval(timer);
    child.off('message', onMessage);
  };
}

export async function runBrokerProcess(): Promise<void> {
  process.stderr.on('error', () => undefined);
  let config: ReturnType<typeof readBrokerConfig>;
  try {
    config = readBrokerConfig();
  } catch (error) {
    // A missing or broken configuration stays so on a restart: the window's loop must not retry.
    process.stderr.write(`error: ${describeError(error)}\n`);
    process.exit(FATAL_EXIT_CODE);
  }
  const errorFile = startupErrorPath(config.log_path);

  await new Promise<void>((resolve) => {
    let child: ChildProcess | undefined;
    let fatalReason: string | undefined;
    let stopping = false;
    let restartTimer: NodeJS.Timeout | undefined;
    let crashes = 0;
    let everReady = false;
    let unwatch: (() => void) | undefined;

    let finished = false;
    const finish = (error?: BrokerError) => {
      if (finished) return;
      finished = true;
      for (const signal of SIGNALS) process.off(signal, stop);
      if (!error) return resolve();
      // The window's restart loop must not retry what a restart cannot fix: a distinct exit code.
      process.stderr.write(`error: ${error.message}\n`);
      process.exit(FATAL_EXIT_CODE);
    };

    const start = () => {
      restartTimer = undefined;
      const startedAt = Date.now();
      fatalReason = undefined;
      const current = spawn(process.execPath, [...SERVER_NODE_FLAGS, packageFile(SERVE_SCRIPT)], {
        env: withExtraCaCertsAside(process.env),
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        detached: true,
      });
      child = current;
      current.on('message', (message: ChildReport) => {
        if (message.type === 'fatal') fatalReason = message.reason;
        if (message.type === 'ready') {
          everReady = true;
          unwatch?.();
          unwatch = watchHealth(current);
          rmSync(errorFile, { force: true });
          log(`listening on ${config.bind}:${message.port} (pid ${message.pid})`);
        }
      });
      current.on('error', (error) => {
        if (child === current) child = undefined;
        if (!stopping) finish(new BrokerError(`cannot start the broker server: ${error.message}`));
      });
      current.on('exit', (code, signal) => {
        if (child === current) {
          child = undefined;
          unwatch?.();
          unwatch = undefined;
        }
        if (stopping) return finish();
        if (code === FATAL_EXIT_CODE) {
          const reason = fatalReason ?? 'the broker server could not start';
          try {
            writeFileSync(errorFile, `${reason}\n`, { mode: 0o600 });
          } catch {
            // The reason is still reported on stderr below.
          }
          return finish(new BrokerError(reason));
        }
        crashes = Date.now() - startedAt >= HEALTHY_RUN_MS ? 1 : crashes + 1;
        const delay = everReady ? restartDelay(crashes) : MAX_RESTART_DELAY_MS;
        log(`server exited unexpectedly (${signal ?? `code ${code}`}); restarting in ${delay} ms`);
        restartTimer = setTimeout(start, delay);
      });
    };

    const stop = () => {
      if (stopping) return;
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      unwatch?.();
      const running = child;
      if (!running) return finish();
      running.kill('SIGTERM');
      setTimeout(() => running.kill('SIGKILL'), STOP_TIMEOUT_MS).unref();
    };
    for (const signal of SIGNALS) process.on(signal, stop);
    start();
  });
}
