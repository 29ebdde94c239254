// How many agents are in each state, counted once for every view that shows it: `git paw
// status`, the dashboard header and the tmux status line. Counts every observed state (so each
// agent counts somewhere) and, apart from them, the labels agents report about themselves
// (`done`, `blocked`). Also the icon of each state, shared by the dashboard and the pane labels.
// Pure.
import { AGENT_STATES, type AgentState } from '../agents/state.js';

/** The labels an agent reports about itself that are counted (`verified` counts as done). */
export type ReportedKind = 'done' | 'blocked';

/** `done` for `done`/`verified`, `blocked` for `blocked`, undefined for anything else. */
export function reportedKindOf(label: string | null | undefined): ReportedKind | undefined {
  if (label === 'done' || label === 'verified') return 'done';
  if (label === 'blocked') return 'blocked';
  return undefined;
}

/** What one agent contributes to the counts. */
export interface CountedAgent {
  state: AgentState;
  /** The label the agent last reported (null when it never did). */
  reported: string | null | undefined;
}

export interface AgentCounts {
  total: number;
  states: Record<AgentState, number>;
  reported: Record<ReportedKind, number>;
}

export function countAgents(agents: readonly CountedAgent[]): AgentCounts {
  const states = Object.fromEntries(AGENT_STATES.map((state) => [state, 0])) as Record<AgentState, number>;
  const reported: Record<ReportedKind, number> = { done: 0, blocked: 0 };
  for (const agent of agents) {
    states[agent.state] += 1;
    const kind = reportedKindOf(agent.reported);
    if (kind) reported[kind] += 1;
  }
  return { total: agents.length, states, reported };
}

/**
 * One icon per observed state. The dashboard's text-width code measures each as the terminal
 * draws it (`⚙`, `✖` and `⏹` take one column, the others two), so its columns stay aligned.
 */
export const STATE_ICONS: Record<AgentState, string> = {
  working: '⚙',
  waiting: '⏳',
  idle: '💤',
  error: '✖',
  exited: '⏹',
  not_started: '⚪',
};

const REPORTED_ICONS: Record<ReportedKind, string> = { done: '✓', blocked: '✋' };

/** How a state is written for people: `not started` rather than `not_started`. */
export function stateLabel(state: AgentState): string {
  return state === 'not_started' ? 'not started' : state;
}

/** `1 working, 1 waiting, 2 not started`: every observed state some agent is in, in a fixed order. */
export function stateCountsText(counts: AgentCounts): string {
  return AGENT_STATES.filter((state) => counts.states[state] > 0)
    .map((state) => `${counts.states[state]} ${stateLabel(state)}`)
    .join(', ');
}

/** `1 done, 1 blocked` from the labels the agents reported; '' when none reported either. */
export function reportedCountsText(counts: AgentCounts): string {
  const { done, blocked } = counts.reported;
  return done + blocked === 0 ? '' : `${done} done, ${blocked} blocked`;
}

/**
 * The tmux status line: only what asks for the user or tells progress, the most urgent first,
 * e.g. `⏳ 2 waiting · ✖ 1 error · ✓ 3 done`; '' when no agent is in any of them.
 */
export function statusLineText(counts: AgentCounts): string {
  const parts: string[] = [];
  const add = (icon: string, count: number, label: string) => {
    if (count > 0) parts.push(`${icon} ${count} ${label}`);
  };
  add(STATE_ICONS.waiting, counts.states.waiting, 'waiting');
  add(STATE_ICONS.error, counts.states.error, 'error');
  add(REPORTED_ICONS.blocked, counts.reported.blocked, 'blocked');
  add(STATE_ICONS.working, counts.states.working, 'working');
  add(REPORTED_ICONS.done, counts.reported.done, 'done');
  return parts.join(' · ');
}
