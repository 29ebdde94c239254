// The broker's share of bringing a session up: dashboard pane 0, the hidden broker window and the
// session environment in the tmux plan, the rendered skill of each worktree, the removal of the
// broker's files on rollback, and the wait until the broker answers. Loaded by bring-up only for
// sessions with a broker, so a launch without one never loads the broker client.
import { adapterFor } from '../agents/adapters/index.js';
import { agentToken } from '../broker/auth.js';
import { BROKER_TOKEN_ENV } from '../broker/config.js';
import { waitForBroker, type BrokerPlan } from '../broker/client/session.js';
import type { SessionState } from '../session/schema.js';
import { windowText } from '../tmux/client.js';
import type { SessionPlan } from '../tmux/plan.js';
import type { CommandRunner } from '../util/exec.js';
import { BrokerError } from '../util/errors.js';
import { brokerWindow, dashboardPane, registerBrokerRollback, skillTextFor } from './broker.js';
import type { LaunchBrokerSettings } from './types.js';

export { registerBrokerRollback, waitForBroker };

/**
 * A broker that did not answer in time, with what its window last printed as the hint: the
 * rollback that follows closes the window, so this is the user's only look at it.
 */
export async function withBrokerOutput(
  runner: CommandRunner,
  session: string,
  error: unknown,
): Promise<unknown> {
  if (!(error instanceof BrokerError)) return error;
  const lines = (await windowText(runner, session, 'broker'))
    ?.split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  // The line that says what went wrong, rather than a restart notice or a version trailer.
  const last = lines?.findLast((line) => /error/i.test(line)) ?? lines?.at(-1);
  if (last === undefined) return error;
  return new BrokerError(error.detail, { hint: `the broker's window last printed: ${last}` });
}

/**
 * The agents' plan with the dashboard first (pane 0), the broker's window and the broker variables
 * on the session. Each agent's pane gets its own token in place of the session's. That pane
 * variable reaches tmux on a command line (`split-window -e`), unlike the session token: an agent
 * token lets its holder act only as that one agent, so it is far less worth stealing.
 */
export function withBrokerLayout(agentsPlan: SessionPlan, repoRoot: string, broker: BrokerPlan): SessionPlan {
  const { token } = broker;
  const panes = agentsPlan.panes.map((pane) =>
    token === null || pane.agentId === undefined
      ? pane
      : { ...pane, env: { ...pane.env, [BROKER_TOKEN_ENV]: agentToken(token, pane.agentId) } },
  );
  return {
    ...agentsPlan,
    env: broker.sessionEnv,
    panes: [dashboardPane(repoRoot), ...panes],
    windows: [brokerWindow(broker)],
  };
}

/** The rendered skill of every worktree, in worktree order (so placeholder warnings come out in that order). */
export function skillTexts(
  settings: LaunchBrokerSettings,
  broker: BrokerPlan,
  state: SessionState,
  plainClis: readonly string[] = [],
): string[] {
  return state.worktrees.map((entry) =>
    skillTextFor(settings, broker, entry.branch, !plainClis.includes(entry.cli) && adapterFor(entry.cli).mcp),
  );
}
