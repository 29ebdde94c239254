// Session state file format: upstream 0.3.0's JSON (files it wrote still load) plus additive
// fields. One file per session: `<data dir>/git-paw/sessions/<session_name>.json`. Checked with
// the small schema checker of util/schema (not zod): every start and status reads these files,
// and zod alone would cost more than the rest of `git paw status`.
import { array, boolean, literals, number, object, optional, string, withDefault, type Infer } from '../util/schema.js';

export const worktreeEntrySchema = object({
  branch: string(),
  worktree_path: string(),
  /** CLI name, as upstream (display/state); `command` is what the pane actually ran. */
  cli: string(),
  branch_created: withDefault(boolean(), false),
  /** Additive: the shell text typed into the pane to start the CLI. */
  command: optional(string()),
  /** Additive: the spec prompt of a from-specs agent, so recovery rewrites the same AGENTS.md. */
  spec_text: optional(string()),
  /** Additive: the files a from-specs agent owns (same reason). */
  owned_files: optional(array(string())),
  /** Additive: the commit the branch forked from the base branch at launch (conflict checks). */
  base_commit: optional(string()),
  /**
   * Additive: the agent's block of ports (`[ports]`), in order: PORT is the first. Kept as it is
   * on recovery; absent when the session had no `[ports]` table.
   */
  ports: optional(array(number({ int: true, min: 1, max: 65535 }))),
});

export const sessionStateSchema = object({
  session_name: string({ minLength: 1 }),
  repo_path: string({ minLength: 1 }),
  project_name: string(),
  /** Any ISO-8601 time is accepted on read; written as `YYYY-MM-DDTHH:MM:SSZ`. */
  created_at: string({ refine: { test: (value) => !Number.isNaN(Date.parse(value)), message: 'not an ISO-8601 time' } }),
  status: literals(['active', 'stopped']),
  worktrees: array(worktreeEntrySchema),
  broker_port: optional(number({ int: true, min: 0, max: 65535 })),
  broker_bind: optional(string()),
  broker_log_path: optional(string()),
  /** Additive: bearer token of the session's broker (absent when `[broker] auth = "none"`). */
  broker_token: optional(string()),
  /** Additive: whether the tmux mouse option was set at launch. */
  mouse: optional(boolean()),
  /** Additive: the branch the main checkout was on at launch; purge counts merges into it. */
  base_branch: optional(string()),
});

export type WorktreeEntry = Infer<typeof worktreeEntrySchema>;
export type SessionState = Infer<typeof sessionStateSchema>;

/** The shell text that starts an entry's CLI (upstream files have no `command`: the CLI text). */
export function commandOf(entry: WorktreeEntry): string {
  return entry.command ?? entry.cli;
}
