// Creating agents' worktrees inside a launch, registering exactly what was created for
// rollback — also when git fails half-way (e.g. a failing post-checkout hook leaves a complete
// worktree and branch behind while reporting an error) or a checkout fails while the next
// worktree is being added — and giving each the files copied and linked from the main checkout.
import { rmSync } from 'node:fs';
import { bootstrapPipeline } from '../bootstrap/files.js';
import type { BootstrapPlan } from '../bootstrap/plan.js';
import { deleteBranch, localBranchExists } from '../git/branches.js';
import { addWorktree, checkOutWorktree, pruneWorktrees, removeWorktree } from '../git/worktrees.js';
import { pathExists } from '../util/fs.js';
import type { Rollback } from './rollback.js';
import type { LaunchContext } from './types.js';
import type { PlannedAgent } from './validate.js';

/** What creating an agent's worktree needs to know. */
type AgentWorktree = Pick<PlannedAgent, 'branch' | 'worktreePath' | 'source'>;

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

/**
 * `git worktree add` for one agent (without its checkout when `checkout` is false), with rollback
 * of the worktree and of a branch it created.
 */
async function addAgentWorktree(
  ctx: LaunchContext,
  agent: AgentWorktree,
  checkout: boolean,
  rollback: Rollback,
): Promise<void> {
  const { runner, repo } = ctx;
  let failure: Error | undefined;
  try {
    await addWorktree(
      runner,
      repo.root,
      agent.worktreePath,
      agent.branch,
      { kind: agent.source === 'new' ? 'new' : 'existing' },
      { checkout },
    );
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
 * Runs the tasks given to it two at a time, in order: checkouts of different worktrees share
 * nothing, and two keep a two-core machine busy while git adds the next worktree.
 */
function twoAtATime(): (task: () => Promise<void>) => Promise<void> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= 2) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      await task();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}

/**
 * Creates the agents' worktrees in plan order; `created(index)` runs as soon as each one is
 * checked out, so its AGENTS.md is written while git adds the next. Two adds never overlap (each
 * reads every worktree's admin files while the other may be writing them). Usually each worktree
 * is one plain `git worktree add`: branch, checkout and hooks in one process. With
 * `overlapCheckouts` (big checkouts, see git/worktrees' checkoutsShouldOverlap) each is added
 * empty and checked out, two at a time, while git adds the next ones. After a failure or Ctrl-C
 * (the rollback's checkpoint throws) nothing new starts, and this returns (or throws the first
 * failure) only once every running step has finished — so rollback knows about everything made.
 * With `files`, each worktree gets them once checked out (a copy never races a checkout), and
 * this also waits for every copy.
 */
export async function createAgentWorktrees(
  ctx: LaunchContext,
  agents: readonly AgentWorktree[],
  overlapCheckouts: boolean,
  rollback: Rollback,
  created: (index: number) => void,
  files?: BootstrapPlan,
): Promise<void> {
  const bootstrap = files && bootstrapPipeline(ctx.runner, ctx.repo, files);
  const checkedOut = (index: number): void => {
    created(index);
    bootstrap?.add((agents[index] as AgentWorktree).worktreePath);
  };
  const failures: unknown[] = [];
  const checkOut = twoAtATime();
  const checkouts: Promise<void>[] = [];
  // A worktree's checkout starts once git is adding the next one: the adds are the critical path.
  let startCheckout: (() => void) | undefined;
  for (const [index, agent] of agents.entries()) {
    try {
      rollback.checkpoint();
      const added = addAgentWorktree(ctx, agent, !overlapCheckouts, rollback);
      startCheckout?.();
      startCheckout = undefined;
      await added;
    } catch (error) {
      failures.push(error);
      break;
    }
    if (!overlapCheckouts) {
      checkedOut(index);
      continue;
    }
    startCheckout = () => {
      const checkout = checkOut(async () => {
        if (failures.length > 0) return;
        try {
          await checkOutWorktree(ctx.runner, agent.worktreePath, agent.branch);
          checkedOut(index);
        } catch (error) {
          failures.push(error);
        }
      });
      checkouts.push(checkout);
    };
  }
  startCheckout?.();
  await Promise.all(checkouts);
  const copied = await Promise.allSettled([bootstrap?.done()]);
  if (failures.length > 0) throw failures[0];
  if (copied[0].status === 'rejected') throw copied[0].reason;
}
