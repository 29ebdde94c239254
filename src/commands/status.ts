// `git paw status` (upstream §12, `--json`): the session of this repo, its effective status, tmux
// liveness and worktrees. Works without tmux installed (`Tmux:    not running`).
import { resolveRepo } from '../git/repo.js';
import { formatStatus, statusJson, type StatusReport } from '../session/report.js';
import { effectiveStatus } from '../session/status.js';
import { corruptStateError, findSession } from '../session/store.js';
import { hasSession, tmuxInstalled } from '../tmux/client.js';
import { systemRunner } from '../util/exec.js';
import { say } from '../util/output.js';

export async function runStatus(flags: { json?: boolean }): Promise<void> {
  const runner = systemRunner;
  const repo = await resolveRepo(runner);
  const lookup = findSession(repo);
  if (lookup.kind === 'corrupt') throw corruptStateError(lookup);
  let report: StatusReport | undefined;
  if (lookup.kind === 'found') {
    const tmuxRunning = tmuxInstalled() && (await hasSession(runner, lookup.state.session_name));
    report = { state: lookup.state, status: effectiveStatus(lookup.state, tmuxRunning), tmuxRunning };
  }
  if (flags.json) say(JSON.stringify(statusJson(report), null, 2));
  else if (report === undefined) say('No session for this repo.');
  else formatStatus(report).forEach((line) => say(line));
}
