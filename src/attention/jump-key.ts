// The opt-in `[tmux] jump_key`: `prefix + <key>` runs `git paw next` for the client that pressed
// it. Bound once a session is up, only when configured, and never over a binding that is not
// git-paw's (the user is told instead). Each session that asked for it carries `@paw_jump_key`,
// so stop and purge remove the binding once no live git-paw session asks for it any more. The
// binding lives in the tmux server, which every session of the user shares.
import type { CommandRunner } from '../util/exec.js';
import { warn } from '../util/output.js';
import { shellQuote } from '../util/shell.js';

export const JUMP_KEY_OPTION = '@paw_jump_key';

/** What git-paw's binding runs after the program; also how its binding is recognised later. */
const NEXT_FOR_CLIENT = 'next --client #{q:client_name}';

/**
 * The shell command of the binding: from the directory of the pane the user is in (so `git paw`
 * finds that session's repository), `git paw next` for the pressing client. Its messages go to
 * that client's status line; only a failure prints, shown by tmux in the pane.
 */
export function jumpKeyCommand(argv: readonly string[]): string {
  // tmux expands formats in the command: a `#` in a path is written `##`.
  const program = argv.map((arg) => shellQuote(arg).replaceAll('#', '##')).join(' ');
  return `cd #{q:pane_current_path} && exec ${program} ${NEXT_FOR_CLIENT} 2>&1`;
}

export function bindArgs(key: string, command: string): string[] {
  return ['bind-key', '-T', 'prefix', key, 'run-shell', '-b', command];
}

/** True when a `list-keys -T prefix <key>` answer shows git-paw's binding. */
export function isJumpBinding(listing: string): boolean {
  return listing.includes(NEXT_FOR_CLIENT);
}

async function bindingOf(runner: CommandRunner, key: string): Promise<string | undefined> {
  // tmux answers `unknown key` (status 1) for a key with no binding.
  const result = await runner.run('tmux', ['list-keys', '-T', 'prefix', key]);
  return result.code === 0 && result.stdout.trim() !== '' ? result.stdout.trim() : undefined;
}

/**
 * Marks `session` as wanting `key` and binds it, unless the key already runs something else.
 * Never fails the launch: a problem is a warning.
 */
export async function bindJumpKey(
  runner: CommandRunner,
  session: string,
  key: string,
  argv: readonly string[],
): Promise<void> {
  await runner.run('tmux', ['set-option', '-t', `=${session}:`, JUMP_KEY_OPTION, key]);
  const existing = await bindingOf(runner, key);
  if (existing !== undefined && !isJumpBinding(existing)) {
    warn(
      `[tmux] jump_key: prefix + ${key} is already bound (${existing.replace(/\s+/g, ' ')}); left as it is, so the key does not run \`git paw next\` — choose another key or unbind this one`,
    );
    return;
  }
  const bound = await runner.run('tmux', bindArgs(key, jumpKeyCommand(argv)));
  if (bound.code !== 0) warn(`[tmux] jump_key: cannot bind prefix + ${key}: ${bound.stderr.trim()}`);
}

/** The jump key `session` asked for; undefined when none (or the session is gone). */
export async function jumpKeyOf(runner: CommandRunner, session: string): Promise<string | undefined> {
  const result = await runner.run('tmux', [
    'show-options',
    '-v',
    '-q',
    '-t',
    `=${session}:`,
    JUMP_KEY_OPTION,
  ]);
  const key = result.stdout.trim();
  return result.code === 0 && key !== '' ? key : undefined;
}

/**
 * After a session that asked for `key` ended: removes git-paw's binding of it unless another
 * live session still asks for it. A binding that is not git-paw's is left alone.
 */
export async function releaseJumpKey(runner: CommandRunner, key: string): Promise<void> {
  const sessions = await runner.run('tmux', ['list-sessions', '-F', `#{${JUMP_KEY_OPTION}}`]);
  // No server any more: its bindings went with it.
  if (sessions.code !== 0) return;
  if (sessions.stdout.split('\n').some((line) => line === key)) return;
  const existing = await bindingOf(runner, key);
  if (existing !== undefined && isJumpBinding(existing)) {
    await runner.run('tmux', ['unbind-key', '-T', 'prefix', key]);
  }
}
