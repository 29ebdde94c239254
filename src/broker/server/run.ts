// The broker server process, run by the restart loop of the session's hidden broker window
// (broker/client/keeper.ts), which starts it again whenever it dies: it replays the log, listens,
// starts its watchdog (the health check, see watchdog.ts), then watches the session's panes for
// agent state (when it runs inside the session's tmux), and stops gracefully on SIGTERM / SIGHUP /
// SIGINT. A server of the same broker that still holds the log (one that stopped answering, when
// `start` or `status` brings the broker back in a new window) is stopped first, and the new one
// replays only once it has let go of the log and the port. A start-up failure that a restart
// cannot fix leaves its reason in a file for the launch (`waitForBroker`) and exits with
// FATAL_EXIT_CODE, which ends the loop.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { restoreExtraCaCerts } from '../../util/ca-certs.js';
import { BrokerError, describeError } from '../../util/errors.js';
import { processRuns, startTimeOf } from '../../util/process.js';
import { packageVersion } from '../../util/self.js';
import {
  FATAL_EXIT_CODE,
  serverPidPath,
  readBrokerConfig,
  readBrokerToken,
  startupErrorPath,
  type BrokerProcessConfig,
} from '../config.js';
import { brokerUrl, probeIfListening } from '../client.js';
import { preloadMcp } from './routes.js';
import { startBrokerServer, type RunningServer } from './server.js';
import { compactionLine } from './compaction.js';
import { openBroker, type BrokerService, type OpenedBroker } from './service.js';
import type { AgentStatus } from './state.js';
import type { StateWatcher } from '../watcher.js';
import type { AttentionMonitor } from '../../attention/monitor.js';
import type { PairState } from '../../conflicts/tracker.js';
import type { ConflictEntry, ConflictReport } from '../../conflicts/types.js';
import type { ConflictWatcher } from '../../conflicts/watcher.js';

/**
 * The previous server of this broker may still be closing on the port; a new one waits this long
 * for it before calling the port taken.
 */
const PORT_RELEASE_WAIT_MS = 5_000;
const PORT_RETRY_MS = 25;
/**
 * How often the server checks that the window's loop that started it still runs: without it
 * nothing would restart the server, and `git paw stop` would not find it in the session.
 */
const PARENT_CHECK_MS = 1_000;
/**
 * How long after its first answer the server starts its watchdog and watchers and loads the MCP
 * endpoint; and the latest it does so after it starts listening, when no one asks it anything.
 */
const BACKGROUND_START_DELAY_MS = 1_000;
const BACKGROUND_START_LATEST_MS = 3_000;

/** The previous server of this log (pid and start time), from its pid file, if that very process still runs. */
function serverHoldingLog(config: BrokerProcessConfig): { pid: number; started: string } | undefined {
  let text: string;
  try {
    text = readFileSync(serverPidPath(config.log_path), 'utf8');
  } catch {
    return undefined;
  }
  const [pidText, started] = text.trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  return started !== undefined && processRuns(pid, started) ? { pid, started } : undefined;
}

/** Says that this process now holds the log; best effort (the probe still finds a server that answers). */
function claimLog(config: BrokerProcessConfig): void {
  const started = startTimeOf(process.pid);
  if (started === undefined) return;
  try {
    writeFileSync(serverPidPath(config.log_path), `${process.pid} ${started}\n`, { mode: 0o600 });
  } catch {
    // Without the file a successor relies on the probe alone.
  }
}

/** Removes the pid file on the way out, unless a successor has claimed the log meanwhile. */
function releaseLog(config: BrokerProcessConfig): void {
  try {
    const [pid] = readFileSync(serverPidPath(config.log_path), 'utf8').trim().split(' ');
    if (Number(pid) === process.pid) rmSync(serverPidPath(config.log_path), { force: true });
  } catch {
    // Nothing to remove.
  }
}

/**
 * Stops the server of this very broker instance still holding the log (one that stopped
 * answering, and whose window was replaced), and waits until it has exited — after it, nothing
 * appends to the log any more, so the replay that follows sees every message it acknowledged. It
 * is found by its pid file, and by asking the port (a server started before pid files, or where
 * /proc is missing). One that does not stop in time (e.g. stopped by SIGSTOP) is killed.
 */
