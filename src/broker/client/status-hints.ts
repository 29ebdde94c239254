// What `git paw status` adds under the agent table when an agent's CLI refused a flag git-paw
// passed it (a CLI version whose flags differ): which agent, the CLI's own words, and the switch
// that makes git-paw stop passing flags to that CLI.
import { INTEGRATION_FAILED } from '../../agents/screen.js';

/** The members of a `/status` agent these lines read. */
export interface AgentStateFields {
  agent_id: string;
  cli?: string | null;
  state?: string | null;
  state_detail?: string | null;
}

function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- terminal control characters must not reach the screen
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
}

/** A TOML key: bare when it can be, else a quoted string (JSON string syntax is valid TOML). */
function tomlKey(name: string): string {
  return /^[A-Za-z0-9_-]+$/.test(name) ? name : JSON.stringify(name);
}

/**
 * One line per agent whose integration failed, then one hint per CLI concerned (none when every
 * CLI took its flags).
 */
export function integrationFailureLines(agents: readonly AgentStateFields[]): string[] {
  const failed = agents.filter(
    (agent) => agent.state === 'exited' && (agent.state_detail ?? '').startsWith(INTEGRATION_FAILED),
  );
  const lines = failed.map((agent) => {
    const refusal = (agent.state_detail ?? '').slice(INTEGRATION_FAILED.length);
    const cli = oneLine(agent.cli ?? '') || 'its CLI';
    return `${oneLine(agent.agent_id)}: integration failed, ${cli} refused a flag git-paw passed: ${oneLine(refusal)}`;
  });
  const clis = new Set(failed.map((agent) => agent.cli ?? '').filter((cli) => cli !== ''));
  for (const cli of clis) {
    lines.push(`hint: set [clis.${oneLine(tomlKey(cli))}] integrate = false in .git-paw/config.toml`);
  }
  return lines;
}
