// Pure formatting of the dashboard's content: one row per agent in roster order (agents that
// never reported included), the observed state with an icon per state, the self-reported status
// with upstream's symbols and labels, ages, and the counts line (every observed state, then the
// reported done / blocked).
import { observedState, type AgentState } from '../agents/state.js';
import {
  countAgents,
  reportedCountsText,
  reportedKindOf,
  STATE_ICONS,
  stateCountsText,
  stateLabel,
} from '../attention/counts.js';
import { formatAge, formatDuration } from '../util/duration.js';
import type { StatusAgent } from './broker-status.js';
import { sanitizeCell } from './text-width.js';

/** An agent the session was launched with (id = slug of its branch), its CLI and its ports. */
export interface RosterAgent {
  agent_id: string;
  cli: string;
  /** Its block of ports (`[ports]`), when it has one. */
  ports?: readonly number[];
}

export type StatusKind = 'working' | 'done' | 'blocked' | 'other' | 'not-started';

export interface AgentRow {
  /** The broker's id, unchanged (`agent` is the same made safe to print). */
  agentId: string;
  agent: string;
  cli: string;
  /** Its PORT (the first of its block); empty when it has none. */
  port: string;
  /** `<icon> <state>`, with the state's reason when there is one, e.g. `⏳ waiting · permission: Bash`. */
  state: string;
  agentState: AgentState;
  /** `<symbol> <label>`, e.g. `🔵 working`; `-` for an agent that never reported. */
  status: string;
  /** `just now`, `20s ago`, `3m ago`, `1h 15m ago`; `-` for an agent that never reported. */
  lastUpdate: string;
  summary: string;
  kind: StatusKind;
  /** The label the agent reported about itself; undefined when it never reported. */
  label: string | undefined;
}

const NOT_STARTED = 'not started';

/** Which upstream bucket a status label falls in. */
export function statusKind(label: string | null | undefined): StatusKind {
  if (!label) return 'not-started';
  if (label === 'working') return 'working';
  return reportedKindOf(label) ?? 'other';
}

const SYMBOLS: Record<StatusKind, string> = {
  working: '🔵',
  done: '🟢',
  blocked: '🟡',
  other: '⚪',
  'not-started': '⚪',
};

/** `🔵 working`, `🟢 verified`, `⚪ idle`, `⚪ not started`. */
export function statusCell(label: string | null | undefined): string {
  const kind = statusKind(label);
  const text = kind === 'not-started' ? NOT_STARTED : sanitizeCell(label ?? '');
  return `${SYMBOLS[kind]} ${text}`;
}

export { stateLabel };

/** `⚙ working`, `⏳ waiting · permission: Bash`, `⚪ not started`. */
export function stateCell(state: AgentState, detail: string | null | undefined): string {
  const reason = sanitizeCell(detail ?? '');
  return `${STATE_ICONS[state]} ${stateLabel(state)}${reason === '' ? '' : ` · ${reason}`}`;
}

/**
 * A duration as the dashboard shows it: `<1m` under a minute, then minutes. Every change of the
 * text redraws the whole screen (a full Ink render and terminal write, tens of milliseconds on a
 * slow machine), so an idle screen changes once a minute at most — a per-second or even
 * ten-second count was most of the dashboard's idle CPU in a session's first minutes.
 */
export function formatCoarseDuration(seconds: number): string {
  const whole = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  return whole < 60 ? '<1m' : formatDuration(whole);
}

/** The dashboard's age: `just now` under a minute, then `3m ago`, `1h 15m ago`. */
export function formatCoarseAge(seconds: number): string {
  const whole = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  return whole < 60 ? 'just now' : formatAge(whole);
}

/** True when the broker reports the agent but it has not published anything yet. */
function neverReported(agent: StatusAgent): boolean {
  return !agent.status || agent.last_seen_seconds === null || agent.last_seen_seconds === undefined;
}

/**
 * Rows in roster order, then any agent the broker knows that is not in the roster (in the
 * broker's order). `elapsedSeconds` is how long ago the status was read, so ages keep moving
 * between polls and while the broker is unreachable.
 */
export function buildRows(
  roster: readonly RosterAgent[],
  agents: readonly StatusAgent[],
  elapsedSeconds = 0,
): AgentRow[] {
  const reported = new Map(agents.map((agent) => [agent.agent_id, agent]));
  const rosterIds = new Set(roster.map((entry) => entry.agent_id));
  const ordered: StatusAgent[] = [
    ...roster.map((entry) => reported.get(entry.agent_id) ?? { agent_id: entry.agent_id, cli: entry.cli }),
    ...agents.filter((agent) => !rosterIds.has(agent.agent_id)),
  ];
  const rosterCli = new Map(roster.map((entry) => [entry.agent_id, entry.cli]));
  const rosterPort = new Map(roster.map((entry) => [entry.agent_id, entry.ports?.[0]]));
  return ordered.map((agent) => {
    const silent = neverReported(agent);
    const label = silent ? undefined : agent.status;
    const agentState = observedState(agent);
    return {
      agentId: agent.agent_id,
      agent: sanitizeCell(agent.agent_id),
      cli: sanitizeCell(agent.cli || rosterCli.get(agent.agent_id) || ''),
      port: String(rosterPort.get(agent.agent_id) ?? ''),
      state: stateCell(agentState, agent.state_detail),
      agentState,
      // The State column says `not started`; a Status of its own would contradict a working CLI
      // whose agent has not published yet.
      status: silent ? '-' : statusCell(label),
      lastUpdate: silent ? '-' : formatCoarseAge((agent.last_seen_seconds ?? 0) + elapsedSeconds),
      summary: sanitizeCell(agent.summary ?? ''),
      kind: statusKind(label),
      label: label ?? undefined,
    };
  });
}

/** `4 agents: 2 working, 1 waiting, 1 not started · reported 1 done, 0 blocked`. */
export function countsLine(rows: readonly Pick<AgentRow, 'label' | 'agentState'>[]): string {
  const counts = countAgents(rows.map((row) => ({ state: row.agentState, reported: row.label })));
  const states = stateCountsText(counts);
  const reported = reportedCountsText(counts);
  return `${rows.length} agents${states === '' ? '' : `: ${states}`}${reported === '' ? '' : ` · reported ${reported}`}`;
}