async function replacePredecessor(config: BrokerProcessConfig): Promise<void> {
  /** pid → its start time (undefined without /proc). */
  const predecessors = new Map<number, string | undefined>();
  const holder = serverHoldingLog(config);
  if (holder !== undefined) predecessors.set(holder.pid, holder.started);
  const probe = await probeIfListening(brokerUrl(config.bind, config.port), { timeoutMs: 1_000 });
  if (probe.kind === 'git-paw' && probe.status.instance_id === config.instance_id) {
    const pid = probe.status.pid;
    if (typeof pid === 'number' && pid !== process.pid && !predecessors.has(pid))
      predecessors.set(pid, startTimeOf(pid));
  }
  const deadline = Date.now() + PORT_RELEASE_WAIT_MS;
  // A pid is only signalled while it is still that process and not a zombie.
  const signal = (pid: number, started: string | undefined, name: NodeJS.Signals) => {
    if (!processRuns(pid, started)) return;
    try {
      process.kill(pid, name);
    } catch {
      // Gone between the check and the signal.
    }
  };
  for (const [pid, started] of predecessors) signal(pid, started, 'SIGTERM');
  for (const [pid, started] of predecessors) {
    while (processRuns(pid, started)) {
      if (Date.now() >= deadline) signal(pid, started, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, PORT_RETRY_MS));
    }
  }
}

/** Ends the process with a failure that a restart cannot fix, its reason left for the launch. */
function fail(reason: string, logPath?: string): never {
  process.stderr.write(`error: Broker error: ${reason}\n`);
  if (logPath !== undefined) {
    try {
      writeFileSync(startupErrorPath(logPath), `${reason}\n`, { mode: 0o600 });
    } catch {
      // The reason is still in the broker window.
    }
  }
  process.exit(FATAL_EXIT_CODE);
}

/** Starts the server, retrying a port that is still held (bounded), e.g. by the previous server. */
async function listenWhenFree(start: () => Promise<RunningServer>): Promise<RunningServer> {
  const deadline = Date.now() + PORT_RELEASE_WAIT_MS;
  for (;;) {
    try {
      return await start();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, PORT_RETRY_MS));
    }
  }
}

function listenFailure(error: unknown, config: BrokerProcessConfig): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return `port ${config.port} is already in use by another process — change [broker] port in .git-paw/config.toml`;
  }
  return `failed to bind broker: ${describeError(error)}`;
}

/**
 * Runs the broker server in this process. It never returns: from the first answer on everything
 * runs on events, and the process ends only through a signal, the loss of its window's loop, or a
 * start-up failure (each exits).
 */
export async function runBrokerServer(): Promise<never> {
  await serve();
  return new Promise<never>(() => undefined);
}

