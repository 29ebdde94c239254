// Resolving the CLI a user asked for: `--cli X` and preset `cli` in a normal start,
// and the strict lookup used by `--from-specs`.
import { CliNotFoundError, PawError } from '../util/errors.js';
import { resolveCommandLine } from './command.js';
import type { CliInfo } from './known.js';

const CLI_HINT = 'run `git paw list-clis` to see available CLIs, or `git paw add-cli` to register one';

/**
 * A known CLI name → its command; otherwise `value` as a command line whose first word is found
 * on PATH (e.g. `aider --model x`); otherwise `CLI 'X' not found`.
 */
export function resolveCliChoice(value: string, clis: readonly CliInfo[], pathEnv: string = process.env.PATH ?? ''): { name: string; command: string } {
  const known = clis.find((cli) => cli.name === value);
  if (known) return { name: known.name, command: known.command };
  const resolved = value.trim() === '' ? undefined : resolveCommandLine(value, pathEnv);
  if (!resolved) throw new PawError(`CLI '${value}' not found`, { hint: CLI_HINT });
  return { name: value, command: resolved.command };
}

/** The detected or custom CLI called `name`, or CliNotFoundError (`--from-specs` validation). */
export function requireKnownCli(name: string, clis: readonly CliInfo[]): CliInfo {
  const cli = clis.find((candidate) => candidate.name === name);
  if (!cli) throw new CliNotFoundError(name, { hint: CLI_HINT });
  return cli;
}
