// Taking the user to an agent from the command line (`git paw next`, `git paw jump`). Inside
// tmux the client running the command moves there (or the client named with `--client`, which
// the `[tmux] jump_key` binding passes); on a terminal outside tmux the pane is made current and
// the session attached; with no terminal the pane is made current and how to attach is printed.
import { resolveRepo } from '../git/repo.js';
import type { SessionState } from '../session/schema.js';
import { corruptStateError, findSession } from '../session/store.js';
import { attachModeFor, attachSession, currentAttachContext } from '../tmux/attach.js';
import { ensureTmuxInstalled, hasSession } from '../tmux/client.js';
import { PawError, TmuxError } from '../util/errors.js';
import type { CommandRunner, TerminalRunner } from '../util/exec.js';
import { say, warn } from '../util/output.js';
import { currentClient, focusAgent, type ClientView } from './focus.js';

export interface GoDeps {
  runner: CommandRunner;
  terminal: TerminalRunner;
}

/** The saved state of this repo's session, which must be running. */
export async function runningSession(runner: CommandRunner): Promise<SessionState> {
  const repo = await resolveRepo(runner);
  const lookup = findSession(repo);
  if (lookup.kind === 'corrupt') throw corruptStateError(lookup);
  if (lookup.kind === 'none') {
    throw new PawError('no git-paw session for this repo', { hint: 'start one with `git paw start`' });
  }
  ensureTmuxInstalled();
  if (!(await hasSession(runner, lookup.state.session_name))) {
    throw new PawError(`session '${lookup.state.session_name}' is not running`, {
      hint: '`git paw start` brings it back',
    });
  }
  return lookup.state;
}

/**
 * Where the user is: the client named `clientName`, else (inside tmux) the client this command
 * runs under; undefined outside tmux.
 */
export async function userClient(
  runner: CommandRunner,
  clientName: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ClientView | undefined> {
  if (clientName === undefined && !env.TMUX) return undefined;
  const client = await currentClient(runner, clientName);
  if (client === undefined && clientName !== undefined) {
    throw new TmuxError(`no tmux client called '${clientName}'`, { hint: '`tmux list-clients` lists them' });
  }
  return client;
}

/** Lines for the user: on stdout, or — for the key binding, which has no terminal — on the client's status line. */
export function teller(
  runner: CommandRunner,
  clientName: string | undefined,
): (line: string) => Promise<void> {
  if (clientName === undefined) return async (line) => say(line);
  return async (line) => {
    // display-message expands formats: a `#` in the text is written `##`.
    await runner.run('tmux', ['display-message', '-c', clientName, line.replaceAll('#', '##')]);
  };
}

/** Says that the states are unknown (no broker answer), where the user will see it. */
export async function sayStatesUnknown(
  reason: string,
  clientName: string | undefined,
  tell: (line: string) => Promise<void>,
): Promise<void> {
  const line = `${reason}: agent states are unknown, so every agent counts as not started`;
  if (clientName === undefined) warn(line);
  else await tell(line);
}

/** Brings the user to the pane of `agentId` in `session`. */
export async function goToAgent(
  deps: GoDeps,
  session: string,
  agentId: string,
  client: ClientView | undefined,
): Promise<void> {
  if (client !== undefined) {
    await focusAgent(deps.runner, session, agentId, client);
    return;
  }
  await focusAgent(deps.runner, session, agentId);
  const mode = attachModeFor(currentAttachContext(false));
  if (mode === 'print') say(`The pane of '${agentId}' is now the current pane of session '${session}'.`);
  await attachSession(deps, session, mode);
}
