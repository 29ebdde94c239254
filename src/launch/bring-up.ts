// Everything a session needs once its worktrees exist — shared by a fresh launch and recovery so
// neither can forget a step (W-4, W-26, broker W3): each worktree's AGENTS.md (with the rendered
// skill when a broker runs), the log directory, the tmux session (dashboard pane 0, hidden broker
// window, env, labels, log pipes), the broker verified, the state file saved — and only then the
// programs typed into the panes.
import { mkdirSync, rmSync } from 'node:fs';
import { writeWorktreeAgentsMd } from '../agents-md/write.js';
import { agentEnv, waitForBroker, type BrokerPlan } from '../broker/session.js';
import { agentIdOf } from '../git/names.js';
import { paneLogPath, sessionLogDir } from '../logs/paths.js';
import type { SessionState, WorktreeEntry } from '../session/schema.js';
import { deleteState, saveState } from '../session/store.js';
import { createSession, hasSession, killSession, startPanePrograms } from '../tmux/client.js';
import type { PanePlan, SessionPlan } from '../tmux/plan.js';
import { sessionsDir } from '../util/dirs.js';
import { SessionError, describeError } from '../util/errors.js';
import { brokerWindow, dashboardPane, registerBrokerRollback, skillTextFor, withBrokerFields } from './broker.js';
import type { Rollback } from './rollback.js';
import type { LaunchContext, LaunchSettings } from './types.js';

/** The pane label shown in the border: `<branch> → <cli>`. */
export function paneLabel(branch: string, cli: string): string {
  return `${branch} → ${cli}`;
}

/** The shell text that starts an entry's CLI (upstream files have no `command`: the CLI text). */
export function commandOf(entry: WorktreeEntry): string {
  return entry.command ?? entry.cli;
}

/**
 * The tmux plan of a session: one agent pane per worktree entry, in saved order; with a broker,
 * the dashboard first (pane 0), the broker's window and the broker variables on the session.
 */
export function sessionPlanFor(repoRoot: string, state: SessionState, settings: LaunchSettings, broker?: BrokerPlan): SessionPlan {
  const agents: PanePlan[] = state.worktrees.map((entry) => ({
    cwd: entry.worktree_path,
    label: paneLabel(entry.branch, entry.cli),
    command: commandOf(entry),
    env: agentEnv(agentIdOf(entry.branch)),
    ...(settings.logging ? { logPath: paneLogPath(repoRoot, state.session_name, entry.branch) } : {}),
  }));
  if (broker === undefined) return { name: state.session_name, mouse: settings.mouse, env: {}, panes: agents };
  return {
    name: state.session_name,
    mouse: settings.mouse,
    env: broker.sessionEnv,
    panes: [dashboardPane(repoRoot), ...agents],
    windows: [brokerWindow(broker)],
  };
}

async function writeAgentsMdFiles(ctx: LaunchContext, state: SessionState, settings: LaunchSettings, broker?: BrokerPlan): Promise<void> {
  // Rendered one by one first, so placeholder warnings come out in worktree order.
  const skills = state.worktrees.map((entry) =>
    settings.broker && broker ? skillTextFor(settings.broker, broker, entry.branch) : undefined,
  );
  const results = await Promise.allSettled(
    state.worktrees.map((entry, index) => {
      const skillText = skills[index];
      return writeWorktreeAgentsMd(ctx.runner, ctx.repo, entry.worktree_path, {
        branch: entry.branch,
        cli: entry.cli,
        ...(entry.spec_text === undefined ? {} : { specText: entry.spec_text }),
        ...(entry.owned_files === undefined ? {} : { ownedFiles: entry.owned_files }),
        ...(skillText === undefined ? {} : { skillText }),
      });
    }),
  );
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}

function createLogDir(ctx: LaunchContext, sessionName: string, rollback: Rollback): void {
  const dir = sessionLogDir(ctx.repo.root, sessionName);
  let created: string | undefined;
  try {
    created = mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new SessionError(`failed to create log directory ${dir}: ${describeError(error)}`);
  }
  if (created !== undefined) {
    const topmost = created;
    rollback.add(`log directory '${topmost}'`, () => rmSync(topmost, { recursive: true, force: true }));
  }
}

export interface BringUp {
  state: SessionState;
  settings: LaunchSettings;
  /** The planned broker (settings.broker is set). */
  broker?: BrokerPlan;
  /** The state file being replaced (recovery): put back if a later step fails. */
  previous?: SessionState;
}

/**
 * Brings a session up: AGENTS.md files, log dir, tmux session, broker verified (W2), state saved
 * (with the broker fields), then the panes' programs started. The worktrees must exist.
 * Everything created is registered with `rollback`. Returns the saved state.
 */
export async function bringUpSession(ctx: LaunchContext, bringUp: BringUp, rollback: Rollback): Promise<SessionState> {
  const { settings, broker, previous } = bringUp;
  const state = withBrokerFields(bringUp.state, broker);
  await writeAgentsMdFiles(ctx, state, settings, broker);
  rollback.checkpoint();
  if (settings.logging) createLogDir(ctx, state.session_name, rollback);
  if (broker) registerBrokerRollback(rollback, broker);
  rollback.add(`tmux session '${state.session_name}'`, async () => {
    if (await hasSession(ctx.runner, state.session_name)) await killSession(ctx.runner, state.session_name);
  });
  const plan = sessionPlanFor(ctx.repo.root, state, settings, broker);
  // The session environment (the broker token) reaches tmux through a private file there.
  const paneIds = await createSession(ctx.runner, plan, sessionsDir(ctx.env));
  rollback.checkpoint();
  if (broker) await waitForBroker(broker);
  rollback.checkpoint();
  saveState(state, ctx.env);
  rollback.add('the session state', () => (previous ? saveState(previous, ctx.env) : deleteState(state.session_name, ctx.env)));
  await startPanePrograms(ctx.runner, plan, paneIds);
  return state;
}
