// `[worktree] setup`: shell commands run in an agent's pane, in its worktree, before its CLI, so
// the user sees their output. Each pane that runs setup gets a small generated sh script in the
// agent's private directory (never in the worktree) and types `sh <script> && <CLI command>`:
// the script runs the commands one by one with `sh -c` (any command text, quoted once), stops at
// the first failure or Ctrl-C and exits non-zero, so the CLI starts only after a clean setup and
// the pane stays at its shell otherwise. The script marks its progress with `git-paw: setup …`
// lines, which the broker's state watcher reads back from the pane's screen (setupReading): the
// agent is `working` while setup runs and `error` with `setup failed: <command>` when it failed.
// Pure text in and out; the launch writes the files.
import { join } from 'node:path';
import type { GeneratedFile } from '../agents/adapter.js';
import type { PanePlan } from '../tmux/plan.js';
import { shellQuote } from '../util/shell.js';

/** How each of the script's lines starts; nothing else prints it. */
const MARK = 'git-paw: setup';
/** How a failed setup's state detail starts. */
const SETUP_FAILED = 'setup failed: ';

/** A command as the pane and the state show it: one line, control characters as spaces. */
export function setupDisplay(command: string): string {
  // eslint-disable-next-line no-control-regex -- a command's newlines and escapes would break the marker line
  return command.replace(/[\u0000-\u001f\u007f-\u009f\s]+/g, ' ').trim();
}

/**
 * The script running `commands` in `worktreePath`: each announced, run with `sh -c`, and on
 * failure (an exit status other than 0, or Ctrl-C even when the command then exits 0) reported
 * with its exit status, after which the script exits with that status.
 */
export function setupScript(branch: string, worktreePath: string, commands: readonly string[]): string {
  const steps = commands.map(
    (command, index) =>
      `paw_step ${index + 1}/${commands.length} ${shellQuote(command)} ${shellQuote(setupDisplay(command))}`,
  );
  return [
    `# git-paw: [worktree] setup of branch ${setupDisplay(branch)}, run in its pane before the CLI.`,
    '# Written on each launch that runs it; edit .git-paw/config.toml instead.',
    // A trapped (not ignored) SIGINT still reaches the commands, and is remembered here.
    'paw_interrupted=',
    "trap 'paw_interrupted=1' INT",
    `cd ${shellQuote(worktreePath)} || exit 1`,
    'paw_step() {',
    `  printf '${MARK} %s: %s\\n' "$1" "$3"`,
    '  sh -c "$2"',
    '  paw_status=$?',
    '  if [ -n "$paw_interrupted" ] && [ "$paw_status" -eq 0 ]; then paw_status=130; fi',
    '  [ "$paw_status" -eq 0 ] && return 0',
    `  printf '${MARK} failed: %s (exit %s)\\n' "$3" "$paw_status"`,
    "  printf '%s\\n' 'git-paw: the CLI was not started. Fix the problem, then run the same line again to retry.'",
    '  exit "$paw_status"',
    '}',
    ...steps,
    `printf '%s\\n' '${MARK} done'`,
    '',
  ].join('\n');
}

/**
 * Each worktree's setup script (in the agent's private directory), in worktree order; undefined
 * where the pane runs no setup: its branch is not in `branches`, or there are no commands.
 */
export function setupFiles(
  worktrees: readonly { branch: string; worktree_path: string }[],
  commands: readonly string[],
  branches: ReadonlySet<string> | undefined,
  privateDirOf: (branch: string) => string,
): (GeneratedFile | undefined)[] {
  return worktrees.map((entry) =>
    commands.length > 0 && branches?.has(entry.branch)
      ? {
          path: join(privateDirOf(entry.branch), 'setup.sh'),
          content: setupScript(entry.branch, entry.worktree_path, commands),
        }
      : undefined,
  );
}

/** The pane typing its setup script first, and its CLI only when the script succeeded. */
export function withSetup(pane: PanePlan, scriptPath: string): PanePlan {
  return { ...pane, command: `sh ${shellQuote(scriptPath)} && ${pane.command}` };
}

/** What the pane's screen says about its setup. */
export type SetupReading =
  { state: 'working'; detail: string } | { state: 'error'; detail: string } | { state: 'done' };

const STEP_LINE = new RegExp(`${MARK} (\\d+/\\d+: .*)$`);
const FAILED_LINE = new RegExp(`${MARK} failed: (.*) \\(exit \\d+\\)$`);
const DONE_LINE = `${MARK} done`;

/**
 * The bottom-most setup line of a screen: a step (setup is running it), a failure (the CLI was
 * not started) or the end; undefined when the screen shows none. Lines are matched at their end:
 * a `^C` or a command's unfinished output may precede the mark on its line.
 */
export function setupReading(screen: string): SetupReading | undefined {
  const lines = screen.split('\n');
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    const line = (lines[index] ?? '').trimEnd();
    if (!line.includes(MARK)) continue;
    if (line.endsWith(DONE_LINE)) return { state: 'done' };
    const failed = FAILED_LINE.exec(line);
    if (failed) return { state: 'error', detail: `${SETUP_FAILED}${failed[1] ?? ''}` };
    const step = STEP_LINE.exec(line);
    if (step) return { state: 'working', detail: `setup ${step[1] ?? ''}` };
  }
  return undefined;
}

/** The `--dry-run` lines naming the setup commands and where they run; none when there are none. */
export function setupDryRunLines(commands: readonly string[], where: string): string[] {
  if (commands.length === 0) return [];
  return [
    '',
    `  Setup ${where}, before its CLI:`,
    ...commands.map((command) => `    ${setupDisplay(command)}`),
  ];
}
