// Bringing a session's broker back when its whole window is gone (the restart loop itself was
// killed, or the window closed): `status` and `start` (reattach) notice that the broker of a
// running session does not answer and start it again in a new hidden window, on the saved port
// with the saved token and log — the same URL, with its messages. A broker window that still
// exists is restarting by itself and is only waited for (bounded). The new broker follows the
// repo's config as it is now for what the saved state does not fix (notifications, the log's
// compaction limit, the MCP endpoint), as a recovered session does.
import { brokerUrl, isSessionBroker, probeBroker } from '../broker/client.js';
import { isLoopbackBind } from '../broker/bind.js';
import { planBroker, stopBrokerAndWait, waitForBroker } from '../broker/client/session.js';
import { acquireRepoLock, type RepoLock } from '../session/lock.js';
import type { SessionState } from '../session/schema.js';
import { openWindow, windowNames } from '../tmux/client.js';
import { describeError } from '../util/errors.js';
import type { CommandRunner } from '../util/exec.js';
import { warn } from '../util/output.js';
import { brokerTargetOf } from '../session/broker-target.js';
import { brokerWindow, ownBrokerLog } from './broker.js';
import type { BrokerSettings } from '../broker/client/session.js';

/** How long a broker window that still exists gets to answer again. */
const RESTARTING_WAIT_MS = 5_000;

export type BrokerRevival =
  | 'answering'
  /** Started again in a new window. */
  | 'revived'
  /** Not answering, and not brought back (the reason was warned about). */
  | 'down';

async function answersWithin(state: SessionState, url: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  const identity = { session: state.session_name, repoPath: state.repo_path };
  for (;;) {
    if (isSessionBroker(await probeBroker(url, { timeoutMs: 500 }), identity)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * What the repo's config says about the broker beyond its address: the MCP endpoint, the log's
 * compaction limit and the notifications. A config that cannot be read now does not keep the
 * broker down: it comes back with the defaults, and the user is told.
 */
async function configuredExtras(
  repoRoot: string,
): Promise<Pick<BrokerSettings, 'mcp' | 'logLimit' | 'notifications'>> {
  try {
    const [{ loadRepoConfig }, { brokerSettings, notificationSettings }] = await Promise.all([
      import('./settings.js'),
      import('../config/effective.js'),
    ]);
    const config = await loadRepoConfig(repoRoot);
    const { mcp, logLimit } = brokerSettings(config);
    return {
      mcp,
      ...(logLimit === undefined ? {} : { logLimit }),
      notifications: notificationSettings(config),
    };
  } catch (error) {
    warn(`the broker comes back with default settings: ${describeError(error)}`);
    return {};
  }
}

/**
 * `reviveBroker` under the repo lock, for a command that does not hold it (`status`); when
 * another git-paw command holds the lock, it is left to that command and undefined returned.
 */
export async function reviveBrokerLocked(
  runner: CommandRunner,
  repoRoot: string,
  state: SessionState,
): Promise<BrokerRevival | undefined> {
  let lock: RepoLock;
  try {
    lock = acquireRepoLock(repoRoot);
  } catch {
    return undefined;
  }
  try {
    return await reviveBroker(runner, state);
  } finally {
    lock.release();
  }
}

/**
 * Makes sure the broker of `state`, whose tmux session runs, answers: waits for a window that is
 * restarting it, or opens a new broker window when there is none. The caller holds the repo lock.
 */
export async function reviveBroker(
  runner: CommandRunner,
  state: SessionState,
): Promise<BrokerRevival | undefined> {
  const target = brokerTargetOf(state);
  if (target === undefined) return undefined;
  const url = brokerUrl(target.bind, target.port);
  const probe = await probeBroker(url, { timeoutMs: 500 });
  if (isSessionBroker(probe, { session: state.session_name, repoPath: state.repo_path })) return 'answering';
  if ((await windowNames(runner, state.session_name)).includes('broker')) {
    return (await answersWithin(state, url, RESTARTING_WAIT_MS)) ? 'answering' : 'down';
  }
  // The window is gone; a server of it may still be letting go of the port.
  if (probe.kind !== 'free' && !(await stopBrokerAndWait(target.bind, target.port))) {
    warn(`the broker of session '${state.session_name}' is gone, and port ${target.port} is still taken`);
    return 'down';
  }
  try {
    const plan = await planBroker({
      settings: {
        bind: target.bind,
        port: target.port,
        allowRemote: !isLoopbackBind(target.bind),
        auth: state.broker_token === undefined ? 'none' : 'token',
        ...(await configuredExtras(state.repo_path)),
      },
      session: state.session_name,
      repoPath: state.repo_path,
      roster: state.worktrees.map(({ branch, cli }) => ({ branch, cli })),
      saved: {
        port: target.port,
        token: state.broker_token,
        logPath: ownBrokerLog(state),
      },
    });
    // The new window takes the token from the session environment, which outlived the window.
    await openWindow(runner, state.session_name, brokerWindow(plan));
    await waitForBroker(plan);
  } catch (error) {
    warn(
      `the broker of session '${state.session_name}' was gone and could not be started again: ${describeError(error)}`,
    );
    return 'down';
  }
  warn(`the broker of session '${state.session_name}' was gone; started it again on ${url}`);
  return 'revived';
}
