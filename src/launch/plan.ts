// Planning a fresh launch: validate the agents, pick a free session name, and render the plan
// for `--dry-run` (byte for byte as 0.3.0 prints it, plus each agent's ports with `[ports]`, the
// copied and linked files with `[worktree] copy`/`link`, and the setup commands with `setup`).
import { bootstrapDryRunLines, planBootstrap, type BootstrapPlan } from '../bootstrap/plan.js';
import { setupDryRunLines } from '../bootstrap/setup.js';
import { relativeWorktreeLabel } from '../git/names.js';
import { checkoutsShouldOverlap } from '../git/worktrees.js';
import type { SessionState } from '../session/schema.js';
import { namesUsedByOtherRepos } from '../session/store.js';
import { baseSessionName, pickSessionName } from '../tmux/naming.js';
import { portsSuffix } from '../bootstrap/ports.js';
import { warn } from '../util/output.js';
import { settledValue } from '../util/settled.js';
import type { AgentRequest, LaunchContext, LaunchSettings } from './types.js';
import { gatherPlanFacts, type PlanFacts } from './facts.js';
import { validatePlan, type PlannedAgent } from './validate.js';

export interface LaunchPlan {
  sessionName: string;
  settings: LaunchSettings;
  agents: PlannedAgent[];
  /** The worktree listing has stale records (of deleted worktrees) for `git worktree prune`. */
  staleWorktrees: boolean;
  /** Check each worktree out while git adds the next (git/worktrees' checkoutsShouldOverlap). */
  overlapCheckouts: boolean;
  /** The files each new worktree gets from the main checkout, when there are any. */
  bootstrap?: BootstrapPlan;
}

/**
 * `paw-<project>` (or `-2` … `-11`): free only if no live tmux session has the name and no
 * state file of another repo uses it (so two repos called `app` never share a state file).
 */
function resolveSessionName(ctx: LaunchContext, live: Set<string>): string {
  const usedElsewhere = namesUsedByOtherRepos(ctx.repo, ctx.env);
  return pickSessionName(
    baseSessionName(ctx.repo.project),
    (name) => live.has(name) || usedElsewhere.has(name),
  );
}

/**
 * Validates the whole plan and names the session; says which branches will be created. `facts`
 * may have been gathered ahead (see PlanFacts); a validation error wins over a naming error.
 */
export async function planLaunch(
  ctx: LaunchContext,
  agents: readonly AgentRequest[],
  settings: LaunchSettings,
  facts: Promise<PlanFacts> = gatherPlanFacts(
    ctx,
    agents.map((agent) => agent.branch),
  ),
): Promise<LaunchPlan> {
  const bootstrap = planBootstrap(ctx.runner, ctx.repo.root, settings.bootstrap);
  bootstrap.catch(() => undefined);
  const planned = await validatePlan(ctx, agents, facts);
  for (const agent of planned) {
    if (agent.source === 'new') warn(`branch '${agent.branch}' does not exist; it will be created from HEAD`);
  }
  const { liveSessions, worktrees } = await facts;
  const files = await bootstrap;
  return {
    sessionName: resolveSessionName(ctx, new Set(settledValue(liveSessions).keys())),
    settings,
    agents: planned,
    // A record git could not list counts as stale: pruning is always safe.
    staleWorktrees: worktrees.status === 'rejected' || worktrees.value.some((entry) => entry.prunable),
    overlapCheckouts: checkoutsShouldOverlap(ctx.repo),
    ...(files ? { bootstrap: files } : {}),
  };
}

export type DryRunVariant = 'normal' | 'from-specs';

function planText(
  header: string,
  session: string,
  mouse: boolean,
  agents: readonly { branch: string; cli: string; worktreePath: string; ports?: readonly number[] }[],
  extra: readonly string[] = [],
): string {
  const lines = [
    header,
    '',
    `  Session:  ${session}`,
    `  Mouse:    ${mouse ? 'on' : 'off'}`,
    '',
    ...agents.map(
      (agent) =>
        `  ${agent.branch} → ${agent.cli} (${relativeWorktreeLabel(agent.worktreePath)})${portsSuffix(agent.ports)}`,
    ),
    ...extra,
  ];
  return `${lines.join('\n')}\n`;
}

/** The `--dry-run` text (with a final newline); `ports`: each agent's block, in agent order. */
export function formatDryRun(
  plan: LaunchPlan,
  variant: DryRunVariant = 'normal',
  ports?: readonly number[][],
): string {
  const header =
    variant === 'from-specs' ? 'Dry run — session plan (from specs):' : 'Dry run — session plan:';
  return planText(
    header,
    plan.sessionName,
    plan.settings.mouse,
    plan.agents.map((agent, index) => ({
      branch: agent.branch,
      cli: agent.cli.name,
      worktreePath: agent.worktreePath,
      ports: ports?.[index],
    })),
    [
      ...bootstrapDryRunLines(plan.bootstrap),
      ...setupDryRunLines(plan.settings.bootstrap?.setup ?? [], 'in each new worktree'),
    ],
  );
}

/**
 * The `--dry-run` text when the repo already has a session: its saved plan, and what `start`
 * would do with it (reattach while it runs, recover it otherwise) instead of launching.
 */
export function formatExistingSessionDryRun(
  state: SessionState,
  running: boolean,
  mouse: boolean,
  extra: readonly string[] = [],
): string {
  const header = running
    ? `Dry run — session '${state.session_name}' is running; \`git paw start\` reattaches to it:`
    : `Dry run — session '${state.session_name}' is stopped; \`git paw start\` recovers it:`;
  return planText(
    header,
    state.session_name,
    state.mouse ?? mouse,
    state.worktrees.map((entry) => ({
      branch: entry.branch,
      cli: entry.cli,
      worktreePath: entry.worktree_path,
      ports: entry.ports,
    })),
    extra,
  );
}
