// File reading for AGENTS.md injection: missing files count as empty, every other failure
// becomes a one-line `AGENTS.md error: failed to read '<path>': <reason>`.
import { readFileSync } from 'node:fs';
import { AgentsMdError } from '../util/errors.js';

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
  ENOENT: 'no such file or directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
};

/** A short human reason for a file-system error ("permission denied"), else its message. */
export function ioReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && REASONS[code]) return REASONS[code];
  return error instanceof Error ? error.message : String(error);
}

/** The file's text, or undefined when it does not exist. Other failures throw AgentsMdError. */
export function readTextFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AgentsMdError(`failed to read '${path}': ${ioReason(error)}`);
  }
}
