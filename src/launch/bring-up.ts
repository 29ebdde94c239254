// Everything a session needs once its worktrees exist — shared by a fresh launch and recovery so
// neither can forget a step: each worktree's AGENTS.md (with the rendered skill when a broker
// runs), the log directory, the tmux session (a frame with env, hidden broker window and
// dashboard pane 0, and the agents' generated files, which a launch makes while it creates the
// worktrees; then the agents' panes), the state file saved, the broker verified, and then labels, log
// pipes and the programs typed into the panes. The agents' hooks and MCP clients talk to the
// broker from their first seconds, and starting the programs (the dashboard's too) would take the
// CPU that the broker's start needs, which every launch waits for: so the programs are typed once
// the broker answers, and a broker that does not answer fails the bring-up before any agent ran
// (the whole launch is rolled back). The broker's steps live in bring-up-broker, loaded only when
// the session has a broker. Panes of fresh worktrees run `[worktree] setup` before their CLI.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeWorktreesAgentsMd, type AgentsMdTarget } from '../agents-md/write.js';
import type { BrokerPlan } from '../broker/client/session.js';
import { agentIdOf } from '../git/names.js';
import { paneLogPath, sessionLogDir } from '../logs/paths.js';
import { portEnv } from '../bootstrap/ports.js';
import { commandOf, type SessionState, type WorktreeEntry } from '../session/schema.js';
import { deleteState, saveState } from '../session/store.js';
import {
  createSessionFrame,
  hasSession,
  killSession,
  openPanes,
  startPanes,
  type FramePanes,
} from '../tmux/client.js';
import type { SessionPlan } from '../tmux/plan.js';
import type { GeneratedFile, Integration } from '../agents/adapter.js';
import { setupFiles, withSetup } from '../bootstrap/setup.js';
import { agentFilesDir, agentIntegrations, integratedPane, writeIntegrationFiles } from './integration.js';
import { sessionsDir } from '../util/dirs.js';
import { gitPawArgv } from '../util/self.js';
import { SessionError, describeError } from '../util/errors.js';
import type { Rollback } from './rollback.js';
import type { LaunchContext, LaunchSettings } from './types.js';

/** The pane label shown in the border: `<branch> → <cli>`. */
function paneLabel(branch: string, cli: string): string {
  return `${branch} → ${cli}`;
}

/**
 * Per-pane environment of an agent: its broker agent id (set with or without a broker) and its
 * block of ports (PORT, GIT_PAW_PORT_<i>) when it has one.
 */
function agentPaneEnv(entry: WorktreeEntry): Record<string, string> {
  return { GIT_PAW_AGENT_ID: agentIdOf(entry.branch), ...portEnv(entry.ports ?? []) };
}

/**
 * The tmux plan of a session's agents: one pane per worktree entry, in saved order, each with its
 * integration and, when it runs setup first, its setup script. A broker session adds its
 * dashboard, window and environment (bring-up-broker's withBrokerLayout).
 */
export function sessionPlanFor(
  repoRoot: string,
  state: SessionState,
  settings: LaunchSettings,
  integrations: readonly Integration[] = [],
  setups: readonly (GeneratedFile | undefined)[] = [],
): SessionPlan {
  const panes = state.worktrees.map((entry, index) => {
    const pane = {
      cwd: entry.worktree_path,
      label: paneLabel(entry.branch, entry.cli),
      command: commandOf(entry),
      env: agentPaneEnv(entry),
      agentId: agentIdOf(entry.branch),
      ...(settings.logging ? { logPath: paneLogPath(repoRoot, state.session_name, entry.branch) } : {}),
    };
    const integration = integrations[index];
    const integrated = integration ? integratedPane(pane, integration) : pane;
    const setup = setups[index];
    return setup ? withSetup(integrated, setup.path) : integrated;
  });
  return { name: state.session_name, mouse: settings.mouse, repo: repoRoot, env: {}, panes };
}

/** The whole session's plan: the agents' panes, with the broker's layout when it has a broker. */
async function fullSessionPlan(
  repoRoot: string,
  bringUp: Pick<BringUp, 'state' | 'settings' | 'broker'>,
  integrations?: readonly Integration[],
  setups?: readonly (GeneratedFile | undefined)[],
): Promise<SessionPlan> {
  const { state, settings, broker } = bringUp;
  const agentsPlan = sessionPlanFor(repoRoot, state, settings, integrations, setups);
  if (!broker) return agentsPlan;
  return (await import('./bring-up-broker.js')).withBrokerLayout(agentsPlan, repoRoot, broker);
}

/**
 * What each worktree's AGENTS.md says, in worktree order — with the rendered skill when a broker
 * runs (rendered one by one, so placeholder warnings come out in worktree order).
 */
