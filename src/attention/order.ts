// "Who needs me most": the attention order of a session's agents, shared by the dashboard,
// `git paw next` and `git paw jump`. Pure: agents in roster order with their observed state and
// self-reported label in, groups and an order out. An agent waiting for an answer comes first,
// then errors, then agents that reported being blocked, then finished ones, then busy ones, then
// those that never started; within a group the roster order holds, so the order only changes
// when some agent changes group.
import type { AgentState } from '../agents/state.js';

export const ATTENTION_GROUPS = [
  'waiting',
  'error',
  'blocked',
  'finished',
  'working',
  'not_started',
] as const;
export type AttentionGroup = (typeof ATTENTION_GROUPS)[number];

/** The groups that mean "the human is needed": `next` and the dashboard's `n` go only there. */
const NEEDS_YOU: ReadonlySet<AttentionGroup> = new Set(['waiting', 'error', 'blocked', 'finished']);

/** What the order needs to know about one agent. */
export interface AttentionInput {
  agentId: string;
  state: AgentState;
  /** The label the agent last reported about itself (`working`, `blocked`, `done`, …), if any. */
  label?: string | null | undefined;
}

function groupOfState(state: AgentState): AttentionGroup {
  switch (state) {
    case 'waiting':
    case 'error':
    case 'working':
    case 'not_started':
      return state;
    // A CLI that quit has nothing more to do until the human looks, like one that finished.
    case 'idle':
    case 'exited':
      return 'finished';
  }
}

function groupOfLabel(label: string | null | undefined): AttentionGroup | undefined {
  if (label === 'blocked') return 'blocked';
  if (label === 'done' || label === 'verified') return 'finished';
  return undefined;
}

/**
 * The more urgent of what was observed and what the agent said: a CLI seen working whose agent
 * reported `blocked` is blocked; one waiting on a dialog is waiting whatever it last reported.
 */
export function attentionGroup(agent: AttentionInput): AttentionGroup {
  const observed = groupOfState(agent.state);
  const reported = groupOfLabel(agent.label);
  if (reported === undefined) return observed;
  return rank(reported) < rank(observed) ? reported : observed;
}

export function needsAttention(group: AttentionGroup): boolean {
  return NEEDS_YOU.has(group);
}

export interface Ranked {
  agentId: string;
  group: AttentionGroup;
}

function rank(group: AttentionGroup): number {
  return ATTENTION_GROUPS.indexOf(group);
}

/** `items` (in roster order) sorted by group; the sort is stable, so roster order holds inside each. */
export function sortByAttention<T>(items: readonly T[], inputOf: (item: T) => AttentionInput): T[] {
  return items
    .map((item) => ({ item, rank: rank(attentionGroup(inputOf(item))) }))
    .sort((a, b) => a.rank - b.rank)
    .map(({ item }) => item);
}

/** The agents (given in roster order) in attention order, each with its group. */
export function attentionOrder(agents: readonly AttentionInput[]): Ranked[] {
  return sortByAttention(agents, (agent) => agent).map((agent) => ({
    agentId: agent.agentId,
    group: attentionGroup(agent),
  }));
}

/**
 * The agent to go to next: the first one that needs the human, or — when `current` (the agent the
 * user is at now) is one of those — the one after it, wrapping, so repeated presses visit each
 * agent that needs the human in turn. Undefined when none does.
 */
export function nextNeedingAttention(order: readonly Ranked[], current?: string): Ranked | undefined {
  const needy = order.filter((entry) => needsAttention(entry.group));
  const at = needy.findIndex((entry) => entry.agentId === current);
  return at === -1 ? needy[0] : needy[(at + 1) % needy.length];
}
