// The broker server's health check, kept off the path of a launch. The window's restart loop runs
// the server itself, so the launch waits for one Node start, not two; a process exit is all that
// loop can see. A server that is stopped (SIGSTOP) or stuck in a loop is caught by a small
// watchdog process that the server starts once it serves: the watchdog pings the server over IPC
// and, when the server has not answered for HUNG_AFTER_MS, kills it, and the loop starts it again
// (it replays its log, so nothing acknowledged is lost). The two watch each other: a server that
// loses its watchdog, or whose watchdog stops pinging, starts a new one; a watchdog whose server
// is gone (the IPC channel closes) exits. The watchdog starts a second after the server first
// answered (a launch is busy until about then), at a low CPU priority; a hang is caught from its
// first ping on.
// Either side that finds itself late (starved of CPU, or the machine slept) gives the other a
// fresh period instead of a verdict: the other's messages may be waiting unread.
// This module is the watchdog process and what both sides share; it imports nothing, so the
// watchdog starts as a bare Node does. The server's side is keep-watchdog.ts.

/** Messages between the watchdog (pings) and its server (pongs). */
export type WatchdogMessage = { type: 'ping' } | { type: 'pong' };

/** How often the watchdog pings. */
const PING_INTERVAL_MS = 250;
/**
 * A server that has not answered a ping for this long is hung, and is killed. Long enough for a GC
 * pause or a compaction's synchronous switch, short enough that a stopped server is back within a
 * few seconds.
 */
export const HUNG_AFTER_MS = 2_000;

/** A line in the broker window. */
export function log(line: string): void {
  process.stderr.write(`broker: ${line}\n`);
}

/**
 * True when a periodic check runs much later than planned: this process was not scheduled (or
 * the machine slept), so what the other side sent may not have been read yet.
 */
export function ranLate(previousTick: number, now: number, intervalMs: number): boolean {
  return now - previousTick > 2 * intervalMs;
}

/** The watchdog process's whole life: ping the parent server, kill it when it stops answering. */
export function runWatchdog(): void {
  process.stderr.on('error', () => undefined);
  const send = process.send?.bind(process);
  if (send === undefined) {
    process.stderr.write('error: the broker watchdog runs only as a child of the broker server\n');
    process.exit(2);
  }
  // The server is gone (exited, or killed by this very process): nothing left to watch. It may
  // have gone while this process was starting, before any listener could hear of it.
  if (!process.connected) process.exit(0);
  process.on('disconnect', () => process.exit(0));
  // The server that started this process; the pid is taken now, before any reparenting.
  const serverPid = process.ppid;
  let answeredAt = Date.now();
  let tickedAt = Date.now();
  process.on('message', (message: WatchdogMessage) => {
    if (message.type === 'pong') answeredAt = Date.now();
  });
  setInterval(() => {
    if (!process.connected) process.exit(0);
    const now = Date.now();
    if (ranLate(tickedAt, now, PING_INTERVAL_MS)) answeredAt = now;
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
