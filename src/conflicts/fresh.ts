// A report computed on the spot, for `git paw conflicts` and for `git paw status` when no broker
// watches the session: one check, every pair in the state of the moment (`since` is the time of
// the check, as no earlier one is known).
import type { SessionState } from '../session/schema.js';
import type { CommandRunner } from '../util/exec.js';
import { ConflictChecker } from './check.js';
import { gitConflictReader } from './git.js';
import { checkSessionOf } from './session.js';
import { PairTracker } from './tracker.js';
import type { ConflictReport } from './types.js';

export async function freshConflictReport(
  runner: CommandRunner,
  state: SessionState,
): Promise<ConflictReport> {
  const result = await new ConflictChecker(gitConflictReader(runner)).check(checkSessionOf(state));
  const at = new Date();
  const { entries } = new PairTracker().update(result.findings, at);
  return {
    conflicts: entries,
    check: { checked_at: at.toISOString(), unchecked: result.unchecked, notes: result.notes },
  };
}
