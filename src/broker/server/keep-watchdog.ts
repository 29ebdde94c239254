// The server's side of its watchdog (see watchdog.ts for the whole scheme): starts the watchdog
// process at a low CPU priority, answers its pings, and replaces it when it exits or goes quiet.
import { spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { withExtraCaCertsAside } from '../../util/ca-certs.js';
import { packageFile } from '../../util/self.js';
import { BROKER_TOKEN_ENV } from '../config.js';
import { HUNG_AFTER_MS, log, ranLate, type WatchdogMessage } from './watchdog.js';

const WATCHDOG_SCRIPT = 'dist/broker/watchdog.js';
/**
 * The watchdog's nice value: it needs CPU only now and then, and its start-up should not take the
 * CPU that the agents' CLIs, starting just then, need. Not the lowest priority: on a machine busy
 * with builds its start-up would then take many seconds.
 */
const WATCHDOG_NICE = 10;
/**
 * How long a new watchdog may take to send its first ping (its Node start-up, at low priority).
 * Doubled after each watchdog that never pinged, up to the maximum, so that a machine too busy
 * for that does not get a new watchdog every few seconds.
 */
const WATCHDOG_BOOT_MS = 5_000;
const MAX_WATCHDOG_BOOT_MS = 80_000;
/** A running watchdog that has not pinged for this long is taken for stopped. */
const WATCHDOG_QUIET_MS = 2 * HUNG_AFTER_MS;
/**
 * A watchdog that ended is replaced after this long; doubled after each one that ended before
 * its first ping (a missing or broken script), up to the maximum.
 */
const WATCHDOG_RESTART_MS = 1_000;
const MAX_WATCHDOG_RESTART_MS = 60_000;

/**
 * Inside the server: starts its watchdog, answers its pings, and replaces it when it exits or goes
 * quiet. Returns the function that stops it for good (the server is shutting down).
 */
export function keepWatchdog(script: string = packageFile(WATCHDOG_SCRIPT)): () => void {
  let current: ChildProcess | undefined;
  let pinged = false;
  /** When the current watchdog must have pinged by (pushed on by every ping). */
  let nextPingDue = 0;
  let bootMs = WATCHDOG_BOOT_MS;
  let restartMs = WATCHDOG_RESTART_MS;
  let stopped = false;
  let restartTimer: NodeJS.Timeout | undefined;
  // The token is the one secret of the server's environment; the watchdog needs none of it.
  const { [BROKER_TOKEN_ENV]: _token, ...env } = withExtraCaCertsAside(process.env);

  const start = () => {
    restartTimer = undefined;
    if (stopped) return;
    pinged = false;
    nextPingDue = Date.now() + bootMs;
    const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    current = child;
    if (child.pid !== undefined) {
      try {
        setPriority(child.pid, WATCHDOG_NICE);
      } catch {
        // Gone already; its exit is handled below.
      }
    }
    child.on('message', (message: WatchdogMessage) => {
      // Pings still queued from a watchdog already replaced say nothing about the current one.
      if (message.type !== 'ping' || current !== child) return;
      pinged = true;
      bootMs = WATCHDOG_BOOT_MS;
      restartMs = WATCHDOG_RESTART_MS;
      nextPingDue = Date.now() + WATCHDOG_QUIET_MS;
      if (child.connected) child.send({ type: 'pong' } satisfies WatchdogMessage, () => undefined);
    });
    // A spawn failure is followed by 'exit' too, or not at all: either way a new one is tried.
    child.on('error', (error) => {
      log(`watchdog: ${error.message}`);
      replace(child);
    });
    child.on('exit', () => replace(child));
  };

  const replace = (child: ChildProcess) => {
    if (stopped || current !== child || restartTimer !== undefined) return;
    current = undefined;
    const delay = restartMs;
    if (!pinged) {
      bootMs = Math.min(MAX_WATCHDOG_BOOT_MS, bootMs * 2);
      restartMs = Math.min(MAX_WATCHDOG_RESTART_MS, restartMs * 2);
    }
    restartTimer = setTimeout(start, delay);
  };

  // A watchdog that stopped pinging (stopped itself) is as good as none.
  let checkedAt = Date.now();
  const quiet = setInterval(() => {
    const now = Date.now();
    if (ranLate(checkedAt, now, HUNG_AFTER_MS)) nextPingDue = Math.max(nextPingDue, now + WATCHDOG_QUIET_MS);
    checkedAt = now;
    if (current === undefined || now <= nextPingDue) return;
    const child = current;
    log(`watchdog (pid ${child.pid}) went quiet; starting a new one`);
    child.kill('SIGKILL');
    replace(child);
  }, HUNG_AFTER_MS);
  quiet.unref();

  start();
  return () => {
    stopped = true;
    clearInterval(quiet);
    if (restartTimer !== undefined) clearTimeout(restartTimer);
    current?.kill('SIGTERM');
    current = undefined;
  };
}
