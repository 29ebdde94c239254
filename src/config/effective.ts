// Effective settings: the merged config with defaults applied and cross-key rules checked.
// Pure functions, so every launch path reads settings the same way.
import { BlockList, isIP } from 'node:net';
import { ConfigError } from '../util/errors.js';
import { parseByteSize } from '../util/size.js';
import type { AttentionKind } from '../attention/kinds.js';
import { PORT_RANGE, type PawConfig } from './schema.js';

/** `mouse on` for the tmux session unless `mouse = false`. */
export function mouseEnabled(config: PawConfig): boolean {
  return config.mouse ?? true;
}

/** Prefix of spec-derived branch names; `""` means no prefix at all. */
export function branchPrefix(config: PawConfig): string {
  return config.branch_prefix ?? 'spec/';
}

/** Pane logging (`[logging] enabled`, default off). */
export function loggingEnabled(config: PawConfig): boolean {
  return config.logging.enabled ?? false;
}

export interface BrokerSettings {
  enabled: boolean;
  /** Undefined: use the first free port from 9119. */
  port: number | undefined;
  bind: string;
  allowRemote: boolean;
  auth: 'token' | 'none';
  /** The broker's MCP endpoint, wired into the CLIs that speak MCP (`[broker] mcp`, default on). */
  mcp: boolean;
  /** Bytes past which the broker compacts its message log; undefined: the broker's default. */
  logLimit?: number;
  /** What the broker tells the user about, and how. */
  notifications?: NotificationSettings;
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** True for 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackAddress(address: string): boolean {
  if (address.toLowerCase() === 'localhost') return true;
  const family = isIP(address);
  if (family === 4) return loopback.check(address, 'ipv4');
  if (family === 6) return loopback.check(address, 'ipv6');
  return false;
}

/**
 * `[broker]` with defaults — on unless `enabled = false`, since the agents' state is what the
 * dashboard shows. Config error for a bad port or an unapproved non-loopback bind.
 */
export function brokerSettings(config: PawConfig): BrokerSettings {
  const {
    enabled = true,
    port,
    bind = '127.0.0.1',
    allow_remote: allowRemote = false,
    auth = 'token',
    mcp,
  } = config.broker;
  if (mcp === true && !enabled) {
    throw new ConfigError('[broker] mcp = true needs the broker, but [broker] enabled = false', {
      hint: 'remove `mcp`, or set `enabled = true`',
    });
  }
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
    throw new ConfigError(`[broker] port = ${port} is not a port number between 1 and 65535`);
  }
  if (bind.trim() === '')
    throw new ConfigError('[broker] bind must not be empty', { hint: 'remove it to bind 127.0.0.1' });
  if (!allowRemote && !isLoopbackAddress(bind)) {
    throw new ConfigError(
      `[broker] bind = "${bind}" is not a loopback address; the broker would be reachable from other machines`,
      {
        hint: 'set `[broker] allow_remote = true` to allow this, or bind to 127.0.0.1',
      },
    );
  }
  const logLimit = config.broker.log_limit === undefined ? undefined : parseByteSize(config.broker.log_limit);
  return {
    enabled,
    port,
    bind,
    allowRemote,
    auth,
    mcp: mcp ?? true,
    ...(logLimit === undefined ? {} : { logLimit }),
  };
}

/** `[notifications]` with defaults: waiting, error and done; the bell, no desktop popup. */
export interface NotificationSettings {
  on: AttentionKind[];
  desktop: boolean;
  bell: boolean;
  /** A shell command run per notification, with the agent in GIT_PAW_* variables. */
  command?: string;
}

export function notificationSettings(config: PawConfig): NotificationSettings {
  const { on = ['waiting', 'error', 'done'], desktop = false, bell = true, command } = config.notifications;
  return { on, desktop, bell, ...(command === undefined || command.trim() === '' ? {} : { command }) };
}

/** `[worktree]`: what every new worktree gets before its agent starts. */
export interface BootstrapSettings {
  /** Repo-relative paths copied from the main checkout. */
  copy: string[];
  /** Repo-relative paths symlinked to the main checkout's. */
  link: string[];
  /** Shell commands run in the agent's pane before its CLI. */
  setup: string[];
}

/** `[worktree]` with empty lists for what is not set; undefined when it sets nothing at all. */
export function bootstrapSettings(config: PawConfig): BootstrapSettings | undefined {
  const { copy = [], link = [], setup = [] } = config.worktree ?? {};
  if (copy.length === 0 && link.length === 0 && setup.length === 0) return undefined;
  return { copy, link, setup };
}

/** `[ports]`: the range each agent's block of ports comes from. */
export interface PortSettings {
  first: number;
  last: number;
  /** Ports per agent: PORT is the block's first, GIT_PAW_PORT_0..n-1 all of them. */
  perAgent: number;
}

/** `[ports]` with `per_agent` defaulting to 1; undefined without a `[ports]` table. */
export function portSettings(config: PawConfig): PortSettings | undefined {
  if (config.ports === undefined) return undefined;
  const { range, per_agent: perAgent = 1 } = config.ports;
  const match = range === undefined ? null : PORT_RANGE.exec(range);
  if (!match) {
    throw new ConfigError('[ports] needs a range of ports to hand out', {
      hint: 'add `range = "3100-3999"` under [ports], or remove the [ports] table',
    });
  }
  return { first: Number(match[1]), last: Number(match[2]), perAgent };
}
