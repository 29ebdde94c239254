// File reading for AGENTS.md injection: missing files count as empty, every other failure
// becomes a one-line `AGENTS.md error: failed to read '<path>': <reason>`.
import { readFileSync } from 'node:fs';
import { AgentsMdError } from '../util/errors.js';
import { ioReason } from '../util/io-reason.js';

/** The file's text, or undefined when it does not exist. Other failures throw AgentsMdError. */
export function readTextFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AgentsMdError(`failed to read '${path}': ${ioReason(error)}`);
  }
}
