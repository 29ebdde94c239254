// `git paw jump <agent|branch>`: go to that agent's pane; the name matches as in `replay`.
import { rosterOf } from '../attention/agents.js';
import { goToAgent, runningSession, userClient } from '../attention/go.js';
import { matchAgent } from '../attention/match.js';
import { systemRunner, systemTerminalRunner } from '../util/exec.js';

export async function runJump(target: string, flags: { client?: string }): Promise<void> {
  const runner = systemRunner;
  const state = await runningSession(runner);
  // Only the names are needed: no broker request.
  const agent = matchAgent(rosterOf(state), target, state.session_name);
  const client = await userClient(runner, flags.client);
  await goToAgent({ runner, terminal: systemTerminalRunner }, state.session_name, agent.agentId, client);
}
