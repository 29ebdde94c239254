// Session state file format: upstream 0.3.0's JSON (files it wrote still load) plus additive
// fields. One file per session: `<data dir>/git-paw/sessions/<session_name>.json`.
import { z } from 'zod';

export const worktreeEntrySchema = z.object({
  branch: z.string(),
  worktree_path: z.string(),
  /** CLI name, as upstream (display/state); `command` is what the pane actually ran. */
  cli: z.string(),
  branch_created: z.boolean().default(false),
  /** Additive: the shell text typed into the pane to start the CLI. */
  command: z.string().optional(),
  /** Additive: the spec prompt of a from-specs agent, so recovery rewrites the same AGENTS.md. */
  spec_text: z.string().optional(),
  /** Additive: the files a from-specs agent owns (same reason). */
  owned_files: z.array(z.string()).optional(),
});

export const sessionStateSchema = z.object({
  session_name: z.string().min(1),
  repo_path: z.string().min(1),
  project_name: z.string(),
  /** Any ISO-8601 time is accepted on read; written as `YYYY-MM-DDTHH:MM:SSZ`. */
  created_at: z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'not an ISO-8601 time'),
  status: z.enum(['active', 'stopped']),
  worktrees: z.array(worktreeEntrySchema),
  broker_port: z.number().int().min(0).max(65535).optional(),
  broker_bind: z.string().optional(),
  broker_log_path: z.string().optional(),
  /** Additive: bearer token of the session's broker (absent when `[broker] auth = "none"`). */
  broker_token: z.string().optional(),
  /** Additive: whether the tmux mouse option was set at launch. */
  mouse: z.boolean().optional(),
});

export type WorktreeEntry = z.infer<typeof worktreeEntrySchema>;
export type SessionState = z.infer<typeof sessionStateSchema>;

