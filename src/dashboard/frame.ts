// Pure layout of one dashboard screen: header (session, broker URL, uptime, counts), an
// unreachable-broker banner, the agent table in attention order with the selected row marked
// (agents whose work collides with another's marked ⚠, the pairs listed under the table; a Port
// column when agents have ports), the outcome of the last jump and the key hint, as styled lines
// that fit the terminal (columns and rows). The view only prints these lines, and redraws only
// when the lines differ from the last ones it printed.
import { sortByAttention } from '../attention/order.js';
import { conflictSummary, involvedAgents, reportFromStatus } from '../conflicts/report.js';
import type { BrokerStatus } from './broker-status.js';
import { formatDuration } from '../util/duration.js';
import { buildRows, countsLine, formatCoarseDuration, type AgentRow, type RosterAgent } from './rows.js';
import { displayWidth, fitToWidth, truncateToWidth } from './text-width.js';

export type LineStyle = 'title' | 'header' | 'warning' | 'plain' | 'selected' | 'hint';

export interface FrameLine {
  text: string;
  style: LineStyle;
}

export interface FrameInput {
  session: string;
  brokerUrl: string;
  roster: readonly RosterAgent[];
  /** The last status the broker gave, and how many seconds ago it was read. */
  latest?: { status: BrokerStatus; ageSeconds: number };
  /** Present while the broker does not answer: why, and for how many seconds. */
  outage?: { reason: string; seconds: number };
  columns: number;
  rows: number;
  /** The agent id of the selected row (none: the first row). */
  selected?: string;
  /** One line about the last jump, e.g. why it could not be made. */
  notice?: string;
}

export const KEY_HINT = '↑/↓ j/k move · Enter go to pane · n next needing you · q close view';

/** Marks the selected row in front of the table, so it shows without colour too. */
const SELECTED_MARK = '› ';
const UNSELECTED_MARK = '  ';
const GAP = '  ';
const HEADINGS = {
  agent: 'Agent',
  cli: 'CLI',
  port: 'Port',
  state: 'State',
  status: 'Status',
  lastUpdate: 'Last Update',
  summary: 'Summary',
};
/** Lines around the table: title, broker, counts, blank, table header, blank, hint. */
const FIXED_LINES = 7;

