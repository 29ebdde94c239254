// The broker server process (the supervisor's child): replays the log, listens, answers its
// supervisor's pings (the health check), and stops gracefully on SIGTERM / SIGHUP / SIGINT or
// when its supervisor goes away, so no orphan keeps the port. A start-up failure that a restart
// cannot fix exits with FATAL_EXIT_CODE after telling the supervisor why over IPC.
import { BrokerError, describeError } from '../util/errors.js';
import {
  FATAL_EXIT_CODE,
  packageVersion,
  readBrokerConfig,
  readBrokerToken,
  SERVICE_STARTED_ENV,
  type BrokerProcessConfig,
} from './config.js';
import { startBrokerServer, type RunningServer } from './server.js';
import { openBroker, type OpenedBroker } from './service.js';

/** Messages the child sends to its supervisor. */
export type ChildReport =
  { type: 'ready'; pid: number; port: number } | { type: 'fatal'; reason: string } | { type: 'pong' };

/** Messages the supervisor sends to the child. */
export type SupervisorMessage = { type: 'ping' };

/**
 * The previous server of this broker (its supervisor was killed) may still be closing on the
 * port; a new one waits this long for it before calling the port taken.
 */
const PORT_RELEASE_WAIT_MS = 5_000;
const PORT_RETRY_MS = 25;

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

function serviceStart(): Date {
  const ms = Number(process.env[SERVICE_STARTED_ENV]);
  return Number.isSafeInteger(ms) && ms > 0 ? new Date(ms) : new Date();
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
        startedAt: serviceStart(),
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
    running = await listenWhenFree(() =>
      startBrokerServer({
        service: opened.service,
        bind: config.bind,
        port: config.port,
        token,
      }),
    );
  } catch (error) {
    return fail(listenFailure(error, config));
  }

  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    void running
      .stop()
      .then(() => opened.log.close())
      .finally(() => process.exit(0));
  };
  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.on(signal, shutdown);
  process.on('disconnect', shutdown);
  process.on('message', (message: SupervisorMessage) => {
    if (message.type === 'ping') void report({ type: 'pong' });
  });
  await report({ type: 'ready', pid: process.pid, port: running.port });
}
