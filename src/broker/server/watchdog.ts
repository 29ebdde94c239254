// The broker server's health check, kept off the path of a launch. The window's restart loop runs
// the server itself, so the launch waits for one Node start, not two; a process exit is all that
// loop can see. A server that is stopped (SIGSTOP) or stuck in a loop is caught by a small
// watchdog process that the server starts once it serves: the watchdog pings the server over IPC
// and, when the server has not answered for HUNG_AFTER_MS, kills it, and the loop starts it again
// (it replays its log, so nothing acknowledged is lost). The two watch each other: a server that
// loses its watchdog, or whose watchdog stops pinging, starts a new one; a watchdog whose server
// is gone (the IPC channel closes) exits. The watchdog starts as soon as the server has answered
// once, at a low CPU priority: a launch is busy then, and a hang is caught from the first moment.
import { spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { withExtraCaCertsAside } from '../../util/ca-certs.js';
import { packageFile } from '../../util/self.js';

/** Messages between the watchdog (pings) and its server (pongs). */
export type WatchdogMessage = { type: 'ping' } | { type: 'pong' };

const WATCHDOG_SCRIPT = 'dist/broker/watchdog.js';
/** How often the watchdog pings. */
export const PING_INTERVAL_MS = 250;
/**
 * A server that has not answered a ping for this long is hung, and is killed. Long enough for a GC
 * pause or a compaction's synchronous switch, short enough that a stopped server is back within a
 * few seconds.
 */
export const HUNG_AFTER_MS = 2_000;
/** A watchdog that ended is replaced after this long (a crash loop stays slow). */
const WATCHDOG_RESTART_MS = 1_000;
/**
 * The watchdog's nice value: it needs CPU only now and then, and its start-up should not take the
 * CPU that a launch, busy when the server first answers, needs. Not the lowest priority: on a
 * machine busy with builds its start-up would then take many seconds.
 */
const WATCHDOG_NICE = 10;
/** How long a new watchdog may take to send its first ping (its Node start-up, at low priority). */
const WATCHDOG_BOOT_MS = 5_000;
/** A running watchdog that has not pinged for this long is taken for stopped. */
const WATCHDOG_QUIET_MS = 2 * HUNG_AFTER_MS;

function log(line: string): void {
  process.stderr.write(`broker: ${line}\n`);
}

/** The watchdog process's whole life: ping the parent server, kill it when it stops answering. */
export function runWatchdog(): void {
  process.stderr.on('error', () => undefined);
  const send = process.send?.bind(process);
  if (send === undefined) {
    process.stderr.write('error: the broker watchdog runs only as a child of the broker server\n');
    process.exit(2);
  }
  // The server that started this process; the pid is taken now, before any reparenting.
  const serverPid = process.ppid;
  let answeredAt = Date.now();
  let tickedAt = Date.now();
  process.on('message', (message: WatchdogMessage) => {
    if (message.type === 'pong') answeredAt = Date.now();
  });
  // The server is gone (exited, or killed by this very process): nothing left to watch.
  process.on('disconnect', () => process.exit(0));
  setInterval(() => {
    if (!process.connected) return;
    const now = Date.now();
    // This process itself did not run for a while (starved of CPU, or the machine slept): the
    // server's answers may be waiting unread, so it gets a fresh period instead of a verdict.
    if (now - tickedAt > HUNG_AFTER_MS / 2) answeredAt = now;
    tickedAt = now;
    if (now - answeredAt > HUNG_AFTER_MS) {
      log(`server (pid ${serverPid}) has not answered for ${HUNG_AFTER_MS} ms; restarting it`);
      try {
        process.kill(serverPid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
      process.exit(0);
    }
    send({ type: 'ping' } satisfies WatchdogMessage, () => undefined);
  }, PING_INTERVAL_MS);
}

/**
 * Inside the server: starts its watchdog, answers its pings, and replaces it when it exits or goes
 * quiet. Returns the function that stops it for good (the server is shutting down).
 */
export function keepWatchdog(script: string = packageFile(WATCHDOG_SCRIPT)): () => void {
  let current: ChildProcess | undefined;
  /** When the current watchdog must have pinged by (pushed on by every ping). */
  let nextPingDue = 0;
  let stopped = false;
  let restartTimer: NodeJS.Timeout | undefined;

  const start = () => {
    restartTimer = undefined;
    if (stopped) return;
    nextPingDue = Date.now() + WATCHDOG_BOOT_MS;
    const child = spawn(process.execPath, [script], {
      env: withExtraCaCertsAside(process.env),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    current = child;
    if (child.pid !== undefined) {
      try {
        setPriority(child.pid, WATCHDOG_NICE);
      } catch {
        // Gone already; its exit is handled below.
      }
    }
    child.on('message', (message: WatchdogMessage) => {
      if (message.type !== 'ping') return;
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
    restartTimer = setTimeout(start, WATCHDOG_RESTART_MS);
  };

  // A watchdog that stopped pinging (stopped itself) is as good as none.
  const quiet = setInterval(() => {
    if (current === undefined || Date.now() <= nextPingDue) return;
    log(`watchdog (pid ${current.pid}) went quiet; starting a new one`);
    const child = current;
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