interface ColumnWidths {
  agent: number;
  cli: number;
  /** 0 when no agent has ports (the column is left out). */
  port: number;
  state: number;
  status: number;
  lastUpdate: number;
  summary: number;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function widest(rows: readonly AgentRow[], pick: (row: AgentRow) => string, heading: string): number {
  return Math.max(displayWidth(heading), ...rows.map((row) => displayWidth(pick(row))));
}

/**
 * Column widths for `columns`: fixed-ish Agent/CLI/Port/State/Status/Last Update, Summary takes
 * the rest. Port shows only when some agent has ports.
 */
export function columnWidths(rows: readonly AgentRow[], columns: number): ColumnWidths {
  const widths = {
    agent: clamp(
      widest(rows, (row) => row.agent, HEADINGS.agent),
      15,
      24,
    ),
    cli: clamp(
      widest(rows, (row) => row.cli, HEADINGS.cli),
      6,
      10,
    ),
    port: rows.some((row) => row.port !== '') ? widest(rows, (row) => row.port, HEADINGS.port) : 0,
    // Wide enough for `⏳ waiting` and a short reason; a longer reason is cut with an ellipsis.
    state: clamp(
      widest(rows, (row) => row.state, HEADINGS.state),
      10,
      20,
    ),
    status: clamp(
      widest(rows, (row) => row.status, HEADINGS.status),
      10,
      16,
    ),
    lastUpdate: displayWidth(HEADINGS.lastUpdate),
    summary: 0,
  };
  const fixed = () =>
    widths.agent +
    widths.cli +
    widths.state +
    widths.status +
    widths.lastUpdate +
    (widths.status === 0 ? 4 : 5) * GAP.length +
    (widths.port === 0 ? 0 : widths.port + GAP.length);
  // Narrow terminals keep Summary at least 12 wide: they give up Agent width first (down to 8),
  // then the self-reported Status column (the observed State matters more while watching), then
  // State width (down to 10).
  const shortfall = () => 12 - (columns - fixed());
  if (shortfall() > 0) widths.agent = Math.max(8, widths.agent - shortfall());
  if (shortfall() > 0) widths.status = 0;
  if (shortfall() > 0) widths.state = Math.max(10, widths.state - shortfall());
  widths.summary = Math.max(0, columns - fixed());
  return widths;
}

function tableLine(cells: Record<keyof ColumnWidths, string>, widths: ColumnWidths): string {
  const order: (keyof ColumnWidths)[] = ['agent', 'cli', 'port', 'state', 'status', 'lastUpdate', 'summary'];
  return order
    .filter((key) => key === 'summary' || widths[key] > 0)
    .map((key) => fitToWidth(cells[key], widths[key]))
    .join(GAP)
    .trimEnd();
}

/**
 * The rows the table shows, in attention order. The order depends only on which group each agent
 * is in, so it moves only when an agent changes group; the selection is kept by agent id.
 */
export function frameRows(input: Pick<FrameInput, 'roster' | 'latest'>): AgentRow[] {
  if (!input.latest) return [];
  const rows = buildRows(input.roster, input.latest.status.agents, input.latest.ageSeconds);
  return sortByAttention(rows, (row) => ({ agentId: row.agentId, state: row.agentState, label: row.label }));
}

/** The rows shown when `room` lines are free: always including the selected one. */
function visibleRows(rows: readonly AgentRow[], selected: string | undefined, room: number): AgentRow[] {
  const index = Math.max(
    0,
    rows.findIndex((row) => row.agentId === selected),
  );
  const start = Math.max(0, Math.min(index - room + 1, rows.length - room));
  return rows.slice(start, start + room);
}

function tableLines(
  rows: readonly AgentRow[],
  selected: string | undefined,
  columns: number,
  room: number,
): FrameLine[] {
  const widths = columnWidths(rows, columns - UNSELECTED_MARK.length);
  const lines: FrameLine[] = [{ text: UNSELECTED_MARK + tableLine(HEADINGS, widths), style: 'header' }];
  const fits = rows.length <= room;
  const shown = fits ? rows : visibleRows(rows, selected, Math.max(0, room - 1));
  const chosen = selected ?? rows[0]?.agentId;
  for (const row of shown) {
    lines.push(
      row.agentId === chosen
        ? { text: SELECTED_MARK + tableLine(row, widths), style: 'selected' }
        : { text: UNSELECTED_MARK + tableLine(row, widths), style: 'plain' },
    );
  }
  if (!fits) {
    lines.push({
      text: `… and ${rows.length - shown.length} more agents (enlarge this pane to see them)`,
      style: 'hint',
    });
  }
  return lines;
}

function brokerLine(input: FrameInput): string {
  const uptime = input.latest?.status.uptime_seconds;
  if (uptime === undefined || uptime === null) return `broker ${input.brokerUrl}`;
  return `broker ${input.brokerUrl} · up ${formatCoarseDuration(uptime + (input.latest?.ageSeconds ?? 0))}`;
}

function outageLine(outage: NonNullable<FrameInput['outage']>): string {
  return `⚠ broker unreachable (${outage.reason}) for ${formatDuration(outage.seconds)} — retrying`;
}

/** The whole screen as styled lines, each at most `columns` wide, fewer than `rows` lines. */
export function layoutFrame(input: FrameInput): FrameLine[] {
  const conflicts = input.latest ? (reportFromStatus(input.latest.status)?.conflicts ?? []) : [];
  // Agents whose work collides with another's carry a marker; the pairs are listed under the table.
  const marked = involvedAgents(conflicts);
  const rows = frameRows(input).map((row) =>
    marked.has(row.agent) ? { ...row, agent: `⚠ ${row.agent}` } : row,
  );
  const lines: FrameLine[] = [
    { text: `git-paw dashboard · ${input.session}`, style: 'title' },
    { text: brokerLine(input), style: 'plain' },
    { text: input.latest ? countsLine(rows) : 'waiting for the broker…', style: 'plain' },
  ];
  if (input.outage) lines.push({ text: outageLine(input.outage), style: 'warning' });
  lines.push({ text: '', style: 'plain' });
  if (!input.latest) {
    lines.push({ text: `No answer from the broker at ${input.brokerUrl} yet.`, style: 'plain' });
  } else if (rows.length === 0) {
    lines.push({ text: 'No agents connected yet', style: 'plain' });
  } else {
    // Stay below the terminal height: Ink clears the whole screen on every frame otherwise.
    const room = input.rows - 1 - FIXED_LINES - (input.outage ? 1 : 0) - (conflicts.length > 0 ? 1 : 0);
    lines.push(...tableLines(rows, input.selected, input.columns, Math.max(1, room)));
    if (conflicts.length > 0) lines.push({ text: conflictSummary(conflicts), style: 'warning' });
  }
  lines.push({ text: input.notice ?? '', style: 'plain' }, { text: KEY_HINT, style: 'hint' });
  return lines.map((line) => ({ ...line, text: truncateToWidth(line.text, input.columns) }));
}

/** A cheap identity for "did anything on screen change". */
export function frameKey(lines: readonly FrameLine[]): string {
  return lines.map((line) => `${line.style}\u0000${line.text}`).join('\n');
}
