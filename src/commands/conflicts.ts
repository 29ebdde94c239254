// `git paw conflicts [--json]`: which agents of this repo's session collide, computed fresh from
// git (no broker needed, so it works for sessions where coordination is off).
import { resolveRepo } from '../git/repo.js';
import { corruptStateError, findSession } from '../session/store.js';
import { SessionError } from '../util/errors.js';
import { systemRunner } from '../util/exec.js';
import { say } from '../util/output.js';

export async function runConflicts(flags: { json?: boolean }): Promise<void> {
  const repo = await resolveRepo(systemRunner);
  const lookup = findSession(repo);
  if (lookup.kind === 'corrupt') throw corruptStateError(lookup);
  if (lookup.kind === 'none')
    throw new SessionError('no session for this repo', { hint: 'start one with `git paw start`' });
  const [{ freshConflictReport }, { conflictLines, conflictsJson }] = await Promise.all([
    import('../conflicts/fresh.js'),
    import('../conflicts/report.js'),
  ]);
  const report = await freshConflictReport(systemRunner, lookup.state);
  if (flags.json) say(JSON.stringify(conflictsJson(report), null, 2));
  else conflictLines(report).forEach((line) => say(line));
}
