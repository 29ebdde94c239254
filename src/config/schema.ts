// The config schema: what one config file may contain (every key optional, git-paw 0.3.0's keys plus
// the broker keys `allow_remote` and `auth`), and the merged configuration the program uses.
// Written with the small checker of util/schema rather than zod, which would cost 50–85 ms of
// start-up on every launch that has a config file.
import {
  array,
  boolean,
  literals,
  number,
  object,
  optional,
  record,
  string,
  type Infer,
} from '../util/schema.js';
import { parseByteSize } from '../util/size.js';
import { ATTENTION_KINDS } from '../attention/kinds.js';

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
  port: optional(
    number({ int: true, min: 1, max: 65535, rangeMessage: 'expected a port number between 1 and 65535' }),
  ),
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

/** A tmux key as `bind-key` takes it: one character or a named key, with C-, M- or S- modifiers. */
const TMUX_KEY =
  /^(?:[CMS]-)*(?:[!-~]|F(?:[1-9]|1[0-2])|Up|Down|Left|Right|Home|End|PageUp|PageDown|Tab|BTab|Space|Enter|Escape|BSpace|DC|IC)$/;

export const tmuxTableSchema = object({
  /** `prefix + <key>` runs `git paw next`; unset: no binding. */
  jump_key: optional(
    string({
      refine: {
        test: (key) => TMUX_KEY.test(key),
        message: 'expected one tmux key such as "N", "C-n" or "F5"',
      },
    }),
  ),
});

export const notificationsTableSchema = object({
  on: optional(array(literals(ATTENTION_KINDS))),
  desktop: optional(boolean()),
  bell: optional(boolean()),
  command: optional(string()),
});

/**
 * A path inside the repository, relative to its root: never absolute, never through `..`, so a
 * copy or link can never reach outside the repository or the worktree — and neither the root
 * itself nor git's own `.git`, which every worktree has of its own.
 */
function repoRelativePath(text: string): boolean {
  if (text.trim() === '' || text.startsWith('/') || text.startsWith('~') || text.includes('\0')) return false;
  const parts = text.split(/[\\/]+/).filter((part) => part !== '' && part !== '.');
  return parts.length > 0 && parts[0] !== '.git' && parts.every((part) => part !== '..');
}

const repoPathSchema = string({
  refine: {
    test: repoRelativePath,
    message:
      'expected a path inside the repository, relative to its root (no leading "/", no "..", not the root itself or .git)',
  },
});

/** What every new worktree gets before its agent starts. */
export const worktreeTableSchema = object({
  /** Copied from the main checkout (copy-on-write where the filesystem can). */
  copy: optional(array(repoPathSchema)),
  /** Symlinked to the main checkout's path instead of copied. */
  link: optional(array(repoPathSchema)),
  /** Shell commands run in the agent's pane, in the worktree, before its CLI. */
  setup: optional(
    array(
      string({
        refine: {
          test: (text) => text.trim() !== '',
          message: 'expected a shell command, not an empty string',
        },
      }),
    ),
  ),
});

/** `"3100-3999"`: a range of TCP ports. */
export const PORT_RANGE = /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/;

function validPortRange(text: string): boolean {
  const match = PORT_RANGE.exec(text);
  if (!match) return false;
  const first = Number(match[1]);
  const last = Number(match[2]);
  return first >= 1 && last <= 65535 && first <= last;
}

/** Each agent's own block of ports. */
export const portsTableSchema = object({
  range: optional(
    string({
      refine: {
        test: validPortRange,
        message: 'expected a port range such as "3100-3999" (1–65535, first ≤ last)',
      },
    }),
  ),
  per_agent: optional(
    number({ int: true, min: 1, max: 1000, rangeMessage: 'expected a number of ports between 1 and 1000' }),
  ),
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
  tmux: optional(tmuxTableSchema),
  notifications: optional(notificationsTableSchema),
  worktree: optional(worktreeTableSchema),
  ports: optional(portsTableSchema),
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
