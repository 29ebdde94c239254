// Creating agents' worktrees inside a launch, registering exactly what was created for
// rollback — also when git fails half-way (e.g. a failing post-checkout hook leaves a complete
// worktree and branch behind while reporting an error).
import { lstatSync, rmSync } from 'node:fs';
import { deleteBranch, localBranchExists } from '../git/branches.js';
import { addWorktree, pruneWorktrees, removeWorktree } from '../git/worktrees.js';
import type { Rollback } from './rollback.js';
import type { LaunchContext } from './types.js';
import type { PlannedAgent } from './validate.js';

/** What creating an agent's worktree needs to know. */
type AgentWorktree = Pick<PlannedAgent, 'branch' | 'worktreePath' | 'source'>;

export function pathExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Registers a final `git worktree prune`, so records of removed worktrees never linger. */
export function registerPruneOnRollback(ctx: LaunchContext, rollback: Rollback): void {
  rollback.add('stale worktree records', () => pruneWorktrees(ctx.runner, ctx.repo));
}

/** Removes a worktree this launch created (it did not exist before validation). */
async function discardWorktree(ctx: LaunchContext, path: string): Promise<void> {
  try {
    await removeWorktree(ctx.runner, ctx.repo.root, path, { force: true });
  } catch (error) {
    if (!pathExists(path)) return;
    // Not (or no longer) registered with git: the directory is still ours to delete.
    rmSync(path, { recursive: true, force: true });
    if (pathExists(path)) throw error;
  }
}

/** `git worktree add` for one agent, with rollback of the worktree and of a branch it created. */
async function addAgentWorktree(ctx: LaunchContext, agent: AgentWorktree, rollback: Rollback): Promise<void> {
  const { runner, repo } = ctx;
  let failure: Error | undefined;
  try {
    await addWorktree(runner, repo.root, agent.worktreePath, agent.branch, {
      kind: agent.source === 'new' ? 'new' : 'existing',
    });
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
  }
  const branchMade =
    agent.source !== 'local' &&
    (failure === undefined || (await localBranchExists(runner, repo.root, agent.branch)));
  // Registered before the worktree: undo runs newest first, and a branch cannot be deleted
  // while a worktree still has it checked out.
  if (branchMade)
    rollback.add(`branch '${agent.branch}'`, () =>
      deleteBranch(runner, repo.root, agent.branch, { force: true }),
    );
  if (pathExists(agent.worktreePath))
    rollback.add(`worktree '${agent.worktreePath}'`, () => discardWorktree(ctx, agent.worktreePath));
  if (failure !== undefined) throw failure;
}

/**
 * Creates the agents' worktrees in plan order, one plain `git worktree add` each (branch, checkout
 * and hooks in one process; two adds must not overlap, since each reads every worktree's admin
 * files while the other may be writing them). `created(index)` runs as soon as each one exists,
 * so its AGENTS.md is written while git adds the next. A failure (or Ctrl-C, which makes the
 * rollback's checkpoint throw) stops before the next add; everything made so far is registered.
 */
export async function createAgentWorktrees(
  ctx: LaunchContext,
  agents: readonly AgentWorktree[],
  rollback: Rollback,
  created: (index: number) => void,
): Promise<void> {
  for (const [index, agent] of agents.entries()) {
    rollback.checkpoint();
    await addAgentWorktree(ctx, agent, rollback);
    created(index);
  }
}
