// The one launch path (fresh start, presets, from-specs, demo): validate the whole plan, plan the
// broker (port, agent ids), create the worktrees, bring the session up and save its state — or,
// on any failure, remove everything this launch created and report what failed.
import { removeAgentsMdExclude } from '../agents-md/exclude.js';
import { pruneWorktrees } from '../git/worktrees.js';
import type { SessionState, WorktreeEntry } from '../session/schema.js';
import { formatCreatedAt } from '../session/store.js';
import { bringUpSession } from './bring-up.js';
import { planSessionBroker } from './broker.js';
import { planLaunch, type LaunchPlan } from './plan.js';
import { withRollback } from './rollback.js';
import type { AgentRequest, LaunchContext, LaunchSettings } from './types.js';
import type { PlannedAgent } from './validate.js';
import { createAgentWorktree, registerPruneOnRollback } from './worktrees.js';

export interface LaunchInput extends LaunchContext {
  agents: AgentRequest[];
  settings: LaunchSettings;
}

function entryOf(agent: PlannedAgent): WorktreeEntry {
  return {
    branch: agent.branch,
    worktree_path: agent.worktreePath,
    cli: agent.cli.name,
    branch_created: agent.source === 'new',
    command: agent.cli.command,
    ...(agent.specText === undefined ? {} : { spec_text: agent.specText }),
    ...(agent.ownedFiles === undefined ? {} : { owned_files: agent.ownedFiles }),
  };
}

/** Executes a validated plan, rolling everything back on failure. */
async function executeLaunchPlan(ctx: LaunchContext, plan: LaunchPlan): Promise<SessionState> {
  const { runner, repo } = ctx;
  const brokerSettings = plan.settings.broker;
  // Before anything exists: a taken port or colliding agent ids stop the launch here.
  const broker =
    brokerSettings &&
    (await planSessionBroker(ctx, {
      sessionName: plan.sessionName,
      worktrees: plan.agents.map((agent) => ({ branch: agent.branch, cli: agent.cli.name })),
      settings: brokerSettings,
    }));
  return withRollback(async (rollback) => {
    await pruneWorktrees(runner, repo.root);
    registerPruneOnRollback(ctx, rollback);
    // A fresh launch means no other session of this repo needs the AGENTS.md exclude entry.
    rollback.add('the AGENTS.md exclude entry', () => void removeAgentsMdExclude(repo));
    for (const agent of plan.agents) {
      rollback.checkpoint();
      await createAgentWorktree(ctx, agent, rollback);
    }
    const state: SessionState = {
      session_name: plan.sessionName,
      repo_path: repo.root,
      project_name: repo.project,
      created_at: formatCreatedAt(new Date()),
      status: 'active',
      worktrees: plan.agents.map(entryOf),
      mouse: plan.settings.mouse,
    };
    return bringUpSession(ctx, { state, settings: plan.settings, ...(broker ? { broker } : {}) }, rollback);
  });
}

/** Validates, creates and starts a new session; returns its saved state. Does not attach. */
export async function launchSession(input: LaunchInput): Promise<SessionState> {
  const plan = await planLaunch(input, input.agents, input.settings);
  return executeLaunchPlan(input, plan);
}
