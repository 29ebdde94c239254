// `git paw status` (`--json`): the session of this repo, its effective status, tmux liveness, its
// broker (probed: running with its agents, or not responding — a broker of a running session that
// does not answer is brought back first) and worktrees; without a session, what an earlier one
// left behind. Works without tmux installed (`Tmux:    not running`). `--why <agent>` shows the
// signals behind one agent's observed state instead. The report and broker modules are loaded
// only when there is a session to show, so the common "no session" answer starts fast.
import { agentIdOf } from '../git/names.js';
import { resolveRepo, type RepoInfo } from '../git/repo.js';
import type { StatusReport } from '../session/report.js';
import type { SessionState } from '../session/schema.js';
import { effectiveStatus } from '../session/status.js';
import { corruptStateError, findSession } from '../session/store.js';
import { hasSession, tmuxInstalled } from '../tmux/client.js';
import { BrokerError, SessionError } from '../util/errors.js';
import { systemRunner } from '../util/exec.js';
import { say } from '../util/output.js';

async function brokerReportOf(state: SessionState): Promise<Pick<StatusReport, 'broker'>> {
  const { brokerTargetOf } = await import('../session/broker-target.js');
  const target = brokerTargetOf(state);
  if (target === undefined) return {};
  const [{ brokerUrl }, { readBrokerReport }] = await Promise.all([
    import('../broker/client.js'),
    import('../broker/client/status.js'),
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
  return {
    state,
    status: effectiveStatus(state, tmuxRunning),
    tmuxRunning,
    ...broker,
    ...(await conflictsOf(state, broker.broker)),
  };
}

/**
 * The broker's conflict report when it has one; otherwise (no broker, or one not watching yet)
 * a report computed now from git, for a session with two worktrees or more.
 */
async function conflictsOf(
  state: SessionState,
  broker: StatusReport['broker'],
): Promise<Pick<StatusReport, 'conflicts'>> {
  if (state.worktrees.length < 2) return {};
  const { reportFromStatus } = await import('../conflicts/report.js');
  const watched = broker?.state === 'running' ? reportFromStatus(broker.status) : undefined;
  if (watched?.check.checked_at) return { conflicts: watched };
  const { freshConflictReport } = await import('../conflicts/fresh.js');
  return { conflicts: await freshConflictReport(systemRunner, state) };
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

/** `--why <agent>`: the agent's last signals, read from the session's broker with its token. */
async function runWhy(state: SessionState, agentId: string, json: boolean): Promise<void> {
  const { brokerTargetOf } = await import('../session/broker-target.js');
  const target = brokerTargetOf(state);
  if (target === undefined) {
    throw new BrokerError('this session runs without a broker, so no agent state is observed', {
      hint: 'remove `enabled = false` from [broker] in .git-paw/config.toml, then start the session again',
    });
  }
  const [{ brokerUrl }, { fetchSignals, whyLines }] = await Promise.all([
    import('../broker/client.js'),
    import('../broker/client/why.js'),
  ]);
  const answer = await fetchSignals(brokerUrl(target.bind, target.port), agentId, state.broker_token);
  if (answer.kind === 'unknown') {
    const agents = state.worktrees.map((entry) => agentIdOf(entry.branch));
    throw new SessionError(`no agent '${agentId}' in session ${state.session_name}`, {
      hint: `this session's agents: ${agents.join(', ') || '(none)'}`,
    });
  }
  if (json) say(JSON.stringify(answer.doc, null, 2));
  else whyLines(answer.doc).forEach((line) => say(line));
}

export async function runStatus(flags: { json?: boolean; why?: string }): Promise<void> {
  const repo = await resolveRepo(systemRunner);
  const lookup = findSession(repo);
  if (lookup.kind === 'corrupt') throw corruptStateError(lookup);
  if (flags.why !== undefined) {
    if (lookup.kind === 'none')
      throw new SessionError('no session for this repo', { hint: 'start one with `git paw start`' });
    return runWhy(lookup.state, flags.why, flags.json === true);
  }
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
