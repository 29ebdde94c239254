// What a launch needs from the broker: a plan (port, token, log path, the environment and argv
// of the hidden `broker` tmux window, the agents' environment), a wait until the broker answers
// with this launch's identity, and a bounded wait for the port to be released after stop.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BrokerSettings as EffectiveBrokerSettings } from '../../config/effective.js';
import { agentIdOf } from '../../git/names.js';
import { brokerPortsOfOtherSessions } from '../../session/store.js';
import { sessionsDir } from '../../util/dirs.js';
import { BrokerError } from '../../util/errors.js';
import {
  brokerUrl,
  canListen,
  describePortHolder,
  findFreePort,
  isSessionBroker,
  probeIfListening,
} from '../client.js';
import {
  BROKER_CONFIG_ENV,
  BROKER_TOKEN_ENV,
  nonLoopbackError,
  startupErrorPath,
  type BrokerProcessConfig,
  type BrokerRosterEntry,
} from '../config.js';
import { isLoopbackBind } from '../bind.js';
import { LAUNCHED_AT_ENV } from '../../agents/hook-command.js';
import { brokerServerArgv, keptCommand } from './keeper.js';
import { MAX_ID_CHARS } from '../messages.js';

export const DEFAULT_BROKER_PORT = 9119;

/** The `[broker]` settings a plan needs (`port` undefined → first free port from 9119). */
export type BrokerSettings = Omit<EffectiveBrokerSettings, 'enabled' | 'mcp'> & { mcp?: boolean };

export interface BrokerPlanInput {
  settings: BrokerSettings;
  session: string;
  repoPath: string;
  roster: readonly { branch: string; cli: string }[];
  /** What the saved session state recorded (recovery keeps the same URL, token and log). */
  saved?: { port?: number; token?: string; logPath?: string };
  /** Path of the built CLI entry (dist/cli.js); defaults to the one next to this module. */
  cliPath?: string;
}

export interface BrokerPlan {
  url: string;
  bind: string;
  port: number;
  token: string | null;
  logPath: string;
  session: string;
  repoPath: string;
  /** Reported by the broker's `/status`; tells this launch's broker from any other. */
  instanceId: string;
  /** One entry per branch, in roster order, with its agent id. */
  agents: BrokerRosterEntry[];
  /**
   * Everything the broker process needs in its environment: its configuration and, unless
   * auth = "none", the token. A secret: pass it as an environment, never on a command line.
   */
  env: Record<string, string>;
  /**
   * The part of `env` that may appear on a command line (`tmux new-window -e`): the
   * configuration only. The broker window gets the token from the session environment.
   */
  windowEnv: Record<string, string>;
  /** argv of the broker window's command (the server inside its restart loop). */
  command: string[];
  /**
   * Session-wide environment of the agent panes and the broker window (the token is empty under
   * auth = "none"); it holds the token, so it is set from a private file, never from argv.
   */
  sessionEnv: { GIT_PAW_BROKER_URL: string; GIT_PAW_BROKER_TOKEN: string; [LAUNCHED_AT_ENV]: string };
}

/** `<sessions dir>/<session>.broker.jsonl`. */
export function brokerLogPath(session: string): string {
  return join(sessionsDir(), `${session}.broker.jsonl`);
}

/** Agent ids of the roster; BrokerError when two branches collide or an id is too long. */
export function rosterAgents(roster: readonly { branch: string; cli: string }[]): BrokerRosterEntry[] {
  const byId = new Map<string, string>();
  return roster.map(({ branch, cli }) => {
    const agentId = agentIdOf(branch);
    const other = byId.get(agentId);
    if (other !== undefined) {
      throw new BrokerError(`branches '${other}' and '${branch}' both map to agent id '${agentId}'`, {
        hint: 'rename one of the branches',
      });
    }
    if (agentId.length > MAX_ID_CHARS) {
      throw new BrokerError(`branch '${branch}' gives an agent id longer than ${MAX_ID_CHARS} characters`, {
        hint: 'use a shorter branch name',
      });
    }
    byId.set(agentId, branch);
    return { agent_id: agentId, branch, cli };
  });
}

async function requireFreePort(bind: string, port: number, why: string): Promise<void> {
  if (await canListen(bind, port)) return;
  throw new BrokerError(await describePortHolder(bind, port), {
    hint: `${why}; stop whatever holds it, or change [broker] port in .git-paw/config.toml`,
  });
}

