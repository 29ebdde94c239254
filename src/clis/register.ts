// What `add-cli` stores: an absolute path verbatim (with a warning when it
// does not exist or cannot be executed); a name found on PATH as its absolute path; any
// arguments after the first word kept as written.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { ConfigError, UsageError } from '../util/errors.js';
import { shellQuote } from '../util/shell.js';
import { which } from '../util/which.js';
import { splitFirstWord } from './command.js';

/** Rejects names that cannot be used as `--cli NAME` or as a config key. */
export function validateCliName(name: string): void {
  if (name.trim() === '') throw new UsageError('the CLI name must not be empty');
  if (/[\s\p{Cc}]/u.test(name)) throw new UsageError(`invalid CLI name '${name}': it must not contain spaces or control characters`);
}

function problemWith(path: string): string | undefined {
  if (!existsSync(path)) return `'${path}' does not exist (stored anyway)`;
  try {
    if (!statSync(path).isFile()) return `'${path}' is not a file (stored anyway)`;
    accessSync(path, constants.X_OK);
    return undefined;
  } catch {
    return `'${path}' is not executable (stored anyway)`;
  }
}

/** The `command` value to store for `add-cli NAME COMMAND`, plus warnings to print. */
export function commandToStore(command: string, pathEnv: string = process.env.PATH ?? ''): { command: string; warnings: string[] } {
  const whole = command.trim();
  if (whole === '') throw new UsageError('the command must not be empty');
  const { word, rest } = isAbsolute(whole) && existsSync(whole) ? { word: whole, rest: '' } : splitFirstWord(whole);
  if (isAbsolute(word)) {
    const problem = problemWith(word);
    return { command: whole, warnings: problem ? [problem] : [] };
  }
  const path = which(word, pathEnv);
  if (!path)
    throw new ConfigError(`command '${rest ? word : whole}' not found on PATH`, {
      hint: 'install it first, or give its absolute path',
    });
  return { command: rest ? `${shellQuote(path)} ${rest}` : path, warnings: [] };
}
