// `git paw next [--client NAME]`: go to the agent that most needs the human (waiting, then error,
// blocked, finished), the one after it when the user is already there; `no agent needs you`
// (exit 0) when none does.
import { readSessionAgents } from '../attention/agents.js';
import { goToAgent, runningSession, sayStatesUnknown, teller, userClient } from '../attention/go.js';
import { attentionOrder, nextNeedingAttention } from '../attention/order.js';
import { systemRunner, systemTerminalRunner } from '../util/exec.js';

export async function runNext(flags: { client?: string }): Promise<void> {
  const runner = systemRunner;
  const state = await runningSession(runner);
  const tell = teller(runner, flags.client);
  const { agents, unknownBecause } = await readSessionAgents(state);
  if (unknownBecause !== undefined) await sayStatesUnknown(unknownBecause, flags.client, tell);
  const client = await userClient(runner, flags.client);
  const here = client?.session === state.session_name ? client.agentId : undefined;
  const next = nextNeedingAttention(attentionOrder(agents), here);
  if (next === undefined) {
    await tell('no agent needs you');
    return;
  }
  await goToAgent({ runner, terminal: systemTerminalRunner }, state.session_name, next.agentId, client);
}
