// Session names: `paw-<project>` with the characters tmux would silently rewrite (`.`, `:`)
// replaced by `-`, and the collision rule `-2` … `-11`.
import { TmuxError } from '../util/errors.js';

/** `paw-<project>`, safe to use as a tmux session name and as a state file stem. */
export function baseSessionName(project: string): string {
  return `paw-${project.replace(/[.:]/g, '-')}`;
}

/** The first of `base`, `base-2` … `base-11` that `isTaken` rejects; a Tmux error after that. */
export function pickSessionName(base: string, isTaken: (name: string) => boolean): string {
  const candidates = [base, ...Array.from({ length: 10 }, (_, i) => `${base}-${i + 2}`)];
  const free = candidates.find((name) => !isTaken(name));
  if (free === undefined) throw new TmuxError(`too many session name collisions for '${base}'`);
  return free;
}
