// `git paw status` (upstream §12, `--json`): the session of this repo, its effective status, tmux
// liveness, its broker (probed once: running with its agents, or not responding) and worktrees.
// Works without tmux installed (`Tmux:    not running`).
import { brokerUrl } from '../broker/client.js';
import { readBrokerReport } from '../broker/status.js';
import { resolveRepo } from '../git/repo.js';
import { brokerTargetOf } from '../launch/broker.js';
import { formatStatus, statusJson, type StatusReport } from '../session/report.js';
import type { SessionState } from '../session/schema.js';
import { effectiveStatus } from '../session/status.js';
import { corruptStateError, findSession } from '../session/store.js';
import { hasSession, tmuxInstalled } from '../tmux/client.js';
import { systemRunner } from '../util/exec.js';
import { say } from '../util/output.js';

async function brokerReportOf(state: SessionState): Promise<Pick<StatusReport, 'broker'>> {
  const target = brokerTargetOf(state);
  if (target === undefined) return {};
  return { broker: await readBrokerReport({ url: brokerUrl(target.bind, target.port), ...target }) };
}

export async function runStatus(flags: { json?: boolean }): Promise<void> {
  const runner = systemRunner;
  const repo = await resolveRepo(runner);
  const lookup = findSession(repo);
  if (lookup.kind === 'corrupt') throw corruptStateError(lookup);
  let report: StatusReport | undefined;
  if (lookup.kind === 'found') {
    const tmuxRunning = tmuxInstalled() && (await hasSession(runner, lookup.state.session_name));
    report = {
      state: lookup.state,
      status: effectiveStatus(lookup.state, tmuxRunning),
      tmuxRunning,
      ...(await brokerReportOf(lookup.state)),
    };
  }
  if (flags.json) say(JSON.stringify(statusJson(report), null, 2));
  else if (report === undefined) say('No session for this repo.');
  else formatStatus(report).forEach((line) => say(line));
}
