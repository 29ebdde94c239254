// The config schema: what one config file may contain (every key optional, git-paw 0.3.0's keys plus
// the broker keys `allow_remote` and `auth`), and the merged configuration the program uses.
// Written with the small checker of util/schema rather than zod, which would cost 50–85 ms of
// start-up on every launch that has a config file.
import { array, boolean, literals, number, object, optional, record, string, type Infer } from '../util/schema.js';
import { parseByteSize } from '../util/size.js';

/** The smallest `[broker] log_limit`: below it the log would be rewritten every few messages. */
export const MIN_LOG_LIMIT = 64 * 1024;

export const cliEntrySchema = object({
  /** A custom CLI's command; an entry without one only sets options of the CLI of that name. */
  command: optional(string()),
  display_name: optional(string()),
  /** `false`: no flags, hooks or settings layers for this CLI; AGENTS.md, screen and process only. */
  integrate: optional(boolean()),
});

export const presetEntrySchema = object({
  branches: array(string()),
  cli: string(),
});

export const brokerTableSchema = object({
  enabled: optional(boolean()),
  // Unset means "first free port from 9119".
  port: optional(number({ int: true, min: 1, max: 65535, rangeMessage: 'expected a port number between 1 and 65535' })),
  bind: optional(string()),
  allow_remote: optional(boolean()),
  auth: optional(literals(['token', 'none'])),
  /** `false`: no MCP endpoint on the broker and no MCP tools wired into the agents' CLIs. */
  mcp: optional(boolean()),
  // The message log's size past which the broker compacts it, e.g. "64MiB".
  log_limit: optional(
    string({
      refine: {
        test: (text) => (parseByteSize(text) ?? 0) >= MIN_LOG_LIMIT,
        message: 'expected a size of at least 64KiB, such as "64MiB" (units: KiB, MiB, GiB)',
      },
    }),
  ),
});

/** What `[notifications] on` may name: states an agent enters, and events about the session. */
export const NOTIFY_EVENTS = ['waiting', 'error', 'done', 'blocked', 'idle', 'exited', 'conflict'] as const;

export const notificationsTableSchema = object({
  on: optional(array(literals(NOTIFY_EVENTS))),
  desktop: optional(boolean()),
  bell: optional(boolean()),
  command: optional(string()),
});

export const configFileSchema = object({
  default_cli: optional(string()),
  default_spec_cli: optional(string()),
  branch_prefix: optional(string()),
  mouse: optional(boolean()),
  clis: optional(record(cliEntrySchema)),
  presets: optional(record(presetEntrySchema)),
  specs: optional(object({ dir: optional(string()), type: optional(string()) })),
  logging: optional(object({ enabled: optional(boolean()) })),
  broker: optional(brokerTableSchema),
  notifications: optional(notificationsTableSchema),
});

/** One config file as written (after validation; unknown keys dropped). */
export type ConfigFile = Infer<typeof configFileSchema>;
export type CliEntry = Infer<typeof cliEntrySchema>;
export type PresetEntry = Infer<typeof presetEntrySchema>;
export type BrokerTable = Infer<typeof brokerTableSchema>;

type Tables = 'clis' | 'presets' | 'logging' | 'broker' | 'notifications';

/**
 * The merged configuration (global overlaid by repo). Maps and tables are always present;
 * `specs` is undefined iff neither file has a `[specs]` table.
 */
export type PawConfig = Omit<ConfigFile, Tables> & { [K in Tables]-?: NonNullable<ConfigFile[K]> };

/** The configuration when no file sets anything. */
export function emptyConfig(): PawConfig {
  return { clis: {}, presets: {}, logging: {}, broker: {}, notifications: {} };
}
