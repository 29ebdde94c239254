// The error model: every failure is a PawError with a one-line message, an optional hint and an
// exit code. The single top-level catch in cli.ts prints `error: <message>` (+ `hint: <hint>`).

export type ExitCode = 1 | 2;

export interface PawErrorOptions {
  hint?: string;
  exitCode?: ExitCode;
  cause?: unknown;
}

/** Base class: an operational failure the user can act on (exit 1 unless told otherwise). */
export class PawError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: ExitCode;

  constructor(message: string, options: PawErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** A failure class whose message upstream prints as `<Kind> error: <detail>`. */
function kind(prefix: string) {
  return class extends PawError {
    readonly detail: string;
    constructor(detail: string, options: PawErrorOptions = {}) {
      super(`${prefix}: ${detail}`, options);
      this.detail = detail;
    }
  };
}

export class ConfigError extends kind('Config error') {}
export class BranchError extends kind('Branch error') {}
export class WorktreeError extends kind('Worktree error') {}
export class TmuxError extends kind('Tmux error') {}
export class SessionError extends kind('Session error') {}
export class SpecError extends kind('Spec error') {}
export class ReplayError extends kind('Replay error') {}
export class InitError extends kind('Init error') {}
export class AgentsMdError extends kind('AGENTS.md error') {}
export class BrokerError extends kind('Broker error') {}
export class DashboardError extends kind('Dashboard error') {}
export class PortError extends kind('Port error') {}

export class NotAGitRepoError extends PawError {
  constructor() {
    super('Not a git repository. Run git-paw from inside a git project.');
  }
}

/** git-paw needs a working tree for its worktrees' base; a bare repository has none. */
export class BareRepoError extends PawError {
  constructor(path: string) {
    super(`'${path}' is a bare git repository (it has no working tree)`, {
      hint: 'run git-paw in a clone with a working tree, e.g. `git clone <this repository> <dir>`',
    });
  }
}

export class TmuxNotInstalledError extends PawError {
  constructor() {
    super(
      'tmux is required but not installed. Install with: brew install tmux (macOS) or apt install tmux (Linux)',
    );
  }
}

export class NoClisFoundError extends PawError {
  constructor() {
    super('No AI CLIs found on PATH. Install one or use `git paw add-cli` to register a custom CLI.');
  }
}

export class CliNotFoundError extends PawError {
  constructor(name: string, options: PawErrorOptions = {}) {
    super(`CLI '${name}' not found in config`, options);
  }
}

/** The user backed out of a prompt (Esc, Ctrl-C, empty selection, declined confirmation). */
export class CancelledError extends PawError {
  constructor(hint?: string) {
    super('Cancelled.', { exitCode: 2, hint });
  }
}

/** Bad command line: unknown flag, conflicting flags, missing argument. */
export class UsageError extends PawError {
  constructor(message: string, options: Omit<PawErrorOptions, 'exitCode'> = {}) {
    super(message, { ...options, exitCode: 2 });
  }
}

/** Text of any thrown value, for wrapping foreign errors into a PawError detail. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
