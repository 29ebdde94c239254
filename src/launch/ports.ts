// Each agent's block of ports (`[ports]`) for a launch or a recovery, found before anything is
// created. Left out: the ports other saved sessions recorded (their agents' blocks and brokers),
// the blocks of this session's other agents, this session's broker port, and every port
// something already listens on.
import { busyPorts } from '../bootstrap/port-probe.js';
import { allocatePortBlocks } from '../bootstrap/ports.js';
import type { PortSettings } from '../config/effective.js';
import type { SessionState } from '../session/schema.js';
import { portsOfOtherSessions } from '../session/store.js';
import { warn } from '../util/output.js';
import type { LaunchContext } from './types.js';

function allocate(
  ctx: LaunchContext,
  sessionName: string,
  settings: PortSettings,
  count: number,
  taken: Iterable<number>,
): Promise<number[][]> {
  const reserved = new Set([...portsOfOtherSessions(sessionName, ctx.env), ...taken]);
  return allocatePortBlocks(settings, count, reserved, busyPorts);
}

/** One block per agent of a fresh launch, in agent order; undefined without `[ports]`. */
export async function portBlocksForLaunch(
  ctx: LaunchContext,
  sessionName: string,
  agents: number,
  settings: PortSettings | undefined,
  brokerPort: number | undefined,
): Promise<number[][] | undefined> {
  if (settings === undefined) return undefined;
  return allocate(ctx, sessionName, settings, agents, brokerPort === undefined ? [] : [brokerPort]);
}

/** Says which recorded ports something else listens on now; their agents keep them anyway. */
async function warnAboutTakenPorts(state: SessionState): Promise<void> {
  const recorded = state.worktrees.flatMap((entry) => entry.ports ?? []);
  if (recorded.length === 0) return;
  const busy = await busyPorts(recorded);
  for (const entry of state.worktrees) {
    const taken = (entry.ports ?? []).filter((port) => busy.has(port));
    if (taken.length === 0) continue;
    const what = taken.length === 1 ? `port ${taken[0]} is` : `ports ${taken.join(', ')} are`;
    warn(
      `${what} in use by another program; '${entry.branch}' keeps its ports, but a server there may not start`,
    );
  }
}

/**
 * A recovered session's worktrees: each keeps the ports it recorded, whatever the config says
 * now (with a warning for those something else listens on); with `[ports]` set, one that recorded
 * none (an older state file, or `[ports]` added since) gets a block.
 */
export async function withRecoveredPorts(
  ctx: LaunchContext,
  state: SessionState,
  settings: PortSettings | undefined,
  brokerPort: number | undefined,
): Promise<SessionState> {
  await warnAboutTakenPorts(state);
  const lacking = state.worktrees.filter((entry) => entry.ports === undefined);
  if (settings === undefined || lacking.length === 0) return state;
  const recorded = state.worktrees.flatMap((entry) => entry.ports ?? []);
  const taken = brokerPort === undefined ? recorded : [...recorded, brokerPort];
  const blocks = await allocate(ctx, state.session_name, settings, lacking.length, taken);
  let next = 0;
  return {
    ...state,
    worktrees: state.worktrees.map((entry) =>
      entry.ports === undefined ? { ...entry, ports: blocks[next++] } : entry,
    ),
  };
}
