// The one launch path (fresh start, presets, from-specs, demo): validate the whole plan, plan the
// broker (port, agent ids), create the worktrees while tmux opens the session's frame (and the
// broker starts), bring the session up and save its state — or, on any failure, remove
// everything this launch created and report what failed. The broker modules are loaded only when
// the session has a broker.
import { removeAgentsMdExclude } from '../agents-md/exclude.js';
import { removeBootstrapExclude } from '../bootstrap/files.js';
import { readCommitFiles } from '../agents-md/committed.js';
import { agentsMdPipeline, type AgentsMdTarget } from '../agents-md/write.js';
import type { BrokerPlan } from '../broker/client/session.js';
import { forkPoints } from '../conflicts/fork-points.js';
import { mainCheckoutBranch } from '../git/repo.js';
import { pruneWorktrees } from '../git/worktrees.js';
import type { SessionState, WorktreeEntry } from '../session/schema.js';
import { formatCreatedAt } from '../session/store.js';
import { agentsMdTargets, bringUpSession, openSessionFrame } from './bring-up.js';
import { planLaunch, type LaunchPlan } from './plan.js';
import { portBlocksForLaunch } from './ports.js';
import { withRollback, type Rollback } from './rollback.js';
import type { AgentRequest, LaunchContext, LaunchSettings } from './types.js';
import type { PlanFacts } from './facts.js';
import type { PlannedAgent } from './validate.js';
import { createAgentWorktrees, registerPruneOnRollback } from './worktrees.js';

export interface LaunchInput extends LaunchContext {
  agents: AgentRequest[];
  settings: LaunchSettings;
  /** Facts gathered while the input was being assembled; gathered during planning when absent. */
  facts?: Promise<PlanFacts>;
}

function entryOf(agent: PlannedAgent, ports: number[] | undefined): WorktreeEntry {
  return {
    branch: agent.branch,
    worktree_path: agent.worktreePath,
    cli: agent.cli.name,
    branch_created: agent.source === 'new',
    command: agent.cli.command,
    spec_text: agent.specText,
    owned_files: agent.ownedFiles,
    ...(ports ? { ports } : {}),
  };
}

/** The session's broker with its state fields, when the settings enable one. */
async function planBrokerOf(
  ctx: LaunchContext,
  plan: LaunchPlan,
): Promise<{ plan: BrokerPlan; stateOf: (state: SessionState) => SessionState } | undefined> {
  const settings = plan.settings.broker;
  if (!settings) return undefined;
  const { planSessionBroker, withBrokerFields } = await import('./broker.js');
  const broker = await planSessionBroker(ctx, {
    sessionName: plan.sessionName,
    worktrees: plan.agents.map((agent) => ({ branch: agent.branch, cli: agent.cli.name })),
    settings,
  });
  return { plan: broker, stateOf: (state) => withBrokerFields(state, broker) };
}

/**
 * Creates the worktrees and writes each one's AGENTS.md as soon as it exists, while git creates
 * the next. Every write has finished before this returns or throws, so a rollback never races one.
 */
async function createWorktreesWithAgentsMd(
  ctx: LaunchContext,
  plan: LaunchPlan,
  targets: readonly AgentsMdTarget[],
  rollback: Rollback,
): Promise<void> {
  // New branches start at the main worktree's HEAD, local ones at their ref; a branch git makes
  // from a remote one reads its own HEAD once it exists.
  const checkouts = plan.agents.map((agent) =>
    agent.source === 'new' ? 'HEAD' : agent.source === 'local' ? `refs/heads/${agent.branch}` : undefined,
  );
  const treeishes = [...new Set(checkouts.filter((treeish) => treeish !== undefined))];
  const commitFiles = readCommitFiles(ctx.runner, ctx.repo.root, treeishes);
  commitFiles.catch(() => undefined);
  const agentsMd = agentsMdPipeline(ctx.runner, ctx.repo, commitFiles);
  try {
    await createAgentWorktrees(
      ctx,
      plan.agents,
      plan.overlapCheckouts,
      rollback,
      (index) => agentsMd.add(targets[index] as AgentsMdTarget, checkouts[index]),
      plan.bootstrap,
    );
  } catch (error) {
    await agentsMd.done().catch(() => undefined);
    throw error;
  }
  await agentsMd.done();
}

/** Executes a validated plan, rolling everything back on failure. */
async function executeLaunchPlan(ctx: LaunchContext, plan: LaunchPlan): Promise<SessionState> {
  const { runner, repo } = ctx;
  // Before anything exists: a taken port or colliding agent ids stop the launch here.
  const broker = await planBrokerOf(ctx, plan);
  // So are a [ports] range too small or too busy for every agent's block.
  const ports = await portBlocksForLaunch(
    ctx,
    plan.sessionName,
    plan.agents.length,
    plan.settings.ports,
    broker?.plan.port,
  );
  const base = mainCheckoutBranch(repo);
  // Read before the worktrees exist: new branches start at this HEAD.
  const forks = forkPoints(
    repo,
    plan.agents.map((agent) => ({ branch: agent.branch, created: agent.source === 'new' })),
  );
  return withRollback(async (rollback) => {
    if (plan.staleWorktrees) await pruneWorktrees(runner, repo);
    registerPruneOnRollback(ctx, rollback);
    // A fresh launch means no other session of this repo needs the exclude entries.
    rollback.add('the AGENTS.md exclude entry', () => void removeAgentsMdExclude(repo));
    if (plan.bootstrap)
      rollback.add('the exclude entries of copied and linked files', () => void removeBootstrapExclude(repo));
    const fresh: SessionState = {
      session_name: plan.sessionName,
      repo_path: repo.root,
      project_name: repo.project,
      created_at: formatCreatedAt(new Date()),
      status: 'active',
      worktrees: plan.agents.map((agent, index) => entryOf(agent, ports?.[index])),
      mouse: plan.settings.mouse,
      base_branch: base,
    };
    const state = broker ? broker.stateOf(fresh) : fresh;
    const bringUp = {
      state,
      settings: plan.settings,
      agentsMdWritten: true,
      // Every worktree of a fresh launch is new.
      setupBranches: new Set(plan.agents.map((agent) => agent.branch)),
      ...(broker ? { broker: broker.plan } : {}),
    };
    const targets = await agentsMdTargets(state, plan.settings, broker?.plan);
    // git starts the first worktree (the critical path) before tmux is asked for the frame. Both
    // settle before anything fails, so a rollback never races a worktree being made.
    const [worktrees, frame] = await Promise.allSettled([
      createWorktreesWithAgentsMd(ctx, plan, targets, rollback),
      openSessionFrame(ctx, bringUp, rollback),
    ]);
    if (frame.status === 'rejected') throw frame.reason;
    if (worktrees.status === 'rejected') {
      // Rollback kills the session by name: it must exist (or have failed) by then.
      await frame.value.panes.catch(() => undefined);
      throw worktrees.reason;
    }
    const withForks: SessionState = {
      ...state,
      worktrees: state.worktrees.map((entry) => {
        const point = forks.get(entry.branch);
        return point === undefined ? entry : { ...entry, base_commit: point };
      }),
    };
    return bringUpSession(ctx, { ...bringUp, state: withForks, frame: frame.value }, rollback);
  });
}

/** Validates, creates and starts a new session; returns its saved state. Does not attach. */
export async function launchSession(input: LaunchInput): Promise<SessionState> {
  const plan = await planLaunch(input, input.agents, input.settings, input.facts);
  return executeLaunchPlan(input, plan);
}
