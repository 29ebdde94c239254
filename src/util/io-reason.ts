// One short wording for file-system failures in one-line errors ("permission denied" rather than
// Node's "EACCES: permission denied, open '<path>'", whose path the caller already names).
import { describeError } from './errors.js';

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
  return describeError(error);
}
