// What `status` shows about a session: upstream §12's text layout and the `--json` shape.
// Pure formatting; the broker block is added by the broker's own report when it runs.
import type { SessionState } from './schema.js';
import type { EffectiveStatus } from './status.js';

export interface StatusReport {
  state: SessionState;
  status: EffectiveStatus;
  tmuxRunning: boolean;
}

export function formatStatus(report: StatusReport): string[] {
  const { state, status, tmuxRunning } = report;
  const lines = [
    `Session: ${state.session_name}`,
    `Status:  ${status === 'active' ? '🟢' : '🟡'} ${status}`,
    `Tmux:    ${tmuxRunning ? 'running' : 'not running'}`,
    '',
  ];
  if (state.worktrees.length === 0) lines.push('  (no worktrees)');
  for (const entry of state.worktrees) lines.push(`  ${entry.branch} → ${entry.cli} (${entry.worktree_path})`);
  return lines;
}

/** `status --json`: `{"session": null}` when the repo has no session. */
export function statusJson(report: StatusReport | undefined): Record<string, unknown> {
  if (report === undefined) return { session: null };
  const { state } = report;
  return {
    session: state.session_name,
    repo_path: state.repo_path,
    status: report.status,
    tmux_running: report.tmuxRunning,
    created_at: state.created_at,
    worktrees: state.worktrees.map((entry) => ({
      branch: entry.branch,
      worktree_path: entry.worktree_path,
      cli: entry.cli,
      command: entry.command ?? entry.cli,
      branch_created: entry.branch_created,
    })),
  };
}
