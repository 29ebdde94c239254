// `git paw dashboard`: open the live dashboard of this repo's session in the current terminal.
// Pane 0 of a broker-enabled session runs this same command. The view (Ink) is imported only
// here, after every check passed.
import { brokerUrl } from '../broker/client.js';
import type { RosterAgent } from '../dashboard/rows.js';
import { agentIdOf } from '../git/names.js';
import { resolveRepo } from '../git/repo.js';
import { brokerTargetOf } from '../session/broker-target.js';
import { corruptStateError, findSession } from '../session/store.js';
import { DashboardError } from '../util/errors.js';
import { systemRunner } from '../util/exec.js';
import { isInteractive } from '../util/output.js';

export async function runDashboard(): Promise<void> {
  const repo = await resolveRepo(systemRunner);
  const lookup = findSession(repo);
  if (lookup.kind === 'corrupt') throw corruptStateError(lookup);
  if (lookup.kind === 'none') {
    throw new DashboardError('no git-paw session for this repo', {
      hint: 'start one with `git paw start`',
    });
  }
  const { state } = lookup;
  const target = brokerTargetOf(state);
  if (target === undefined) {
    throw new DashboardError(`session '${state.session_name}' runs without a broker`, {
      hint: 'the broker is on unless `[broker] enabled = false` in the repository or global config; remove that line, then `git paw stop` and `git paw start`',
    });
  }
  if (!isInteractive()) {
    throw new DashboardError('the dashboard needs a terminal (stdin and stdout must be a TTY)', {
      hint: 'run `git paw dashboard` in a terminal; `git paw status` prints the agents once',
    });
  }
  const roster: RosterAgent[] = state.worktrees.map((worktree) => ({
    agent_id: agentIdOf(worktree.branch),
    cli: worktree.cli,
    ...(worktree.ports ? { ports: worktree.ports } : {}),
  }));
  // React's development build checks every element and hook call, at several times the CPU of
  // its production build in a view that stays open for hours; set before React first loads.
  process.env.NODE_ENV ??= 'production';
  const { showDashboard } = await import('../dashboard/app.js');
  // The broker's own URL rule: a wildcard bind is reached over loopback.
  await showDashboard({
    session: state.session_name,
    brokerUrl: brokerUrl(target.bind, target.port),
    roster,
  });
}
