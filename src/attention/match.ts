// Which agent a name on the command line means, the way `replay` matches logs: an exact agent id
// or branch first, then a unique case-insensitive prefix, then a unique substring. Ambiguous and
// unknown names are one-line errors whose hint lists the agents.
import { PawError } from '../util/errors.js';

export interface NamedAgent {
  agentId: string;
  branch: string;
}

function namesOf(agent: NamedAgent): string[] {
  return [agent.agentId, agent.branch];
}

function listing(agents: readonly NamedAgent[]): string {
  return agents
    .map((agent) => (agent.branch === agent.agentId ? agent.agentId : `${agent.agentId} (${agent.branch})`))
    .join(', ');
}

/** The agent `query` names among `agents` (of `session`); a PawError when none or several do. */
export function matchAgent<T extends NamedAgent>(agents: readonly T[], query: string, session: string): T {
  const exact = agents.find((agent) => namesOf(agent).includes(query));
  if (exact) return exact;
  const needle = query.toLowerCase();
  const tiers: ((name: string) => boolean)[] = [
    (name) => name.startsWith(needle),
    (name) => name.includes(needle),
  ];
  for (const matches of needle === '' ? [] : tiers) {
    const candidates = agents.filter((agent) => namesOf(agent).some((name) => matches(name.toLowerCase())));
    if (candidates.length === 1 && candidates[0]) return candidates[0];
    if (candidates.length > 1) {
      throw new PawError(
        `'${query}' matches more than one agent of session '${session}': ${listing(candidates)}`,
        {
          hint: 'give more of the agent id or branch name',
        },
      );
    }
  }
  throw new PawError(`no agent matching '${query}' in session '${session}'`, {
    hint: `the agents are: ${listing(agents)}`,
  });
}
