// Placeholder for commands whose implementation lands with a later issue.
import { PawError } from '../util/errors.js';

export function notImplemented(command: string): never {
  throw new PawError(`${command}: not implemented yet`);
}
