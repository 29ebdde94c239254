// The CommandRunner seam: every external process (git, tmux, less) is started through it, so
// unit tests can substitute a recording fake without mocking child_process globally.
import { spawn } from 'node:child_process';

export interface RunOptions {
  cwd?: string;
  /** Text written to the child's stdin (stdin is closed after it). */
  input?: string;
  /** Extra environment variables layered over process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout as bytes, for output that counts bytes (e.g. `git cat-file --batch`); the real runner sets it. */
  stdoutBytes?: Buffer;
}

export interface CommandRunner {
  /** Runs a program to completion. Rejects only when it cannot be started (e.g. ENOENT). */
  run(program: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
}

/** The real runner. git always runs with LC_ALL=C so nothing depends on localized messages. */
export const systemRunner: CommandRunner = {
  run(program, args, options = {}) {
    return new Promise((resolve, reject) => {
      const env = { ...process.env, ...(program === 'git' ? { LC_ALL: 'C' } : {}), ...options.env };
      const child = spawn(program, args, {
        cwd: options.cwd,
        env,
        stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
      child.on('error', reject);
      child.on('close', (code, signal) => {
        const stdoutBytes = Buffer.concat(out);
        resolve({
          code: code ?? (signal ? 128 : 1),
          stdout: stdoutBytes.toString('utf8'),
          stdoutBytes,
          stderr: Buffer.concat(err).toString('utf8'),
        });
      });
      if (options.input !== undefined && child.stdin) {
        // A child that exits without reading its input (e.g. git refusing to start) must not
        // crash us with EPIPE: its exit code says what happened.
        child.stdin.on('error', () => undefined);
        child.stdin.end(options.input);
      }
    });
  },
};

/** The seam for programs that take over the user's terminal (e.g. `tmux attach-session`). */
export interface TerminalRunner {
  /** Runs a program with inherited stdio until it exits; resolves with its exit code. */
  runInTerminal(program: string, args: readonly string[]): Promise<number>;
}

export const systemTerminalRunner: TerminalRunner = {
  runInTerminal(program, args) {
    return new Promise((resolve, reject) => {
      const child = spawn(program, args, { stdio: 'inherit' });
      child.on('error', reject);
      child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
  },
};
