// The session's agents as `next` and `jump` see them: the roster from the saved state, each with
// the state and label the broker's `/status` gives. With the broker off or not answering, every
// agent counts as not started — so `next` finds no one — and the reason is returned for the
// caller to say.
import { isAgentState, type AgentState } from '../agents/state.js';
import { brokerUrl, isSessionBroker, probeBroker, type BrokerStatusAgent } from '../broker/client.js';
import { agentIdOf } from '../git/names.js';
import { brokerTargetOf } from '../session/broker-target.js';
import type { SessionState } from '../session/schema.js';
import type { NamedAgent } from './match.js';

export interface SessionAgent extends NamedAgent {
  state: AgentState;
  label: string | undefined;
}

export interface SessionAgents {
  agents: SessionAgent[];
  /** Why the agents' states are unknown (no broker, or it does not answer); undefined when known. */
  unknownBecause?: string;
}

/** The session's agents in roster order: id and branch. */
export function rosterOf(state: SessionState): NamedAgent[] {
  return state.worktrees.map((worktree) => ({
    agentId: agentIdOf(worktree.branch),
    branch: worktree.branch,
  }));
}

/** The roster with each agent's state from `reported` (a missing agent: not started). */
export function withStates(state: SessionState, reported: readonly BrokerStatusAgent[]): SessionAgent[] {
  const byId = new Map(reported.map((agent) => [agent.agent_id, agent]));
  return rosterOf(state).map(({ agentId, branch }) => {
    const agent = byId.get(agentId);
    return {
      agentId,
      branch,
      // A broker too old to report states says nothing: not started.
      state: isAgentState(agent?.state) ? agent.state : 'not_started',
      label: agent?.status ?? undefined,
    };
  });
}

/** Reads the agents of `state` and, from its broker, their states. */
export async function readSessionAgents(state: SessionState): Promise<SessionAgents> {
  const target = brokerTargetOf(state);
  if (target === undefined) {
    return { agents: withStates(state, []), unknownBecause: 'the session runs without a broker' };
  }
  const url = brokerUrl(target.bind, target.port);
  const probe = await probeBroker(url, { timeoutMs: 1_000 });
  if (!isSessionBroker(probe, { session: state.session_name, repoPath: state.repo_path })) {
    return { agents: withStates(state, []), unknownBecause: `the broker at ${url} does not answer` };
  }
  return { agents: withStates(state, probe.status.agents) };
}
