// The broker server process (the supervisor's child): replays the log, listens, then watches the
// session's panes for agent state (when it runs inside the session's tmux), and stops gracefully
// on SIGTERM / SIGHUP / SIGINT or when its supervisor goes away, so no orphan keeps the port. A
// start-up failure that a restart cannot fix exits with FATAL_EXIT_CODE after telling the
// supervisor why over IPC.
import { BrokerError, describeError } from '../util/errors.js';
import {
  FATAL_EXIT_CODE,
  packageVersion,
  readBrokerConfig,
  readBrokerToken,
  type BrokerProcessConfig,
} from './config.js';
import { startBrokerServer, type RunningServer } from './server.js';
import { openBroker, type BrokerService, type OpenedBroker } from './service.js';
import type { StateWatcher } from './watcher.js';

/** Messages the child sends to its supervisor. */
export type ChildReport = { type: 'ready'; pid: number; port: number } | { type: 'fatal'; reason: string };

function report(message: ChildReport): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, () => resolve());
  });
}

async function fail(reason: string): Promise<never> {
  process.stderr.write(`error: Broker error: ${reason}\n`);
  await report({ type: 'fatal', reason });
  process.exit(FATAL_EXIT_CODE);
}

function listenFailure(error: unknown, config: BrokerProcessConfig): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return `port ${config.port} is already in use by another process — change [broker] port in .git-paw/config.toml`;
  }
  return `failed to bind broker: ${describeError(error)}`;
}

export async function runServerChild(): Promise<void> {
  // The supervisor's terminal may be gone (tmux session killed); never die on a write to it.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);

  let config: BrokerProcessConfig;
  let token: string | null;
  try {
    config = readBrokerConfig();
    token = readBrokerToken(config);
  } catch (error) {
    return fail(error instanceof BrokerError ? error.detail : describeError(error));
  }
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
        startedAt: new Date(),
      },
    });
  } catch (error) {
    return fail(`cannot open the message log at '${config.log_path}': ${describeError(error)}`);
  }
  if (opened.replay.skipped > 0) {
    process.stderr.write(
      `warning: skipped ${opened.replay.skipped} unreadable line(s) of ${config.log_path}\n`,
    );
  }

  let running: RunningServer;
  try {
    running = await startBrokerServer({
      service: opened.service,
      bind: config.bind,
      port: config.port,
      token,
    });
  } catch (error) {
    return fail(listenFailure(error, config));
  }

  let stopping = false;
  let watcher: StateWatcher | undefined;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    watcher?.stop();
    void running
      .stop()
      .then(() => opened.log.close())
      .finally(() => process.exit(0));
  };
  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.on(signal, shutdown);
  process.on('disconnect', shutdown);
  await report({ type: 'ready', pid: process.pid, port: running.port });
  // Loaded once the port answers, so watching never delays the launch; without it the broker
  // still serves everything but observed state.
  try {
    const started = await startWatcher(config, opened.service);
    if (stopping) started?.stop();
    else watcher = started;
  } catch (error) {
    process.stderr.write(`broker: agent state watcher not started: ${describeError(error)}\n`);
  }
}

/**
 * The state watcher, on the tmux server this process runs under (the broker window inherits
 * TMUX), for the session's own agents; none outside tmux or without agents.
 */
async function startWatcher(
  config: BrokerProcessConfig,
  service: BrokerService,
): Promise<StateWatcher | undefined> {
  const { startStateWatcher, tmuxLocationOf } = await import('./watcher.js');
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
