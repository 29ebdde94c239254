// `git paw status` (upstream §12, `--json`): the session of this repo, its effective status, tmux
// liveness, its broker (probed: running with its agents, or not responding — a broker of a running
// session that does not answer is brought back first) and worktrees.
// Works without tmux installed (`Tmux:    not running`). The report and broker modules are
// loaded only when there is a session to show, so the common "no session" answer starts fast.
import { resolveRepo, type RepoInfo } from '../git/repo.js';
import type { StatusReport } from '../session/report.js';
import type { SessionState } from '../session/schema.js';
import { effectiveStatus } from '../session/status.js';
import { corruptStateError, findSession } from '../session/store.js';
import { hasSession, tmuxInstalled } from '../tmux/client.js';
import { systemRunner } from '../util/exec.js';
import { say } from '../util/output.js';

async function brokerReportOf(state: SessionState): Promise<Pick<StatusReport, 'broker'>> {
  const { brokerTargetOf } = await import('../launch/broker.js');
  const target = brokerTargetOf(state);
  if (target === undefined) return {};
  const [{ brokerUrl }, { readBrokerReport }] = await Promise.all([
    import('../broker/client.js'),
    import('../broker/status.js'),
  ]);
  return { broker: await readBrokerReport({ url: brokerUrl(target.bind, target.port), ...target }) };
}

async function reportOf(state: SessionState, repoRoot: string): Promise<StatusReport> {
  const tmuxRunning = tmuxInstalled() && (await hasSession(systemRunner, state.session_name));
  let broker = await brokerReportOf(state);
  if (tmuxRunning && broker.broker?.state === 'not responding') {
    // The session runs but its broker does not answer: bring it back, then report again.
    const { reviveBrokerLocked } = await import('../launch/broker-revive.js');
    const revival = await reviveBrokerLocked(systemRunner, repoRoot, state);
    if (revival !== undefined && revival !== 'down') broker = await brokerReportOf(state);
  }
  return { state, status: effectiveStatus(state, tmuxRunning), tmuxRunning, ...broker };
}

/** What an earlier session left behind, when git-paw lost track of it. */
async function sayLeftovers(repo: RepoInfo): Promise<void> {
  const leftovers = await import('../launch/leftovers.js');
  const found = await leftovers.findLeftovers({ runner: systemRunner, repo });
  if (!leftovers.hasLeftovers(found)) return;
  say('');
  say(leftovers.LEFTOVERS_HEADING);
  leftovers.describeLeftovers(found).forEach((line) => say(line));
  say('Run `git paw purge` to remove them.');
}

export async function runStatus(flags: { json?: boolean }): Promise<void> {
  const repo = await resolveRepo(systemRunner);
  const lookup = findSession(repo);
  if (lookup.kind === 'corrupt') throw corruptStateError(lookup);
  if (lookup.kind === 'none' && !flags.json) {
    say('No session for this repo.');
    return sayLeftovers(repo);
  }
  const [{ formatStatus, statusJson }, report] = await Promise.all([
    import('../session/report.js'),
    lookup.kind === 'found' ? reportOf(lookup.state, repo.root) : undefined,
  ]);
  if (flags.json) say(JSON.stringify(statusJson(report), null, 2));
  else if (report) formatStatus(report).forEach((line) => say(line));
}
