// What `status` shows about a session: 0.3.0's text layout and the `--json` shape.
// Pure formatting; the broker block (upstream's `Broker:` line, plus agent count and one line per
// agent when it runs) comes from the broker's own report.
import { brokerStatusJson, brokerStatusLines, type BrokerReport } from '../broker/client/status.js';
import { conflictLines, conflictsJson } from '../conflicts/report.js';
import type { ConflictReport } from '../conflicts/types.js';
import { portsSuffix } from '../bootstrap/ports.js';
import { commandOf, type SessionState } from './schema.js';
import type { EffectiveStatus } from './status.js';

export interface StatusReport {
  state: SessionState;
  status: EffectiveStatus;
  tmuxRunning: boolean;
  /** Present when the session has a broker (both broker fields saved). */
  broker?: BrokerReport;
  /** Which agents collide: the broker's watcher's report, else one computed for this status. */
  conflicts?: ConflictReport;
}

export function formatStatus(report: StatusReport): string[] {
  const { state, status, tmuxRunning } = report;
  const lines = [
    `Session: ${state.session_name}`,
    `Status:  ${status === 'active' ? '🟢' : '🟡'} ${status}`,
    `Tmux:    ${tmuxRunning ? 'running' : 'not running'}`,
    '',
  ];
  if (report.broker) lines.push(...brokerStatusLines(report.broker), '');
  if (report.conflicts) lines.push(...conflictLines(report.conflicts), '');
  if (state.worktrees.length === 0) lines.push('  (no worktrees)');
  for (const entry of state.worktrees)
    lines.push(`  ${entry.branch} → ${entry.cli} (${entry.worktree_path})${portsSuffix(entry.ports)}`);
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
      command: commandOf(entry),
      branch_created: entry.branch_created,
      ...(entry.ports ? { ports: entry.ports } : {}),
    })),
    ...(report.broker ? { broker: brokerStatusJson(report.broker) } : {}),
    ...(report.conflicts ? conflictsJson(report.conflicts) : {}),
  };
}
