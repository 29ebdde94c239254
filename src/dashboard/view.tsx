// The dashboard's Ink component: polls the broker through an injected fetcher, lays the screen
// out with the pure frame module, and re-renders only when the laid-out lines changed. ↑/↓ and
// j/k move the selection, Enter goes to the selected agent's pane and `n` to the next agent that
// needs the human (through an injected jump, so the view runs no tmux itself). `q` (or Ctrl+C)
// closes the view; the broker and the agents are separate processes and keep running.
import { Box, Text, useApp, useInput, useStdout } from 'ink';
import { useEffect, useRef, useState } from 'react';
import { attentionOrder, nextNeedingAttention } from '../attention/order.js';
import type { StatusFetcher } from './broker-status.js';
import { frameKey, frameRows, layoutFrame, type FrameLine } from './frame.js';
import { startPolling, timerScheduler, type Observation, type Scheduler } from './poller.js';
import type { AgentRow, RosterAgent } from './rows.js';
import { moveSelection, selectedIn } from './selection.js';
import { colorAllowed } from '../util/output.js';

export interface DashboardViewProps {
  session: string;
  brokerUrl: string;
  roster: readonly RosterAgent[];
  fetchStatus: StatusFetcher;
  /** Defaults: real timers, Date.now, one poll per second, the terminal's size. */
  scheduler?: Scheduler;
  now?: () => number;
  pollIntervalMs?: number;
  size?: { columns: number; rows: number };
  /** Called when the user closes the view (before the app exits). */
  onClose?: () => void;
  /**
   * Brings the user to an agent's pane; resolves with a line to show (why it failed, or where
   * to look), or undefined when there is nothing to say. Without it Enter and `n` only select.
   */
  jump?: (agentId: string) => Promise<string | undefined>;
}

/** What the user did on this screen: the selected agent and the outcome of the last jump. */
interface Interaction {
  selected?: string;
  notice?: string;
  /** The agent the last `n` went to, so that the next `n` moves on to the one after it. */
  jumpedTo?: string;
}

const DEFAULT_SIZE = { columns: 80, rows: 24 };

function frameInput(
  props: DashboardViewProps,
  observation: Observation,
  now: number,
  size: { columns: number; rows: number },
  interaction: Interaction,
) {
  const { latest, outage } = observation;
  return {
    session: props.session,
    brokerUrl: props.brokerUrl,
    roster: props.roster,
    latest: latest && { status: latest.status, ageSeconds: (now - latest.at) / 1000 },
    outage: outage && { reason: outage.reason, seconds: (now - outage.since) / 1000 },
    columns: size.columns,
    rows: size.rows,
    ...(interaction.selected === undefined ? {} : { selected: interaction.selected }),
    ...(interaction.notice === undefined ? {} : { notice: interaction.notice }),
  };
}

function ids(rows: readonly AgentRow[]): string[] {
  return rows.map((row) => row.agentId);
}

function Line({ line, color }: { line: FrameLine; color: boolean }) {
  switch (line.style) {
    case 'title':
    case 'header':
      return (
        <Text bold wrap="truncate-end">
          {line.text}
        </Text>
      );
    case 'warning':
      return (
        <Text bold inverse {...(color ? { color: 'red' } : {})} wrap="truncate-end">
          {line.text}
        </Text>
      );
    case 'selected':
      return (
        <Text bold inverse wrap="truncate-end">
          {line.text}
        </Text>
      );
    case 'hint':
      return (
        <Text dimColor wrap="truncate-end">
          {line.text}
        </Text>
      );
    default:
      // An empty Text renders no line at all; a space keeps blank lines in the layout.
      return <Text wrap="truncate-end">{line.text || ' '}</Text>;
  }
}

export function DashboardView(props: DashboardViewProps) {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const now = props.now ?? Date.now;
  const sizeOf = () =>
    props.size ?? { columns: stdout.columns || DEFAULT_SIZE.columns, rows: stdout.rows || DEFAULT_SIZE.rows };
  const [lines, setLines] = useState<FrameLine[]>(() =>
    layoutFrame(frameInput(props, {}, now(), sizeOf(), {})),
  );
  const shownKey = useRef(frameKey(lines));
  const observation = useRef<Observation>({});
  const interaction = useRef<Interaction>({});
  // The rows as last shown, in display order: what the selection keys move through.
  const shownRows = useRef<AgentRow[]>([]);

  const redrawIfChanged = () => {
    const input = frameInput(props, observation.current, now(), sizeOf(), interaction.current);
    shownRows.current = frameRows(input);
    const next = layoutFrame(input);
    const key = frameKey(next);
    if (key === shownKey.current) return;
    shownKey.current = key;
    setLines(next);
  };

  /** Goes to `agentId`; `viaNext` when `n` chose it, so the next `n` moves on from there. */
  const jumpTo = (agentId: string | undefined, viaNext: boolean) => {
    if (agentId === undefined) return;
    const { jumpedTo } = interaction.current;
    interaction.current = {
      selected: agentId,
      ...(viaNext ? { jumpedTo: agentId } : jumpedTo === undefined ? {} : { jumpedTo }),
    };
    redrawIfChanged();
    void props.jump?.(agentId).then((notice) => {
      // A later key press has moved on; its own outcome is the one to show.
      if (interaction.current.selected !== agentId) return;
      interaction.current = { ...interaction.current, ...(notice === undefined ? {} : { notice }) };
      redrawIfChanged();
    });
  };

  useEffect(() => {
    const stopPolling = startPolling({
      fetchStatus: props.fetchStatus,
      scheduler: props.scheduler ?? timerScheduler,
      now,
      intervalMs: props.pollIntervalMs ?? 1_000,
      onObservation: (latest) => {
        observation.current = latest;
        redrawIfChanged();
      },
    });
    stdout.on('resize', redrawIfChanged);
    return () => {
      stopPolling();
      stdout.off('resize', redrawIfChanged);
    };
    // Mounted once per dashboard: its inputs never change while it runs.
  }, []);

  useInput((input, key) => {
    if (input === 'q' || (key.ctrl && input === 'c')) {
      props.onClose?.();
      exit();
      return;
    }
    const rows = shownRows.current;
    const step = key.upArrow || input === 'k' ? -1 : key.downArrow || input === 'j' ? 1 : 0;
    if (step !== 0) {
      const selected = moveSelection(ids(rows), interaction.current.selected, step);
      interaction.current = { ...interaction.current, ...(selected === undefined ? {} : { selected }) };
      redrawIfChanged();
    } else if (key.return) {
      jumpTo(selectedIn(ids(rows), interaction.current.selected), false);
    } else if (input === 'n') {
      const order = attentionOrder(
        rows.map((row) => ({ agentId: row.agentId, state: row.agentState, label: row.label })),
      );
      const next = nextNeedingAttention(order, interaction.current.jumpedTo);
      if (next) jumpTo(next.agentId, true);
      else {
        interaction.current = { ...interaction.current, notice: 'no agent needs you' };
        redrawIfChanged();
      }
    }
  });

  const color = colorAllowed(stdout);
  return (
    <Box flexDirection="column">
      {lines.map((line, index) => (
        <Line key={index} line={line} color={color} />
      ))}
    </Box>
  );
}
