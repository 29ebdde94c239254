// Everything a session needs once its worktrees exist — shared by a fresh launch and recovery so
// neither can forget a step (W-4, W-26): each worktree's AGENTS.md, the log directory, the tmux
// session (labels, env, log pipes attached before the CLIs start) and finally the state file.
import { mkdirSync, rmSync } from 'node:fs';
import { writeWorktreeAgentsMd } from '../agents-md/write.js';
import { agentIdOf } from '../git/names.js';
import { paneLogPath, sessionLogDir } from '../logs/paths.js';
import type { SessionState, WorktreeEntry } from '../session/schema.js';
import { saveState } from '../session/store.js';
import { createSession, hasSession, killSession } from '../tmux/client.js';
import type { PanePlan, SessionPlan } from '../tmux/plan.js';
import { SessionError, describeError } from '../util/errors.js';
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

/** The tmux plan of a session: one agent pane per worktree entry, in saved order. */
export function sessionPlanFor(repoRoot: string, state: SessionState, settings: LaunchSettings): SessionPlan {
  const panes: PanePlan[] = state.worktrees.map((entry) => ({
    cwd: entry.worktree_path,
    label: paneLabel(entry.branch, entry.cli),
    command: commandOf(entry),
    env: { GIT_PAW_AGENT_ID: agentIdOf(entry.branch) },
    ...(settings.logging ? { logPath: paneLogPath(repoRoot, state.session_name, entry.branch) } : {}),
  }));
  return { name: state.session_name, mouse: settings.mouse, env: {}, panes };
}

async function writeAgentsMdFiles(ctx: LaunchContext, state: SessionState): Promise<void> {
  const results = await Promise.allSettled(
    state.worktrees.map((entry) =>
      writeWorktreeAgentsMd(ctx.runner, ctx.repo, entry.worktree_path, {
        branch: entry.branch,
        cli: entry.cli,
        ...(entry.spec_text === undefined ? {} : { specText: entry.spec_text }),
        ...(entry.owned_files === undefined ? {} : { ownedFiles: entry.owned_files }),
      }),
    ),
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

/**
 * Brings `state`'s session up: AGENTS.md files, log dir, tmux session, then saves `state`. The
 * worktrees must exist. Everything created is registered with `rollback`.
 */
export async function bringUpSession(
  ctx: LaunchContext,
  state: SessionState,
  settings: LaunchSettings,
  rollback: Rollback,
): Promise<void> {
  await writeAgentsMdFiles(ctx, state);
  rollback.checkpoint();
  if (settings.logging) createLogDir(ctx, state.session_name, rollback);
  rollback.add(`tmux session '${state.session_name}'`, async () => {
    if (await hasSession(ctx.runner, state.session_name)) await killSession(ctx.runner, state.session_name);
  });
  await createSession(ctx.runner, sessionPlanFor(ctx.repo.root, state, settings));
  rollback.checkpoint();
  saveState(state, ctx.env);
}
