// The session plan: pure data describing a tmux session (panes, labels, env, logging pipes,
// hidden windows such as the broker's), and its translation into argv for three tmux invocations
// with commands chained by `;` arguments:
//   1. the frame: the session with a silent placeholder pane, its environment from a private file
//      (so no secret such as the broker token is ever on a command line, where other local users
//      can read it), its hidden windows, a first pane that needs no worktree (the dashboard) and
//      the options — needing no worktree, so a launch runs it while the worktrees are still being
//      created;
//   2. every other pane in its worktree (printing the pane ids), the placeholder removed, the
//      layout;
//   3. per pane (addressed by `%id`, never by index): label, agent id, log pipe, and the command
//      typed — run last, once the launch has verified the broker and saved the state, so no program
//      starts in a session that is about to be rolled back and the dashboard finds the saved
//      session.
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
  /**
   * The broker agent id of the pane's program, kept in the pane option `@paw_agent` so the
   * broker's state watcher can tell the panes apart (absent for the dashboard).
   */
  agentId?: string;
  /** Absolute log file; when set, output is piped there before the command is typed. */
  logPath?: string;
  /**
   * The pane's directory exists before any worktree does (the dashboard's repo root), so the frame
   * opens it, and the launch does not wait for it once the worktrees exist. Only the first pane.
   */
  opensWithFrame?: boolean;
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
   * The repository root, kept in the session option `@paw_repo` so that git-paw recognises its
   * own session even when the state file that names it is gone.
   */
  repo?: string;
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

/** Session option naming the repository a git-paw session belongs to. */
export const REPO_OPTION = '@paw_repo';

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

/** How many of the plan's panes the frame opens: the first, when it asks to. */
export function framePaneCount(plan: SessionPlan): number {
  return plan.panes[0]?.opensWithFrame === true ? 1 : 0;
}

/** Splits `pane` off the window's active pane, printing the new pane's id. */
function splitCommand(windowTarget: string, pane: PanePlan): string[] {
  return [
    'split-window',
    '-t',
    windowTarget,
    '-P',
    '-F',
    '#{pane_id}',
    '-c',
    escapeFormat(pane.cwd),
    ...envFlags(pane.env),
  ];
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

function newWindowCommand(session: string, window: WindowPlan): string[] {
  return [
    'new-window',
    '-d',
    '-n',
    window.name,
    '-t',
    `=${session}:`,
    ...envFlags(window.env),
    '--',
    ...window.argv,
  ];
}

/** A hidden window added to a running session (e.g. a broker window brought back). */
export function buildWindowArgs(session: string, window: WindowPlan): string[] {
  return chain([newWindowCommand(session, window)]);
}

/**
 * Invocation 1, the frame: a detached, sized session whose first pane is a silent placeholder
 * (`cat` in `placeholderCwd`: no shell, so nothing runs before the panes exist), its variables
 * from the sourced file (`envScriptPath`, required when the plan has session variables), the
 * hidden windows, the plan's first pane when it opens with the frame (after the variables, which
 * it inherits) and the options. It needs no worktree, so a launch creates it while git is still
 * at work. Prints the placeholder's pane id, then that first pane's.
 */
export function buildFrameArgs(plan: SessionPlan, placeholderCwd: string, envScriptPath?: string): string[] {
  const windowTarget = `=${plan.name}:`;
  const size = ['-x', String(DETACHED_SIZE.width), '-y', String(DETACHED_SIZE.height)];
  const commands = [
    [
      'new-session',
      '-d',
      '-P',
      '-F',
      '#{pane_id}',
      '-s',
      plan.name,
      ...size,
      '-c',
      escapeFormat(placeholderCwd),
      '--',
      'cat',
    ],
  ];
  if (Object.keys(plan.env).length > 0) {
    if (envScriptPath === undefined)
      throw new Error('a plan with session variables needs its env script path');
    commands.push(['source-file', escapeGlob(envScriptPath)]);
  }
  // `-d` keeps the panes' window current, so the `=name:` targets resolve to it.
  for (const window of plan.windows ?? []) commands.push(newWindowCommand(plan.name, window));
  if (framePaneCount(plan) === 1) commands.push(splitCommand(windowTarget, plan.panes[0] as PanePlan));
  // set-option resolves its target as a pane: `=name` alone fails on tmux 3.3, `=name:` works.
  if (plan.mouse) commands.push(['set-option', '-t', windowTarget, 'mouse', 'on']);
  if (plan.repo !== undefined) commands.push(['set-option', '-t', windowTarget, REPO_OPTION, plan.repo]);
  commands.push(['set-option', '-w', '-t', windowTarget, 'pane-border-status', 'top']);
  commands.push(['set-option', '-w', '-t', windowTarget, 'pane-border-format', BORDER_FORMAT]);
  return chain(commands);
}

/**
 * Invocation 2, once every worktree exists: each pane the frame did not open, split off the
 * window's active pane (the placeholder, the pane the frame opened, or the pane split last) in its
 * directory with its own variables; the placeholder removed after the first split; re-tiled
 * before each split so there is room for the next. Prints one pane id per line, in pane order.
 */
export function buildPanesArgs(plan: SessionPlan, placeholderId: string): string[] {
  const first = framePaneCount(plan);
  if (plan.panes.length <= first) throw new Error('a session plan needs a pane that the frame does not open');
  const windowTarget = `=${plan.name}:`;
  const commands: string[][] = [];
  plan.panes.slice(first).forEach((pane, offset) => {
    const index = first + offset;
    if (index > 0) commands.push(['select-layout', '-t', windowTarget, 'tiled']);
    // The target is the window's active pane: the one split (or opened) last.
    commands.push(splitCommand(windowTarget, pane));
    if (offset === 0) commands.push(['kill-pane', '-t', placeholderId]);
  });
  commands.push(['select-layout', '-t', windowTarget, 'tiled']);
  return chain(commands);
}

function checkPaneIds(plan: SessionPlan, paneIds: readonly string[]): void {
  if (paneIds.length !== plan.panes.length) {
    throw new Error(`tmux reported ${paneIds.length} panes for a plan of ${plan.panes.length}`);
  }
}

/**
 * Invocation 3, once the session is saved: each pane's label and log pipe, the first pane
 * selected, then each pane's command typed into its shell.
 */
export function buildStartArgs(plan: SessionPlan, paneIds: readonly string[]): string[] {
  checkPaneIds(plan, paneIds);
  const setup: string[][] = [];
  const typing: string[][] = [];
  plan.panes.forEach((pane, index) => {
    const id = paneIds[index] as string;
    setup.push(['set-option', '-p', '-t', id, '@paw_label', pane.label]);
    // Set in the same invocation that types the command: a pane the watcher sees with an agent
    // has had its program typed.
    if (pane.agentId !== undefined) setup.push(['set-option', '-p', '-t', id, '@paw_agent', pane.agentId]);
    if (pane.logPath !== undefined)
      setup.push(['pipe-pane', '-t', id, escapeFormat(`cat >> ${shellQuote(pane.logPath)}`)]);
    typing.push(['send-keys', '-t', id, '-l', '--', pane.command], ['send-keys', '-t', id, 'Enter']);
  });
  setup.push(['select-pane', '-t', paneIds[0] as string]);
  return chain([...setup, ...typing]);
}
