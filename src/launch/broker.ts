// The session's broker inside the launch path:
// planning it for a fresh launch or a recovery (the saved port, token and log are kept so the
// URL and the messages survive stop → start), the hidden `broker` window and dashboard pane 0
// it adds to the tmux plan, the skill text of each worktree, the state fields, and — for stop,
// purge and rollback — waiting until the session's own broker has let go of its port before its
// log is touched.
import { existsSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { brokerUrl, canListen, describePortHolder, isSessionBroker, probeBroker } from '../broker/client.js';
import { serverPidPath, startupErrorPath } from '../broker/config.js';
import { planBroker, stopBrokerAndWait, type BrokerPlan } from '../broker/client/session.js';
import { renderSkill } from '../broker/client/skill.js';
import { brokerTargetOf, type BrokerTarget } from '../session/broker-target.js';
import type { SessionState } from '../session/schema.js';
import type { PanePlan, WindowPlan } from '../tmux/plan.js';
import { BrokerError } from '../util/errors.js';
import { warn } from '../util/output.js';
import { gitPawArgv } from '../util/self.js';
import { shellJoin } from '../util/shell.js';
import type { Rollback } from './rollback.js';
import type { LaunchBrokerSettings, LaunchContext } from './types.js';

/** Label of pane 0: what runs there, typed the way a user reopens it. */
export const DASHBOARD_LABEL = 'dashboard → git paw dashboard';

/** How long stop, purge and recovery wait for a broker to release its port. */
const STOP_TIMEOUT_MS = 5_000;

/**
 * Pane 0 of a broker session: `git paw dashboard` from the repo root (never logged). The repo
 * root exists before the worktrees, so the frame opens the pane.
 */
export function dashboardPane(repoRoot: string): PanePlan {
  return {
    cwd: repoRoot,
    label: DASHBOARD_LABEL,
    command: shellJoin(gitPawArgv(['dashboard'])),
    env: {},
    opensWithFrame: true,
  };
}

/** The hidden window whose program is the broker server in its restart loop. */
export function brokerWindow(plan: BrokerPlan): WindowPlan {
  return { name: 'broker', env: plan.windowEnv, argv: plan.command };
}

/** The rendered coordination skill for one worktree; unknown placeholders are warned about. */
export function skillTextFor(
  settings: LaunchBrokerSettings,
  plan: BrokerPlan,
  branch: string,
  withMcp = false,
): string {
  const skill = withMcp && settings.mcpSkill ? settings.mcpSkill : settings.skill;
  const rendered = renderSkill(skill.text, { branch, brokerUrl: plan.url });
  rendered.warnings.forEach(warn);
  return rendered.text;
}

/** The state with this launch's broker fields (or without any, when the session has no broker). */
export function withBrokerFields(state: SessionState, plan: BrokerPlan | undefined): SessionState {
  const {
    broker_port: _port,
    broker_bind: _bind,
    broker_token: _token,
    broker_log_path: savedLog,
    ...rest
  } = state;
  if (plan === undefined) {
    // The log stays recorded so a later purge still removes it (and re-enabling finds the messages).
    return savedLog === undefined ? rest : { ...rest, broker_log_path: savedLog };
  }
  return {
    ...rest,
    broker_port: plan.port,
    broker_bind: plan.bind,
    broker_log_path: plan.logPath,
    ...(plan.token === null ? {} : { broker_token: plan.token }),
  };
}

/**
 * The session's own per-session log, or undefined for anything else a state file may name —
 * e.g. upstream 0.3.0's `broker.log`, shared by every session, which is neither reused nor
 * deleted.
 */
export function ownBrokerLog(
  state: Pick<SessionState, 'session_name' | 'broker_log_path'>,
): string | undefined {
  const path = state.broker_log_path;
  return path !== undefined && basename(path) === `${state.session_name}.broker.jsonl` ? path : undefined;
}

export type BrokerStopOutcome = 'stopped' | 'not ours' | 'still running';

/**
 * After the session's tmux session was killed (its broker got SIGHUP): waits, bounded, until the
 * port is free. Something else on the port (another session's broker, a foreign server) is not
 * waited for.
 */
async function waitForBrokerStop(
  target: BrokerTarget,
  timeoutMs = STOP_TIMEOUT_MS,
): Promise<BrokerStopOutcome> {
  if (await canListen(target.bind, target.port)) return 'stopped';
  const probe = await probeBroker(brokerUrl(target.bind, target.port), { timeoutMs: 500 });
  const ours = isSessionBroker(probe, { session: target.session, repoPath: target.repoPath });
  if (probe.kind === 'foreign' || (probe.kind === 'git-paw' && !ours)) return 'not ours';
  return (await stopBrokerAndWait(target.bind, target.port, { timeoutMs })) ? 'stopped' : 'still running';
}

/** Waits for the broker of a just-killed session to stop; one that outlives the wait is warned about. */
export async function settleBrokerAfterKill(state: SessionState): Promise<BrokerStopOutcome | undefined> {
  const target = brokerTargetOf(state);
  if (target === undefined) return undefined;
  const outcome = await waitForBrokerStop(target);
  if (outcome === 'still running') {
    warn(
      `the broker of session '${state.session_name}' still holds port ${target.port} after ${STOP_TIMEOUT_MS / 1000} s`,
    );
  }
  return outcome;
}

/** Deletes the session's own broker log and start-up error file (call once the broker is down). */
export function removeBrokerFiles(state: SessionState): void {
  const log = ownBrokerLog(state);
  if (log === undefined) return;
  rmSync(startupErrorPath(log), { force: true });
  rmSync(serverPidPath(log), { force: true });
  rmSync(log, { force: true });
}

/**
 * The port to reuse on recovery: the saved one, unless the config now pins another. A broker of
 * this session still shutting down (e.g. right after `tmux kill-server`) is waited for; a port
 * taken by someone else meanwhile is given up with a warning (the URL changes, the messages stay).
 */
async function reusablePort(
  saved: SessionState,
  settings: LaunchBrokerSettings,
): Promise<number | undefined> {
  const target = brokerTargetOf(saved);
  if (target === undefined) return undefined;
  if (settings.port !== undefined && settings.port !== target.port) return undefined;
  if ((await waitForBrokerStop(target)) === 'still running') {
    throw new BrokerError(await describePortHolder(target.bind, target.port), {
      hint: 'the previous broker of this session did not stop; end that process, then run `git paw start` again',
    });
  }
  if (settings.port !== undefined || (await canListen(settings.bind, target.port))) return target.port;
  warn(`${await describePortHolder(settings.bind, target.port)}; the session's broker moves to another port`);
  return undefined;
}

export interface SessionBrokerInput {
  sessionName: string;
  worktrees: readonly { branch: string; cli: string }[];
  settings: LaunchBrokerSettings;
  /** The saved state of a session being recovered. */
  saved?: SessionState;
}

/** Plans the session's broker; BrokerError (nothing created yet) when it cannot run. */
export async function planSessionBroker(ctx: LaunchContext, input: SessionBrokerInput): Promise<BrokerPlan> {
  const { saved, settings } = input;
  const port = saved === undefined ? undefined : await reusablePort(saved, settings);
  const log = saved === undefined ? undefined : ownBrokerLog(saved);
  return planBroker({
    settings,
    session: input.sessionName,
    repoPath: ctx.repo.root,
    roster: input.worktrees.map(({ branch, cli }) => ({ branch, cli })),
    saved: {
      port,
      token: saved?.broker_token,
      logPath: log,
    },
  });
}

/**
 * Registers the removal of what the broker of this launch leaves on disk: its start-up error
 * file, and its log when the launch created it (a recovered session's messages are kept). Runs
 * after the tmux session is killed, once the broker has let go of the port.
 */
export function registerBrokerRollback(rollback: Rollback, plan: BrokerPlan): void {
  const logExisted = existsSync(plan.logPath);
  rollback.add(`broker log '${plan.logPath}'`, async () => {
    await waitForBrokerStop({
      bind: plan.bind,
      port: plan.port,
      session: plan.session,
      repoPath: plan.repoPath,
    });
    rmSync(startupErrorPath(plan.logPath), { force: true });
    rmSync(serverPidPath(plan.logPath), { force: true });
    if (!logExisted) rmSync(plan.logPath, { force: true });
  });
}
