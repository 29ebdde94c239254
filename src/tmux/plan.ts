// The session plan: pure data describing a tmux session (panes, labels, env, logging pipes,
// hidden windows such as the broker's), and its translation into argv for three tmux invocations
// with commands chained by `;` arguments:
//   1. create the session, set its environment from a private file (so no secret such as the
//      broker token is ever on a command line, where other local users can read it), create its
//      hidden windows and every pane (printing the pane ids), set options and layout;
//   2. per pane (addressed by `%id`, never by index): label and log pipe;
//   3. per pane: type the command — run last, once the launch has verified the broker and saved
//      the state, so no program starts in a session that is about to be rolled back and the
//      dashboard finds the saved session.
// Addressing panes by id is what makes `base-index`/`pane-base-index` in the user's tmux.conf
// irrelevant; the process count stays constant whatever the pane count.
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

/** A window created in the background next to the panes' window; its program runs without a shell. */
export interface WindowPlan {
  name: string;
  /** Variables only this window's program gets (not stored in the session environment). */
  env: Record<string, string>;
  /** Program and arguments (passed as argv, so nothing is quoted or typed). */
  argv: string[];
}

export interface SessionPlan {
  name: string;
  mouse: boolean;
  /**
   * Variables every pane and window of the session gets, including panes the user opens later.
   * They may be secrets: they reach tmux through a file the create invocation sources
   * (`sessionEnvScript`), never through a command line.
   */
  env: Record<string, string>;
  /** In layout order; at least one. */
  panes: PanePlan[];
  /** Hidden windows (e.g. the broker's), created right after the session. */
  windows?: WindowPlan[];
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

/** tmux config-file quoting: one single-quoted word (nothing expands inside), `'` as `'\''`. */
export function quoteConfigWord(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** `source-file` treats its path as a glob pattern: `*`, `?`, `[`, `]` and `\` are escaped. */
export function escapeGlob(path: string): string {
  return path.replace(/[\\*?[\]]/g, '\\$&');
}

/** The file invocation 1 sources: one `set-environment` per session variable (tmux config syntax). */
export function sessionEnvScript(plan: SessionPlan): string {
  const target = quoteConfigWord(`=${plan.name}`);
  return Object.entries(plan.env)
    .map(([key, value]) => `set-environment -t ${target} ${quoteConfigWord(key)} ${quoteConfigWord(value)}\n`)
    .join('');
}

/**
 * The commands that create the session and its first pane. Without session variables, the first
 * pane's own variables go to `new-session -e` — which sets *session* environment — and are then
 * removed from the session environment, where later panes would otherwise inherit them. With
 * session variables, `new-session` starts a silent placeholder pane (`cat`, so no shell starts
 * before the variables exist), the sourced file sets them, the first pane is split off the
 * placeholder (inheriting them) and the placeholder is killed; only the first pane's id is printed.
 */
function createCommands(plan: SessionPlan, first: PanePlan, envScriptPath: string | undefined): string[][] {
  const size = ['-x', String(DETACHED_SIZE.width), '-y', String(DETACHED_SIZE.height)];
  const cwd = escapeFormat(first.cwd);
  if (Object.keys(plan.env).length === 0) {
    return [
      ['new-session', '-d', '-P', '-F', '#{pane_id}', '-s', plan.name, ...size, '-c', cwd, ...envFlags(first.env)],
      ...Object.keys(first.env).map((key) => ['set-environment', '-t', `=${plan.name}`, '-u', key]),
    ];
  }
  if (envScriptPath === undefined) throw new Error('a plan with session variables needs its env script path');
  const windowTarget = `=${plan.name}:`;
  return [
    ['new-session', '-d', '-s', plan.name, ...size, '-c', cwd, '--', 'cat'],
    ['source-file', escapeGlob(envScriptPath)],
    ['split-window', '-t', windowTarget, '-P', '-F', '#{pane_id}', '-c', cwd, ...envFlags(first.env)],
    // The new pane is the active one: every other pane of the window is the placeholder.
    ['kill-pane', '-a', '-t', windowTarget],
  ];
}

/**
 * Invocation 1. Prints one pane id per line, in pane order. `envScriptPath` is the file holding
 * `sessionEnvScript(plan)` (required when the plan has session variables).
 */
export function buildCreateArgs(plan: SessionPlan, envScriptPath?: string): string[] {
  const [first, ...rest] = plan.panes;
  if (first === undefined) throw new Error('a session plan needs at least one pane');
  const windowTarget = `=${plan.name}:`;
  const commands = createCommands(plan, first, envScriptPath);
  // `-d` keeps the panes' window current, so the `=name:` targets below still resolve to it; the
  // window prints no pane id, so the ids printed stay those of the panes.
  for (const window of plan.windows ?? []) {
    commands.push(['new-window', '-d', '-n', window.name, '-t', windowTarget, ...envFlags(window.env), '--', ...window.argv]);
  }
  // set-option resolves its target as a pane: `=name` alone fails on tmux 3.3, `=name:` works.
  if (plan.mouse) commands.push(['set-option', '-t', windowTarget, 'mouse', 'on']);
  commands.push(['set-option', '-w', '-t', windowTarget, 'pane-border-status', 'top']);
  commands.push(['set-option', '-w', '-t', windowTarget, 'pane-border-format', BORDER_FORMAT]);
  for (const pane of rest) {
    // Re-tiling before each split keeps room for the next pane even with many panes.
    commands.push(['select-layout', '-t', windowTarget, 'tiled']);
    commands.push(['split-window', '-t', windowTarget, '-P', '-F', '#{pane_id}', '-c', escapeFormat(pane.cwd), ...envFlags(pane.env)]);
  }
  commands.push(['select-layout', '-t', windowTarget, 'tiled']);
  return chain(commands);
}

function checkPaneIds(plan: SessionPlan, paneIds: readonly string[]): void {
  if (paneIds.length !== plan.panes.length) {
    throw new Error(`tmux reported ${paneIds.length} panes for a plan of ${plan.panes.length}`);
  }
}

/** Invocation 2: label and log pipe of each pane (attached before anything runs in it). */
export function buildSetupArgs(plan: SessionPlan, paneIds: readonly string[]): string[] {
  checkPaneIds(plan, paneIds);
  const commands: string[][] = [];
  plan.panes.forEach((pane, index) => {
    const id = paneIds[index] as string;
    commands.push(['set-option', '-p', '-t', id, '@paw_label', pane.label]);
    if (pane.logPath !== undefined) {
      commands.push(['pipe-pane', '-t', id, escapeFormat(`cat >> ${shellQuote(pane.logPath)}`)]);
    }
  });
  const firstId = paneIds[0];
  if (firstId !== undefined) commands.push(['select-pane', '-t', firstId]);
  return chain(commands);
}

/** Invocation 3: types each pane's command into its shell. */
export function buildStartArgs(plan: SessionPlan, paneIds: readonly string[]): string[] {
  checkPaneIds(plan, paneIds);
  return chain(
    plan.panes.flatMap((pane, index) => {
      const id = paneIds[index] as string;
      return [
        ['send-keys', '-t', id, '-l', '--', pane.command],
        ['send-keys', '-t', id, 'Enter'],
      ];
    }),
  );
}

