// Each agent's own block of ports from `[ports] range`: blocks of `perAgent` consecutive ports
// aligned at the range's first port (first + k·perAgent), handed out in range order. A block with
// a port reserved (recorded for another agent) or found in use is skipped. Pure apart from the
// probe it is given (bootstrap/port-probe in a launch), plus the pane variables and the labels
// that show a block.
import type { PortSettings } from '../config/effective.js';
import { ConfigError, PortError } from '../util/errors.js';

/** The ports among `ports` that something already uses. */
export type PortProbe = (ports: readonly number[]) => Promise<ReadonlySet<number>>;

/** Blocks probed beyond the ones still needed, so one busy block rarely costs a second round. */
const SPARE_BLOCKS = 2;

function rangeText(settings: PortSettings): string {
  return `${settings.first}-${settings.last}`;
}

/** Config error when the range cannot hold `agents` blocks even with every port free. */
function checkRangeHolds(settings: PortSettings, agents: number): void {
  const size = settings.last - settings.first + 1;
  const needed = agents * settings.perAgent;
  if (needed <= size) return;
  throw new ConfigError(
    `[ports] range = "${rangeText(settings)}" holds ${size} ports, but ${agents} agents with per_agent = ${settings.perAgent} need ${needed}`,
    { hint: 'widen `range` under [ports], or lower `per_agent`' },
  );
}

/** The range's blocks in order, leaving out those with a reserved port. */
function* unreservedBlocks(settings: PortSettings, reserved: ReadonlySet<number>): Generator<number[]> {
  const { first, last, perAgent } = settings;
  for (let start = first; start + perAgent - 1 <= last; start += perAgent) {
    const block = Array.from({ length: perAgent }, (_, offset) => start + offset);
    if (!block.some((port) => reserved.has(port))) yield block;
  }
}

/**
 * `count` blocks of `settings.perAgent` ports, the first free ones in range order. Only a few
 * blocks beyond those still needed are probed per round, all their ports at once. Throws a
 * ConfigError when the range is too small and a PortError when too few blocks are free.
 */
export async function allocatePortBlocks(
  settings: PortSettings,
  count: number,
  reserved: ReadonlySet<number>,
  probe: PortProbe,
): Promise<number[][]> {
  if (count === 0) return [];
  checkRangeHolds(settings, count);
  const candidates = unreservedBlocks(settings, reserved);
  const chosen: number[][] = [];
  let exhausted = false;
  while (chosen.length < count && !exhausted) {
    const batch: number[][] = [];
    while (batch.length < count - chosen.length + SPARE_BLOCKS) {
      const next = candidates.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      batch.push(next.value);
    }
    const busy = batch.length === 0 ? new Set<number>() : await probe(batch.flat());
    for (const block of batch) {
      if (chosen.length < count && !block.some((port) => busy.has(port))) chosen.push(block);
    }
  }
  if (chosen.length < count) {
    const size = settings.perAgent === 1 ? 'a free port' : `a free block of ${settings.perAgent} ports`;
    throw new PortError(
      `only ${chosen.length} of ${count} agents can get ${size} in [ports] range ${rangeText(settings)}; the other ports are in use or taken by other agents`,
      { hint: 'stop what holds those ports, widen `range` under [ports], or lower `per_agent`' },
    );
  }
  return chosen;
}

/** An agent pane's port variables: PORT is the block's first port, GIT_PAW_PORT_<i> each one. */
export function portEnv(ports: readonly number[]): Record<string, string> {
  const env: Record<string, string> = {};
  if (ports.length > 0) env.PORT = String(ports[0]);
  ports.forEach((port, index) => (env[`GIT_PAW_PORT_${index}`] = String(port)));
  return env;
}

/** `3100`, or `3100-3109` for a block of several ports. */
export function portSpan(ports: readonly number[]): string {
  const first = ports[0];
  const last = ports.at(-1);
  return first === last ? String(first) : `${first}-${last}`;
}

/** `port 3100`, or `ports 3100-3109`. */
function portsLabel(ports: readonly number[]): string {
  return `${ports.length === 1 ? 'port' : 'ports'} ${portSpan(ports)}`;
}

/** ` · ports 3100-3109` after an agent's line (dry run, status); empty when it has no ports. */
export function portsSuffix(ports: readonly number[] | undefined): string {
  return ports && ports.length > 0 ? ` · ${portsLabel(ports)}` : '';
}
