// The broker process's configuration: one JSON document in the environment variable
// GIT_PAW_BROKER_CONFIG, written by `planBroker` and read by the broker server.
// It holds no secret, because tmux passes it on a command line (`new-window -e`); the bearer
// token comes from GIT_PAW_BROKER_TOKEN, which the broker window inherits from the session
// environment (set from a private file, never from argv). Checked with the small schema module,
// not zod: the server reads it on the way to answering the launch.
import { BrokerError } from '../util/errors.js';
import {
  array,
  boolean,
  literals,
  number,
  object,
  optional,
  safeParse,
  string,
  type Infer,
} from '../util/schema.js';
import { ATTENTION_KINDS } from '../attention/kinds.js';
import { isLoopbackBind } from './bind.js';
import { isValidAgentId } from './messages.js';

export const BROKER_CONFIG_ENV = 'GIT_PAW_BROKER_CONFIG';
export const BROKER_TOKEN_ENV = 'GIT_PAW_BROKER_TOKEN';

/** Exit code of the broker server for a start-up failure that a restart cannot fix. */
export const FATAL_EXIT_CODE = 78;

const brokerRosterEntrySchema = object({
  agent_id: string({
    refine: { test: isValidAgentId, message: 'agent ids are [a-z0-9_-]{1,128}' },
  }),
  branch: string(),
  cli: string(),
});

const nonEmpty = () => string({ minLength: 1 });

/** `[notifications]` as the launch resolved it (absent: the broker's defaults). */
const notificationsSchema = object({
  on: array(literals(ATTENTION_KINDS)),
  desktop: boolean(),
  bell: boolean(),
  command: optional(string()),
});

const brokerProcessConfigSchema = object({
  session: nonEmpty(),
  repo_path: nonEmpty(),
  bind: nonEmpty(),
  port: number({ int: true, min: 1, max: 65535 }),
  /** `[broker] auth`: with "token" the bearer token is read from GIT_PAW_BROKER_TOKEN. */
  auth: literals(['token', 'none']),
  allow_remote: boolean(),
  log_path: nonEmpty(),
  /** `[broker] log_limit` in bytes; absent: the default. */
  log_limit: optional(number({ int: true, min: 1 })),
  /** Identity of this launch of the broker, reported by `/status` (kept across child restarts). */
  instance_id: nonEmpty(),
  /**
   * When this launch of the broker was planned (epoch ms), with `instance_id`: `started_at` and
   * `uptime_seconds` describe the service, not the last process. Absent (a window planned by an
   * older git-paw): each server counts from its own start.
   */
  started_ms: optional(number({ int: true, min: 1 })),
  roster: array(brokerRosterEntrySchema),
  /** `[broker] mcp`: whether `/mcp/<agent_id>` answers (absent: on). */
  mcp: optional(boolean()),
  notifications: optional(notificationsSchema),
});

export type BrokerRosterEntry = Infer<typeof brokerRosterEntrySchema>;
export type BrokerProcessConfig = Infer<typeof brokerProcessConfigSchema>;

/** Reads and checks the configuration from the environment; BrokerError when unusable. */
export function readBrokerConfig(env: NodeJS.ProcessEnv = process.env): BrokerProcessConfig {
  const raw = env[BROKER_CONFIG_ENV];
  if (!raw) {
    throw new BrokerError(`${BROKER_CONFIG_ENV} is not set`, {
      hint: 'this is an internal command that git-paw runs inside the session; use `git paw start`',
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new BrokerError(`${BROKER_CONFIG_ENV} is not valid JSON`);
  }
  const parsed = safeParse(brokerProcessConfigSchema, value);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    throw new BrokerError(
      `${BROKER_CONFIG_ENV} is invalid: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    );
  }
  const config = parsed.data;
  if (!config.allow_remote && !isLoopbackBind(config.bind)) throw nonLoopbackError(config.bind);
  return config;
}

/**
 * The bearer token the broker requires: GIT_PAW_BROKER_TOKEN under `auth = "token"` (a missing or
 * empty one is an error, never a silent switch to no auth), null under `auth = "none"`.
 */
export function readBrokerToken(
  config: BrokerProcessConfig,
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  if (config.auth === 'none') return null;
  const token = env[BROKER_TOKEN_ENV];
  if (!token) {
    throw new BrokerError(`${BROKER_TOKEN_ENV} is not set, and [broker] auth requires a token`);
  }
  return token;
}

/** The refusal to listen beyond this machine without `allow_remote`. */
export function nonLoopbackError(bind: string): BrokerError {
  return new BrokerError(`refusing to listen on non-loopback address '${bind}'`, {
    hint: 'use bind = "127.0.0.1", or set [broker] allow_remote = true to accept connections from other machines',
  });
}

/** Where the server leaves the reason of a fatal start-up failure for `waitForBroker`. */
export function startupErrorPath(logPath: string): string {
  return `${logPath}.error`;
}

/**
 * Where the server that holds a log says who it is (`<pid> <start time>`), so that its successor
 * finds it even when it is too busy to answer a probe.
 */
export function serverPidPath(logPath: string): string {
  return `${logPath}.pid`;
}

