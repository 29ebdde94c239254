// Planning a fresh launch: validate the agents, pick a free session name, and render the plan
// for `--dry-run` (upstream §9.3, byte for byte).
import { relativeWorktreeLabel } from '../git/names.js';
import { namesUsedByOtherRepos } from '../session/store.js';
import { liveSessionNames } from '../tmux/client.js';
import { baseSessionName, pickSessionName } from '../tmux/naming.js';
import { warn } from '../util/output.js';
import { settledValue } from '../util/settled.js';
import type { AgentRequest, LaunchContext, LaunchSettings } from './types.js';
import { validatePlan, type PlannedAgent } from './validate.js';

export interface LaunchPlan {
  sessionName: string;
  settings: LaunchSettings;
  agents: PlannedAgent[];
}

/**
 * `paw-<project>` (or `-2` … `-11`): free only if no live tmux session has the name and no
 * state file of another repo uses it (so two repos called `app` never share a state file, W-2).
 */
export async function resolveSessionName(ctx: LaunchContext): Promise<string> {
  const live = await liveSessionNames(ctx.runner);
  const usedElsewhere = namesUsedByOtherRepos(ctx.repo, ctx.env);
  return pickSessionName(baseSessionName(ctx.repo.project), (name) => live.has(name) || usedElsewhere.has(name));
}

/** Validates the whole plan and names the session; says which branches will be created. */
export async function planLaunch(ctx: LaunchContext, agents: readonly AgentRequest[], settings: LaunchSettings): Promise<LaunchPlan> {
  // The name lookup (tmux, state files) runs alongside validation; a validation error still wins.
  const [validated, named] = await Promise.allSettled([validatePlan(ctx, agents), resolveSessionName(ctx)]);
  const planned = settledValue(validated);
  for (const agent of planned) {
    if (agent.source === 'new') warn(`branch '${agent.branch}' does not exist; it will be created from HEAD`);
  }
  return { sessionName: settledValue(named), settings, agents: planned };
}

export type DryRunVariant = 'normal' | 'from-specs';

/** The `--dry-run` text (with a final newline). */
export function formatDryRun(plan: LaunchPlan, variant: DryRunVariant = 'normal'): string {
  const header = variant === 'from-specs' ? 'Dry run — session plan (from specs):' : 'Dry run — session plan:';
  const lines = [
    header,
    '',
    `  Session:  ${plan.sessionName}`,
    `  Mouse:    ${plan.settings.mouse ? 'on' : 'off'}`,
    '',
    ...plan.agents.map((agent) => `  ${agent.branch} → ${agent.cli.name} (${relativeWorktreeLabel(agent.worktreePath)})`),
  ];
  return `${lines.join('\n')}\n`;
}