async function serve(): Promise<void> {
  // The window's terminal may be gone (tmux session killed); never die on a write to it.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  // For the commands this server runs (notification commands, tmux, git).
  restoreExtraCaCerts();

  let config: BrokerProcessConfig;
  let token: string | null;
  const failureText = (error: unknown) =>
    error instanceof BrokerError ? error.detail : describeError(error);
  try {
    config = readBrokerConfig();
  } catch (error) {
    return fail(failureText(error));
  }
  try {
    token = readBrokerToken(config);
  } catch (error) {
    return fail(failureText(error), config.log_path);
  }
  try {
    await replacePredecessor(config);
  } catch (error) {
    return fail(`cannot stop the previous server of this broker: ${describeError(error)}`, config.log_path);
  }
  claimLog(config);
  let opened: OpenedBroker;
  try {
    opened = openBroker({
      roster: config.roster.map((entry) => ({ agent_id: entry.agent_id, cli: entry.cli })),
      logPath: config.log_path,
      identity: {
        session: config.session,
        repoPath: config.repo_path,
        instanceId: config.instance_id,
        version: packageVersion(),
        pid: process.pid,
        startedAt: config.started_ms === undefined ? new Date() : new Date(config.started_ms),
      },
      compaction: {
        limit: config.log_limit,
        onCompacted: (outcome) => process.stderr.write(`broker: ${compactionLine(outcome)}\n`),
        onFailed: (reason) => process.stderr.write(`warning: cannot compact the message log: ${reason}\n`),
      },
    });
  } catch (error) {
    return fail(`cannot open the message log at '${config.log_path}': ${describeError(error)}`, config.log_path);
  }
  if (opened.replay.skipped > 0) {
    process.stderr.write(
      `warning: skipped ${opened.replay.skipped} unreadable line(s) of ${config.log_path}\n`,
    );
  }

  let running: RunningServer;
  try {
    running = await listenWhenFree(() =>
      startBrokerServer({
        service: opened.service,
        bind: config.bind,
        port: config.port,
        token,
        mcp: config.mcp !== false,
      }),
    );
  } catch (error) {
    return fail(listenFailure(error, config), config.log_path);
  }

  let stopping = false;
  let stopWatchdog: (() => void) | undefined;
  let watcher: StateWatcher | undefined;
  let attention: AttentionMonitor | undefined;
  let conflicts: ConflictWatcher | undefined;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    stopWatchdog?.();
    watcher?.stop();
    attention?.stop();
    conflicts?.stop();
    void running
      .stop()
      .then(() => opened.log.close())
      .finally(() => {
        releaseLog(config);
        process.exit(0);
      });
  };
  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.on(signal, shutdown);
  // Its loop was killed (the window closed hard): it stops, so no orphan keeps the port, and
  // `start` or `status` bring the broker back in a new window.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid === parent) return;
    process.stderr.write('broker: the window that started this server is gone; stopping\n');
    shutdown();
  }, PARENT_CHECK_MS).unref();
  rmSync(startupErrorPath(config.log_path), { force: true });
  process.stderr.write(`broker: listening on ${config.bind}:${running.port} (pid ${process.pid})\n`);
  // What the replay rebuilt was notified before, if at all; what changes from now on is new.
  const replayed = opened.service.agents();
  // The rest can wait a moment, and should: a launch asks for this server's first answer once its
  // worktrees exist, and then opens the panes and types the agents' programs; on a small machine
  // the watchdog's Node start-up, the MCP module load and the watchers' first tmux and git calls
  // would take the CPU (and this event loop) those steps need. So they start a second after that
  // answer, however long the worktrees took. Agents' CLIs take longer than this to start, and an
  // MCP call that comes sooner loads the endpoint itself. A server that hangs before its watchdog
  // runs is not found hung (nor is one that hangs in its replay, before listening).
  await new Promise<void>((resolve) => {
    const latest = setTimeout(resolve, BACKGROUND_START_LATEST_MS);
    running.server.once('request', (_request, response: ServerResponse) =>
      response.once('finish', () => {
        clearTimeout(latest);
        setTimeout(resolve, BACKGROUND_START_DELAY_MS);
      }),
    );
  });
  if (stopping) return;
  try {
    const { keepWatchdog } = await import('./keep-watchdog.js');
    if (!stopping) stopWatchdog = keepWatchdog();
  } catch (error) {
    process.stderr.write(`broker: watchdog not started: ${describeError(error)}\n`);
  }
  if (config.mcp !== false)
    preloadMcp().catch((error: unknown) =>
      process.stderr.write(`broker: MCP endpoint not loaded: ${describeError(error)}\n`),
    );
  // Without these the broker still serves everything but observed state.
  try {
    const started = await startWatcher(config, opened.service);
    if (stopping) started?.stop();
    else watcher = started;
  } catch (error) {
    process.stderr.write(`broker: agent state watcher not started: ${describeError(error)}\n`);
  }
  try {
    const started = await startAttentionMonitor(config, opened.service, replayed);
    if (stopping) started?.stop();
    else attention = started;
  } catch (error) {
    process.stderr.write(`broker: status line and notifications not started: ${describeError(error)}\n`);
  }
  try {
    // A new conflict also reaches the user the way a waiting agent does (when `conflict` is in `on`).
    const started = await startConflictWatcher(config, opened.service, (entry) => {
      for (const [agentId, other] of [entry.agents, [entry.agents[1], entry.agents[0]]] as const) {
        const agent = config.roster.find((candidate) => candidate.agent_id === agentId);
        if (agent === undefined) continue;
        const summary = `${entry.kind} with ${other}: ${entry.paths.slice(0, 3).join(', ')}`;
        attention?.notify({ kind: 'conflict', agentId, branch: agent.branch, cli: agent.cli, summary });
      }
    });
    if (stopping) started?.stop();
    else conflicts = started;
  } catch (error) {
    process.stderr.write(`broker: conflict watcher not started: ${describeError(error)}\n`);
  }
}

