// The attention side's only contact with tmux, from the broker's server process: the session
// status line (a session user option that the session's `status-right` shows, set up once so
// the user's own `status-right` stays), the state icon in each agent pane's `@paw_label`, and
// what a notification needs (the attached clients, where each looks, a message on each). Talks
// to the tmux server the broker runs under (the TMUX variable) and to its own session only.
import type { CommandRunner } from '../util/exec.js';
import type { TmuxLocation } from '../broker/watcher.js';

/** The session option holding the status line text. */
export const STATUS_OPTION = '@paw_status';

/** A client attached to the session. */
export interface SessionClient {
  name: string;
  tty: string;
  /** The active pane of the window the client shows. */
  paneId: string;
  /** What tmux learnt of the terminal, e.g. `iTerm2 3.4.19` ('' when unknown). */
  termType: string;
}

/** An agent pane: its id, agent and current label. */
export interface AgentPane {
  paneId: string;
  agentId: string;
  label: string;
}

export interface AttentionTmux {
  /** Makes the session's `status-right` show STATUS_OPTION before the user's own content. */
  setUpStatusLine(): Promise<void>;
  /** The session's agent panes. */
  agentPanes(): Promise<AgentPane[]>;
  /** Sets the status text and the labels given (pane id → label) in one invocation. */
  write(status: string, labels: ReadonlyMap<string, string>): Promise<void>;
  clients(): Promise<SessionClient[]>;
  /** Shows `text` on each client's status line (and in its message log). */
  display(clients: readonly string[], text: string): Promise<void>;
}

/**
 * Text tmux shows as written: format and time escapes doubled, and no `;` at the end (where tmux
 * would take it for a command separator).
 */
export function literalText(text: string): string {
  return text.replace(/#/g, '##').replace(/%/g, '%%').replace(/;$/, '; ');
}

/** The session's `status-right`: the status text and a separator when there is some, then `own`. */
export function statusRightOf(own: string): string {
  return `#{?${STATUS_OPTION},#{${STATUS_OPTION}} │ ,}${own}`;
}

/** Room added to the status-right length for the counts. */
const STATUS_ROOM = 60;

export function tmuxAttention(runner: CommandRunner, location: TmuxLocation, session: string): AttentionTmux {
  const target = `=${session}`;
  // set-option takes a pane target, which names a session exactly only in the `=name:` form.
  const optionTarget = `=${session}:`;
  const tmux = async (args: string[]): Promise<string> => {
    const result = await runner.run('tmux', ['-S', location.socketPath, ...args]);
    if (result.code !== 0) throw new Error(result.stderr.trim() || `tmux ${args[0] ?? ''} failed`);
    return result.stdout;
  };
  return {
    async setUpStatusLine() {
      const out = await tmux([
        'show-options', '-gv', 'status-right', ';', 'show-options', '-gv', 'status-right-length',
      ]); // prettier-ignore
      const [own = '', length = '40'] = out.split('\n');
      await tmux([
        'set-option', '-t', optionTarget, 'status-right', statusRightOf(own),
        ';', 'set-option', '-t', optionTarget, 'status-right-length', String((Number(length) || 40) + STATUS_ROOM),
      ]); // prettier-ignore
    },
    async agentPanes() {
      const out = await tmux([
        'list-panes',
        '-s',
        '-t',
        target,
        '-F',
        '#{pane_id}\t#{@paw_agent}\t#{@paw_label}',
      ]);
      return out
        .split('\n')
        .map((line) => line.split('\t'))
        .filter(([paneId = '', agentId = '']) => paneId.startsWith('%') && agentId !== '')
        .map(([paneId = '', agentId = '', ...label]) => ({ paneId, agentId, label: label.join('\t') }));
    },
    async write(status, labels) {
      const args = ['set-option', '-t', optionTarget, STATUS_OPTION, status];
      for (const [paneId, label] of labels)
        args.push(';', 'set-option', '-p', '-t', paneId, '@paw_label', label);
      await tmux(args);
    },
    async clients() {
      const out = await tmux([
        'list-clients', '-t', target, '-F', '#{client_name}\t#{client_tty}\t#{pane_id}\t#{client_termtype}',
      ]); // prettier-ignore
      return out
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => {
          const [name = '', tty = '', paneId = '', termType = ''] = line.split('\t');
          return { name, tty, paneId, termType };
        });
    },
    async display(clients, text) {
      if (clients.length === 0) return;
      const args: string[] = [];
      for (const client of clients)
        args.push(...(args.length ? [';'] : []), 'display-message', '-c', client, literalText(text));
      await tmux(args);
    },
  };
}
