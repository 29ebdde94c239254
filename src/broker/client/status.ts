// The broker part of `git paw status`: upstream's `Broker:  <url> (running|not responding)` line,
// then (when it runs) the agent count by observed state and one line per agent; and the same as
// JSON for `status --json`. A broker of another session on the port is reported as not ours.
import { countAgents, reportedCountsText, stateCountsText } from '../../attention/counts.js';
import { observedState } from '../../agents/state.js';
import { stateLabel } from '../../attention/counts.js';
import { formatAge } from '../../util/duration.js';
import type { AgentState } from '../../agents/state.js';
import { integrationFailureLines } from './status-hints.js';
import { describePortHolder, isSessionBroker, probeBroker, type BrokerStatusDocument } from '../client.js';

export type BrokerReport =
  | { url: string; state: 'running'; status: BrokerStatusDocument }
  | { url: string; state: 'not responding'; holder?: string };

export interface BrokerReportInput {
  url: string;
  bind: string;
  port: number;
  session: string;
  repoPath: string;
  timeoutMs?: number;
}

/** Probes the session's broker once and says whether it is running, and if not who holds the port. */
export async function readBrokerReport(input: BrokerReportInput): Promise<BrokerReport> {
  const probe = await probeBroker(input.url, { timeoutMs: input.timeoutMs ?? 1_000 });
  if (isSessionBroker(probe, { session: input.session, repoPath: input.repoPath })) {
    return { url: input.url, state: 'running', status: probe.status };
  }
  if (probe.kind === 'free') return { url: input.url, state: 'not responding' };
  return {
    url: input.url,
    state: 'not responding',
    holder: await describePortHolder(input.bind, input.port),
  };
}

/** `2 (1 working, 1 not started; reported 1 done, 0 blocked)`: every observed state, as on the dashboard. */
function counts(status: BrokerStatusDocument): string {
  const counted = countAgents(
    status.agents.map((agent) => ({ state: observedState(agent), reported: agent.status })),
  );
  const states = stateCountsText(counted);
  const reported = reportedCountsText(counted);
  const parts = [states, reported === '' ? '' : `reported ${reported}`].filter((part) => part !== '');
  return `${status.agents.length}${parts.length === 0 ? '' : ` (${parts.join('; ')})`}`;
}

/** `waiting (permission: Bash)`, `not started`. */
function stateText(agent: BrokerStatusDocument['agents'][number]): string {
  const label = stateLabel(observedState(agent));
  const detail = oneLine(agent.state_detail ?? '').trim();
  return detail === '' ? label : `${label} (${detail})`;
}

function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- terminal control characters must not reach the screen
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
}

/** Lines for `git paw status` (the caller prints a blank line after them, as upstream). */
export function brokerStatusLines(report: BrokerReport): string[] {
  const lines = [`Broker:  ${report.url} (${report.state})`];
  if (report.state === 'not responding') {
    if (report.holder) lines.push(`         ${report.holder}`);
    return lines;
  }
  const { status } = report;
  lines.push(`Agents:  ${counts(status)}`);
  const rows = status.agents.map((agent) => [
    oneLine(agent.agent_id),
    oneLine(agent.cli ?? ''),
    stateText(agent),
    oneLine(agent.status ?? '-'),
    // As on the dashboard: `-` for an agent that never reported.
    agent.last_seen_seconds === null || agent.last_seen_seconds === undefined
      ? '-'
      : formatAge(agent.last_seen_seconds),
    oneLine(agent.summary ?? ''),
  ]);
  const widths = [0, 1, 2, 3, 4].map((column) =>
    Math.max(0, ...rows.map((row) => (row[column] ?? '').length)),
  );
  for (const row of rows) {
    const cells = row.map((cell, column) => (column < 5 ? cell.padEnd(widths[column] ?? 0) : cell));
    lines.push(`  ${cells.join('  ')}`.trimEnd());
  }
  lines.push(...integrationFailureLines(status.agents));
  return lines;
}

export interface BrokerStatusJson {
  url: string;
  state: 'running' | 'not responding';
  holder?: string;
  uptime_seconds?: number;
  agents?: {
    agent_id: string;
    cli: string;
    status: string | null;
    last_seen_seconds: number | null;
    summary: string;
    state: AgentState;
    state_since: string | null;
    state_source: string | null;
    state_detail: string;
  }[];
}

/** The same report for `git paw status --json`. */
export function brokerStatusJson(report: BrokerReport): BrokerStatusJson {
  if (report.state === 'not responding') {
    return report.holder
      ? { url: report.url, state: report.state, holder: report.holder }
      : { url: report.url, state: report.state };
  }
  return {
    url: report.url,
    state: report.state,
    uptime_seconds: report.status.uptime_seconds ?? 0,
    agents: report.status.agents.map((agent) => ({
      agent_id: agent.agent_id,
      cli: agent.cli ?? '',
      status: agent.status ?? null,
      last_seen_seconds: agent.last_seen_seconds ?? null,
      summary: agent.summary ?? '',
      state: observedState(agent),
      state_since: agent.state_since ?? null,
      state_source: agent.state_source ?? null,
      state_detail: agent.state_detail ?? '',
    })),
  };
}
