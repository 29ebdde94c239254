// Terminal output helpers: warnings on stderr, colour only on a TTY without NO_COLOR.
import { isatty } from 'node:tty';

/** True when `stream` should get ANSI colour. */
export function colorAllowed(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && process.env.NO_COLOR === undefined;
}

/** Prints `warning: <message>` on stderr. */
export function warn(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}

/** Prints one line on stdout. */
export function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/**
 * True when stdin is a terminal. Asked of the descriptor: `process.stdin.isTTY` would first build
 * the stdin stream, which costs a few milliseconds on every launch.
 */
export function stdinIsTerminal(): boolean {
  return isatty(0);
}

/** True when both stdin and stdout are terminals (interactive use, attach possible). */
export function isInteractive(): boolean {
  return stdinIsTerminal() && Boolean(process.stdout.isTTY);
}