/** Decides port, token and log path, and builds what the launch passes to tmux. */
export async function planBroker(input: BrokerPlanInput): Promise<BrokerPlan> {
  const { settings, session, repoPath, saved } = input;
  if (!settings.allowRemote && !isLoopbackBind(settings.bind)) throw nonLoopbackError(settings.bind);
  const agents = rosterAgents(input.roster);
  let port: number;
  if (saved?.port !== undefined) {
    port = saved.port;
    await requireFreePort(settings.bind, port, `the session's broker ran on port ${port}`);
  } else if (settings.port !== undefined) {
    port = settings.port;
    await requireFreePort(settings.bind, port, `[broker] port is set to ${port}`);
  } else {
    port = await findFreePort(settings.bind, DEFAULT_BROKER_PORT, brokerPortsOfOtherSessions(session));
  }
  const token = settings.auth === 'none' ? null : (saved?.token ?? randomBytes(32).toString('hex'));
  const logPath = saved?.logPath ?? brokerLogPath(session);
  rmSync(startupErrorPath(logPath), { force: true });
  const config: BrokerProcessConfig = {
    session,
    repo_path: repoPath,
    bind: settings.bind,
    port,
    auth: token === null ? 'none' : 'token',
    allow_remote: settings.allowRemote,
    log_path: logPath,
    ...(settings.logLimit === undefined ? {} : { log_limit: settings.logLimit }),
    instance_id: randomUUID(),
    started_ms: Date.now(),
    roster: agents,
    mcp: settings.mcp !== false,
    ...(settings.notifications ? { notifications: settings.notifications } : {}),
  };
  const url = brokerUrl(settings.bind, port);
  const windowEnv = { [BROKER_CONFIG_ENV]: JSON.stringify(config) };
  return {
    url,
    bind: settings.bind,
    port,
    token,
    logPath,
    session,
    repoPath,
    instanceId: config.instance_id,
    agents,
    env: token === null ? windowEnv : { ...windowEnv, [BROKER_TOKEN_ENV]: token },
    windowEnv,
    command: keptCommand(brokerServerArgv(input.cliPath)),
    sessionEnv: {
      GIT_PAW_BROKER_URL: url,
      [BROKER_TOKEN_ENV]: token ?? '',
      // The agents' hooks wait for a broker that is still starting only shortly after this.
      [LAUNCHED_AT_ENV]: String(Math.floor(Date.now() / 1000)),
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function startupFailure(plan: BrokerPlan): string | undefined {
  const path = startupErrorPath(plan.logPath);
  if (!existsSync(path)) return undefined;
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * How often a launch asks whether its broker answers yet. A refused connection costs well under a
 * millisecond, and every interval's worth of delay is added to the launch.
 */
const BROKER_POLL_MS = 10;

/**
 * Waits until `/status` at the plan's URL reports this launch's identity; BrokerError otherwise,
 * or as soon as `signal` aborts (the launch failed elsewhere and is being rolled back).
 */
export async function waitForBroker(
  plan: BrokerPlan,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (options.signal?.aborted) throw new BrokerError('the launch stopped before the broker answered');
    const failure = startupFailure(plan);
    if (failure) throw new BrokerError(failure);
    const probe = await probeIfListening(plan.url, { timeoutMs: 500 });
    if (
      isSessionBroker(probe, { session: plan.session, repoPath: plan.repoPath, instanceId: plan.instanceId })
    )
      return;
    if (Date.now() >= deadline) {
      const holder = probe.kind === 'free' ? undefined : await describePortHolder(plan.bind, plan.port);
      throw new BrokerError(
        holder ?? `the broker did not start on ${plan.url} within ${Math.round(timeoutMs / 1000)} s`,
        {
          hint: 'run `git paw start` again; if it fails the same way, set [broker] port to another port',
        },
      );
    }
    await sleep(BROKER_POLL_MS);
  }
}

/** After the session (and so the broker) was told to stop: waits until the port is free. */
export async function stopBrokerAndWait(
  bind: string,
  port: number,
  options: { timeoutMs?: number } = {},
): Promise<boolean> {
  const deadline = Date.now() + (options.timeoutMs ?? 5_000);
  for (;;) {
    if (await canListen(bind, port)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
}
