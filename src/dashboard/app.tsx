// Runs the dashboard view in the real terminal: alternate screen while it is shown, `q` closes it
// and says how to reopen it, and a terminal that goes away (SIGHUP, end of input, EIO) ends it
// quietly. Loaded only by `git paw dashboard` (Ink costs ~0.4 s to import).
import { render } from 'ink';
import { currentClient, focusAgent } from '../attention/focus.js';
import { systemRunner } from '../util/exec.js';
import { shellQuote } from '../util/shell.js';
import { httpStatusFetcher } from './broker-status.js';
import type { RosterAgent } from './rows.js';
import { DashboardView } from './view.js';

export interface DashboardOptions {
  session: string;
  brokerUrl: string;
  roster: readonly RosterAgent[];
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
}

/** How the dashboard ended: the user closed it, or its terminal went away. */
export type DashboardEnd = 'closed' | 'terminal-lost';

export const CLOSED_MESSAGE =
  'Dashboard closed; the broker and agents keep running. Reopen with: git paw dashboard';

const ENTER_ALTERNATE_SCREEN = '\u001b[?1049h';
const LEAVE_ALTERNATE_SCREEN = '\u001b[?1049l';

/**
 * Enter and `n`: inside tmux the client showing this dashboard moves to the agent's pane (switched
 * over first when it shows another session); outside tmux the pane becomes the session's current
 * one and the line returned says how to get there.
 */
function dashboardJump(session: string, env: NodeJS.ProcessEnv = process.env) {
  return async (agentId: string): Promise<string | undefined> => {
    try {
      const client = env.TMUX ? await currentClient(systemRunner) : undefined;
      await focusAgent(systemRunner, session, agentId, client);
      return client
        ? undefined
        : `${agentId} is the current pane; attach with: tmux attach -t ${shellQuote(session)}`;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  };
}

/** Shows the dashboard until the user closes it or the terminal goes away. */
export async function showDashboard(options: DashboardOptions): Promise<DashboardEnd> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  let end: DashboardEnd = 'closed';

  stdout.write(ENTER_ALTERNATE_SCREEN);
  const instance = render(
    <DashboardView
      session={options.session}
      brokerUrl={options.brokerUrl}
      roster={options.roster}
      fetchStatus={httpStatusFetcher(options.brokerUrl, options.session)}
      jump={dashboardJump(options.session)}
    />,
    { stdin, stdout, exitOnCtrlC: false, patchConsole: false },
  );

  const terminalLost = () => {
    end = 'terminal-lost';
    instance.unmount();
  };
  // Writes to a vanished terminal fail with EIO/EPIPE: they must end the view, not crash it.
  const ignore = () => undefined;
  process.once('SIGHUP', terminalLost);
  stdin.once('end', terminalLost);
  stdin.on('error', terminalLost);
  stdout.on('error', terminalLost);

  try {
    await instance.waitUntilExit();
  } finally {
    process.off('SIGHUP', terminalLost);
    stdin.off('end', terminalLost);
    stdin.off('error', terminalLost);
    stdout.off('error', terminalLost);
    stdin.on('error', ignore);
    stdout.on('error', ignore);
    stdout.write(LEAVE_ALTERNATE_SCREEN);
  }
  if (end === 'closed') stdout.write(`${CLOSED_MESSAGE}\n`);
  return end;
}
