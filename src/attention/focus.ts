// Bringing the user to an agent's pane, shared by the dashboard's Enter and `n`, `git paw next`
// and `git paw jump`. The pane is found by its `@paw_agent` option (set at launch), never by
// index. The move itself is data first (`focusArgs`), then one tmux invocation: the pane becomes
// the active pane of its window and that window the current one of its session — which is all a
// client already showing the session needs — and a client showing another session is switched
// to it.
import { TmuxError } from '../util/errors.js';
import type { CommandRunner } from '../util/exec.js';

/** One agent pane of a session. */
export interface AgentPane {
  agentId: string;
  paneId: string;
  windowId: string;
}

/** A tmux client: its name (for `-c`), the session it shows and the agent of its active pane. */
export interface ClientView {
  name: string;
  session: string;
  /** `@paw_agent` of the pane the client is looking at; '' for a pane without an agent. */
  agentId: string;
}

export const AGENT_PANES_FORMAT = '#{pane_id}\t#{window_id}\t#{@paw_agent}';
export const CLIENT_FORMAT = '#{client_name}\t#{session_name}\t#{@paw_agent}';

/** The agent panes in a `list-panes -F AGENT_PANES_FORMAT` answer (panes without an agent left out). */
export function parseAgentPanes(listing: string): AgentPane[] {
  return listing
    .split('\n')
    .map((line) => line.split('\t'))
    .filter((fields) => fields.length === 3 && fields[2] !== '')
    .map(([paneId = '', windowId = '', agentId = '']) => ({ agentId, paneId, windowId }));
}

/** The client in a `display-message -p CLIENT_FORMAT` answer; undefined when there is none. */
export function parseClient(answer: string): ClientView | undefined {
  const [name = '', session = '', agentId = ''] = answer.replace(/\n$/, '').split('\t');
  return name === '' || session === '' ? undefined : { name, session, agentId };
}

/**
 * The argv of the one tmux invocation that brings `client` (when given) to `pane` of `session`.
 * Without a client (a dashboard or command outside tmux) the pane is made current in its session,
 * so whoever attaches next lands on it.
 */
export function focusArgs(session: string, pane: AgentPane, client?: ClientView): string[] {
  const args = ['select-window', '-t', pane.windowId, ';', 'select-pane', '-t', pane.paneId];
  if (client && client.session !== session)
    args.push(';', 'switch-client', '-c', client.name, '-t', `=${session}`);
  return args;
}

async function tmux(
  runner: CommandRunner,
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    return await runner.run('tmux', args);
  } catch (error) {
    throw new TmuxError(`failed to run tmux: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Every agent pane of the running session `session` (empty when it does not run). */
export async function agentPanes(runner: CommandRunner, session: string): Promise<AgentPane[]> {
  const result = await tmux(runner, ['list-panes', '-s', '-t', `=${session}:`, '-F', AGENT_PANES_FORMAT]);
  return result.code === 0 ? parseAgentPanes(result.stdout) : [];
}

/**
 * The client this process runs under (from inside tmux), or the client called `name`; undefined
 * when there is none (outside tmux, or a background job with no client).
 */
export async function currentClient(runner: CommandRunner, name?: string): Promise<ClientView | undefined> {
  const result = await tmux(runner, [
    'display-message',
    '-p',
    ...(name === undefined ? [] : ['-c', name]),
    CLIENT_FORMAT,
  ]);
  return result.code === 0 ? parseClient(result.stdout) : undefined;
}

/** Brings `client` (or, without one, the session itself) to the pane of `agentId`. */
export async function focusAgent(
  runner: CommandRunner,
  session: string,
  agentId: string,
  client?: ClientView,
): Promise<void> {
  const pane = (await agentPanes(runner, session)).find((entry) => entry.agentId === agentId);
  if (pane === undefined) {
    throw new TmuxError(`agent '${agentId}' has no pane in session '${session}'`, {
      hint: 'its pane may have been closed; `git paw stop` then `git paw start` brings every pane back',
    });
  }
  const result = await tmux(runner, focusArgs(session, pane, client));
  if (result.code !== 0) {
    throw new TmuxError(
      `cannot go to the pane of '${agentId}': ${result.stderr.trim() || `tmux exited with status ${result.code}`}`,
    );
  }
}
