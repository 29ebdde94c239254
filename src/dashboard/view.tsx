// The dashboard's Ink component: polls the broker through an injected fetcher, lays the screen
// out with the pure frame module, and re-renders only when the laid-out lines changed. `q` (or
// Ctrl+C) closes the view; the broker and the agents are separate processes and keep running.
import { Box, Text, useApp, useInput, useStdout } from 'ink';
import { useEffect, useRef, useState } from 'react';
import type { StatusFetcher } from './broker-status.js';
import { frameKey, layoutFrame, type FrameLine } from './frame.js';
import { startPolling, timerScheduler, type Observation, type Scheduler } from './poller.js';
import type { RosterAgent } from './rows.js';
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
}

const DEFAULT_SIZE = { columns: 80, rows: 24 };

function linesFor(
  props: DashboardViewProps,
  observation: Observation,
  now: number,
  size: { columns: number; rows: number },
): FrameLine[] {
  const { latest, outage } = observation;
  return layoutFrame({
    session: props.session,
    brokerUrl: props.brokerUrl,
    roster: props.roster,
    latest: latest && { status: latest.status, ageSeconds: (now - latest.at) / 1000 },
    outage: outage && { reason: outage.reason, seconds: (now - outage.since) / 1000 },
    columns: size.columns,
    rows: size.rows,
  });
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
  const [lines, setLines] = useState<FrameLine[]>(() => linesFor(props, {}, now(), sizeOf()));
  const shownKey = useRef(frameKey(lines));
  const observation = useRef<Observation>({});

  useEffect(() => {
    const redrawIfChanged = () => {
      const next = linesFor(props, observation.current, now(), sizeOf());
      const key = frameKey(next);
      if (key === shownKey.current) return;
      shownKey.current = key;
      setLines(next);
    };
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