export async function agentsMdTargets(
  state: SessionState,
  settings: LaunchSettings,
  broker?: BrokerPlan,
): Promise<AgentsMdTarget[]> {
  const skills =
    broker && settings.broker
      ? (await import('./bring-up-broker.js')).skillTexts(settings.broker, broker, state, settings.plainClis)
      : [];
  return state.worktrees.map((entry, index) => {
    const skillText = skills[index];
    return {
      worktreePath: entry.worktree_path,
      assignment: {
        branch: entry.branch,
        cli: entry.cli,
        specText: entry.spec_text,
        ownedFiles: entry.owned_files,
        ports: entry.ports,
        skillText,
      },
    };
  });
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

/** The session's tmux frame being created, and the agents' generated files (openSessionFrame). */
export interface SessionFrame {
  /** The frame's panes (its placeholder, and the dashboard when the plan has one), once it exists. */
  panes: Promise<FramePanes>;
  /** Each agent's integration (flags, variables, files), in worktree order. */
  integrations: Integration[];
  /** Each agent's setup script, when its pane runs `[worktree] setup` first. */
  setups: (GeneratedFile | undefined)[];
}

export interface BringUp {
  /** The state to save, broker fields included (launch/broker's withBrokerFields). */
  state: SessionState;
  settings: LaunchSettings;
  /** The planned broker (settings.broker is set). */
  broker?: BrokerPlan;
  /** The state file being replaced (recovery): put back if a later step fails. */
  previous?: SessionState;
  /** The launch already wrote every AGENTS.md while creating the worktrees. */
  agentsMdWritten?: boolean;
  /** The frame, when the launch opened it while creating the worktrees. */
  frame?: SessionFrame;
  /** Branches whose panes run `[worktree] setup` before their CLI (fresh worktrees, or all with --rerun-setup). */
  setupBranches?: ReadonlySet<string>;
}

/**
 * Starts creating the session's tmux frame — the session with a placeholder pane, its
 * environment, the broker's window, the dashboard pane and the options — and writes the agents'
 * generated files (their CLI settings, setup scripts). Neither needs a worktree, so a launch runs
 * this while git creates them (the broker starts meanwhile too). Registers the broker's files and
 * the session with `rollback` first. A failure of tmux surfaces where `panes` is awaited.
 */
export async function openSessionFrame(
  ctx: LaunchContext,
  bringUp: Pick<BringUp, 'state' | 'settings' | 'broker' | 'setupBranches'>,
  rollback: Rollback,
): Promise<SessionFrame> {
  const { state, settings, broker } = bringUp;
  if (broker) (await import('./bring-up-broker.js')).registerBrokerRollback(rollback, broker);
  rollback.add(`tmux session '${state.session_name}'`, async () => {
    if (await hasSession(ctx.runner, state.session_name)) await killSession(ctx.runner, state.session_name);
  });
  // The frame needs no pane's command: the agents' integrations are added once the worktrees exist.
  const plan = await fullSessionPlan(ctx.repo.root, bringUp);
  // The session environment (the broker token) reaches tmux through a private file there.
  const panes = createSessionFrame(ctx.runner, plan, ctx.repo.root, sessionsDir(ctx.env));
  panes.catch(() => undefined);
  // While tmux makes the frame.
  const integrations = agentIntegrations(state, settings, broker?.url, ctx.env);
  const agentsDir = agentFilesDir(state.session_name, ctx.env);
  const setups = setupFiles(
    state.worktrees,
    settings.bootstrap?.setup ?? [],
    bringUp.setupBranches,
    (branch) => join(agentsDir, agentIdOf(branch)),
  );
  const files = [
    ...integrations.flatMap((integration) => integration.files),
    ...setups.filter((file) => file !== undefined),
  ];
  try {
    writeIntegrationFiles(state.session_name, files, rollback, ctx.env);
  } catch (error) {
    // Rollback kills the session by name: it must exist (or have failed) by then.
    await panes.catch(() => undefined);
    throw error;
  }
  return { panes, integrations, setups };
}

/**
 * Brings a session up: AGENTS.md files (unless already written), log dir, tmux frame (unless
 * already opened) and panes, state saved, the panes' labels, log pipes and programs, and the
 * broker verified before this returns. The worktrees must exist. Everything created is
 * registered with `rollback`. Returns the saved state.
 */
export async function bringUpSession(
  ctx: LaunchContext,
  bringUp: BringUp,
  rollback: Rollback,
): Promise<SessionState> {
  const { state, settings, broker, previous } = bringUp;
  if (!bringUp.agentsMdWritten)
    await writeWorktreesAgentsMd(ctx.runner, ctx.repo, await agentsMdTargets(state, settings, broker));
  rollback.checkpoint();
  if (settings.logging) createLogDir(ctx, state.session_name, rollback);
  const frame = bringUp.frame ?? (await openSessionFrame(ctx, bringUp, rollback));
  const plan = await fullSessionPlan(ctx.repo.root, bringUp, frame.integrations, frame.setups);
  // The broker's check runs beside the panes' creation; it stops polling once the bring-up ends.
  const brokerWait = new AbortController();
  // An interrupted launch stops waiting for its broker at once, too.
  rollback.signal.addEventListener('abort', () => brokerWait.abort(), { once: true });
  const verified = broker
    ? (await import('./bring-up-broker.js')).waitForBroker(broker, { signal: brokerWait.signal })
    : undefined;
  verified?.catch(() => undefined);
  try {
    const panes = openPanes(ctx.runner, plan, await frame.panes);
    try {
      // While tmux opens the panes: the state saved, before the dashboard in pane 0 looks for it.
      rollback.checkpoint();
      saveState(state, ctx.env);
      rollback.add('the session state', () =>
        previous ? saveState(previous, ctx.env) : deleteState(state.session_name, ctx.env),
      );
    } finally {
      // Whatever happened meanwhile, rollback runs only once tmux is done.
      await panes.catch(() => undefined);
    }
    const paneIds = await panes;
    rollback.checkpoint();
    if (verified) {
      await verified.catch(async (error: unknown) => {
        throw await (
          await import('./bring-up-broker.js')
        ).withBrokerOutput(ctx.runner, state.session_name, error);
      });
    }
    rollback.checkpoint();
    await startPanes(ctx.runner, plan, paneIds);
  } finally {
    brokerWait.abort();
  }
  if (settings.jumpKey !== undefined) {
    const { bindJumpKey } = await import('../attention/jump-key.js');
    await bindJumpKey(ctx.runner, state.session_name, settings.jumpKey, gitPawArgv([]));
  }
  return state;
}
