// Handing the terminal to the session: switch-client inside tmux, attach-session on
// a terminal, and otherwise (no TTY, or --no-attach) just say how to attach and succeed.
import { TmuxError } from '../util/errors.js';
import type { CommandRunner, TerminalRunner } from '../util/exec.js';
import { say, stdinIsTerminal } from '../util/output.js';
import { shellQuote } from '../util/shell.js';

export type AttachMode = 'switch' | 'attach' | 'print';

export interface AttachContext {
  /** `--no-attach` was given. */
  noAttach: boolean;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  /** `$TMUX` is set: we run inside a tmux client. */
  insideTmux: boolean;
}

export function attachModeFor(context: AttachContext): AttachMode {
  if (context.noAttach || !context.stdinIsTTY || !context.stdoutIsTTY) return 'print';
  return context.insideTmux ? 'switch' : 'attach';
}

/** The context of this process. */
export function currentAttachContext(noAttach: boolean, env: NodeJS.ProcessEnv = process.env): AttachContext {
  return {
    noAttach,
    stdinIsTTY: stdinIsTerminal(),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    insideTmux: Boolean(env.TMUX),
  };
}

export function attachHint(name: string): string {
  return `Session '${name}' is running. Attach with: tmux attach -t ${shellQuote(name)}`;
}

export interface AttachDeps {
  runner: CommandRunner;
  terminal: TerminalRunner;
}

/** Attaches (or switches, or prints the hint). Never undoes anything when it fails. */
export async function attachSession(deps: AttachDeps, name: string, mode: AttachMode): Promise<void> {
  if (mode === 'print') {
    say(attachHint(name));
    return;
  }
  if (mode === 'switch') {
    const result = await deps.runner.run('tmux', ['switch-client', '-t', `=${name}`]);
    if (result.code !== 0) {
      throw new TmuxError(`failed to switch to session '${name}': ${result.stderr.trim()}`, {
        hint: attachHint(name),
      });
    }
    return;
  }
  const code = await deps.terminal.runInTerminal('tmux', ['attach-session', '-t', `=${name}`]);
  if (code !== 0) throw new TmuxError(`failed to attach to session '${name}'`, { hint: attachHint(name) });
}
