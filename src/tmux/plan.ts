// The session plan: pure data describing a tmux session (panes, labels, env, logging pipes), and
// its translation into argv for two tmux invocations with commands chained by `;` arguments:
//   1. create the session and every pane (printing their pane ids), set options and layout;
//   2. per pane (addressed by `%id`, never by index): label, log pipe, then type the command.
// Splitting in two is what lets step 2 target pane ids, so `base-index`/`pane-base-index` in the
// user's tmux.conf cannot matter; the process count stays constant whatever the pane count.
import { shellQuote } from '../util/shell.js';

export interface PanePlan {
  /** Start directory (passed with `-c`, never typed as `cd`). */
  cwd: string;
  /** Border label, kept in the pane option `@paw_label` so title escapes cannot replace it. */
  label: string;
  /** Shell text typed into the pane's shell (already shell-quoted by its producer). */
  command: string;
  /** Variables only this pane gets (e.g. GIT_PAW_AGENT_ID). */
  env: Record<string, string>;
  /** Absolute log file; when set, output is piped there before the command is typed. */
  logPath?: string;
}

export interface SessionPlan {
  name: string;
  mouse: boolean;
  /** Variables every pane of the session gets, including panes the user opens later. */
  env: Record<string, string>;
  /** In layout order; at least one. */
  panes: PanePlan[];
}

/** Size of a detached session, so headless launches tile properly before any client attaches. */
export const DETACHED_SIZE = { width: 200, height: 50 } as const;

/** The `pane-border-format` that shows the label (one space each side, as upstream's title). */
export const BORDER_FORMAT = ' #{@paw_label} ';

const SEPARATOR = ';';

/**
 * tmux ends a command at any argument ending in `;`; a literal trailing `;` is written `\;`.
 * (tmux turns a trailing `\;` back into `;`, so an argument already ending in `\;` gets one more
 * backslash and still reads back verbatim.)
 */
export function escapeArgument(arg: string): string {
  return arg.endsWith(';') ? `${arg.slice(0, -1)}\\;` : arg;
}

/** tmux expands formats in `-c` directories and pipe-pane commands: `#` must be written `##`. */
export function escapeFormat(text: string): string {
  return text.replaceAll('#', '##');
}

function chain(commands: readonly string[][]): string[] {
  const argv: string[] = [];
  commands.forEach((command, index) => {
    if (index > 0) argv.push(SEPARATOR);
    argv.push(...command.map(escapeArgument));
  });
  return argv;
}

function envFlags(env: Record<string, string>): string[] {
  return Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
}

/**
 * Invocation 1. Prints one pane id per line, in pane order. `new-session -e` sets *session*
 * environment, so the first pane's own variables are passed there and then restored/removed
 * from the session environment, where later panes would otherwise inherit them.
 */
export function buildCreateArgs(plan: SessionPlan): string[] {
  const [first, ...rest] = plan.panes;
  if (first === undefined) throw new Error('a session plan needs at least one pane');
  const session = `=${plan.name}`;
  const window = `${session}:`;
  const commands: string[][] = [
    [
      'new-session', '-d', '-P', '-F', '#{pane_id}', '-s', plan.name,
      '-x', String(DETACHED_SIZE.width), '-y', String(DETACHED_SIZE.height),
      '-c', escapeFormat(first.cwd), ...envFlags({ ...plan.env, ...first.env }),
    ],
  ];
  for (const key of Object.keys(first.env)) {
    const sessionValue = plan.env[key];
    commands.push(
      sessionValue === undefined
        ? ['set-environment', '-t', session, '-u', key]
        : ['set-environment', '-t', session, key, sessionValue],
    );
  }
  // set-option resolves its target as a pane: `=name` alone fails on tmux 3.3, `=name:` works.
  if (plan.mouse) commands.push(['set-option', '-t', window, 'mouse', 'on']);
  commands.push(['set-option', '-w', '-t', window, 'pane-border-status', 'top']);
  commands.push(['set-option', '-w', '-t', window, 'pane-border-format', BORDER_FORMAT]);
  for (const pane of rest) {
    // Re-tiling before each split keeps room for the next pane even with many panes.
    commands.push(['select-layout', '-t', window, 'tiled']);
    commands.push(['split-window', '-t', window, '-P', '-F', '#{pane_id}', '-c', escapeFormat(pane.cwd), ...envFlags(pane.env)]);
  }
  commands.push(['select-layout', '-t', window, 'tiled']);
  return chain(commands);
}

/** Invocation 2: label, log pipe (attached before the CLI starts), then the typed command. */
export function buildSetupArgs(plan: SessionPlan, paneIds: readonly string[]): string[] {
  if (paneIds.length !== plan.panes.length) {
    throw new Error(`tmux reported ${paneIds.length} panes for a plan of ${plan.panes.length}`);
  }
  const commands: string[][] = [];
  plan.panes.forEach((pane, index) => {
    const id = paneIds[index] as string;
    commands.push(['set-option', '-p', '-t', id, '@paw_label', pane.label]);
    if (pane.logPath !== undefined) {
      commands.push(['pipe-pane', '-t', id, escapeFormat(`cat >> ${shellQuote(pane.logPath)}`)]);
    }
    commands.push(['send-keys', '-t', id, '-l', '--', pane.command]);
    commands.push(['send-keys', '-t', id, 'Enter']);
  });
  const firstId = paneIds[0];
  if (firstId !== undefined) commands.push(['select-pane', '-t', firstId]);
  return chain(commands);
}

