// Turning a configured or typed command line into what a pane runs: the first word resolved to
// an absolute executable path and shell-quoted, the rest (arguments) appended as written.
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { shellQuote } from '../util/shell.js';
import { which } from '../util/which.js';

/**
 * Splits off the first shell word of `command` (quotes and backslashes honoured for that word
 * only) and returns it unquoted with the untouched remainder.
 */
export function splitFirstWord(command: string): { word: string; rest: string } {
  const text = command.trimStart();
  let word = '';
  let i = 0;
  while (i < text.length && !/\s/.test(text.charAt(i))) {
    const c = text.charAt(i);
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      const end = close < 0 ? text.length : close;
      word += text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i += 1;
      while (i < text.length && text.charAt(i) !== '"') {
        if (text.charAt(i) === '\\' && /["\\$`]/.test(text.charAt(i + 1))) i += 1;
        word += text.charAt(i);
        i += 1;
      }
      i += 1;
    } else if (c === '\\') {
      word += text.charAt(i + 1);
      i += 2;
    } else {
      word += c;
      i += 1;
    }
  }
  return { word, rest: text.slice(i).trim() };
}

/** Absolute path of an executable: an existing absolute path as is, else a PATH lookup. */
export function resolveExecutable(word: string, pathEnv: string): string | undefined {
  if (isAbsolute(word) && existsSync(word)) return word;
  return which(word, pathEnv);
}

export interface ResolvedCommand {
  /** Absolute path of the executable. */
  path: string;
  /** Shell text for the pane. */
  command: string;
}

/**
 * Resolves a command line: an existing absolute path (spaces allowed) runs as is; otherwise the
 * first word is resolved and the arguments appended. Undefined when nothing is found.
 */
export function resolveCommandLine(commandLine: string, pathEnv: string): ResolvedCommand | undefined {
  const whole = commandLine.trim();
  if (isAbsolute(whole) && existsSync(whole)) return { path: whole, command: shellQuote(whole) };
  const { word, rest } = splitFirstWord(whole);
  const path = resolveExecutable(word, pathEnv);
  if (path === undefined) return undefined;
  return { path, command: rest ? `${shellQuote(path)} ${rest}` : shellQuote(path) };
}