/**
 * The session's status line, pane state icons and notifications, written to the tmux server
 * this process runs under; none outside tmux or without agents.
 */
async function startAttentionMonitor(
  config: BrokerProcessConfig,
  service: BrokerService,
  startingPoint: readonly AgentStatus[],
): Promise<AttentionMonitor | undefined> {
  const [{ tmuxLocationOf }, { DEFAULT_NOTIFY_ON }, { startAttention }, { tmuxAttention }, { systemRunner }] =
    await Promise.all([
      import('../watcher.js'),
      import('../../attention/events.js'),
      import('../../attention/monitor.js'),
      import('../../attention/tmux-io.js'),
      import('../../util/exec.js'),
    ]);
  const location = tmuxLocationOf(process.env);
  if (location === undefined || config.roster.length === 0) return undefined;
  return startAttention({
    source: service,
    session: config.session,
    repoPath: config.repo_path,
    roster: config.roster,
    settings: config.notifications ?? { on: [...DEFAULT_NOTIFY_ON], desktop: false, bell: true },
    tmux: tmuxAttention(systemRunner, location, config.session),
    log: (line) => process.stderr.write(`broker: ${line}\n`),
    startingPoint,
  });
}

/**
 * The conflict watcher on the session's worktrees (read from the saved session state, which a
 * launch writes moments after the broker answers). Each new or changed pair goes to both agents'
 * inboxes, and to `onNew`.
 */
async function startConflictWatcher(
  config: BrokerProcessConfig,
  service: BrokerService,
  onNew: (entry: ConflictEntry) => void,
): Promise<ConflictWatcher | undefined> {
  if (config.roster.length < 2) return undefined;
  const [
    watcherModule,
    { gitConflictReader },
    { checkSessionOf },
    { parseStateText, stateFilePath },
    { readFileSync },
    { systemRunner },
  ] = await Promise.all([
    import('../../conflicts/watcher.js'),
    import('../../conflicts/git.js'),
    import('../../conflicts/session.js'),
    import('../../session/store.js'),
    import('node:fs'),
    import('../../util/exec.js'),
  ]);
  const { ConflictWatcher, NEW_CONFLICT_EVENT, REPORT_EVENT } = watcherModule;
  const { pairKey } = await import('../../conflicts/tracker.js');
  const statePath = stateFilePath(config.session);
  const load = () => {
    let text: string;
    try {
      text = readFileSync(statePath, 'utf8');
    } catch {
      return `session state '${statePath}' not readable yet`;
    }
    const parsed = parseStateText(text);
    if (!parsed.ok) return `session state '${statePath}' is damaged: ${parsed.reason}`;
    return checkSessionOf(parsed.state);
  };
  const seed = new Map<string, PairState>();
  const ids = config.roster.map((entry) => entry.agent_id);
  ids.forEach((a, i) =>
    ids.slice(i + 1).forEach((b) => {
      const last = service.lastConflictNotice(a, b);
      if (last) seed.set(pairKey([a, b]), last);
    }),
  );
  const watcher = new ConflictWatcher({ load, git: gitConflictReader(systemRunner), seed });
  watcher.on(REPORT_EVENT, (report: ConflictReport) => service.setConflictReport(report));
  watcher.on(NEW_CONFLICT_EVENT, (entry: ConflictEntry) => {
    service.announceConflict(entry);
    onNew(entry);
  });
  return watcher.start();
}

/**
 * The state watcher, on the tmux server this process runs under (the broker window inherits
 * TMUX), for the session's own agents; none outside tmux or without agents.
 */
async function startWatcher(
  config: BrokerProcessConfig,
  service: BrokerService,
): Promise<StateWatcher | undefined> {
  const { startStateWatcher, tmuxLocationOf } = await import('../watcher.js');
  const location = tmuxLocationOf(process.env);
  if (location === undefined || config.roster.length === 0) return undefined;
  return startStateWatcher({
    session: config.session,
    location,
    roster: config.roster,
    sink: service,
    onStop: (reason) => process.stderr.write(`broker: agent state watcher stopped: ${reason}\n`),
  });
}
