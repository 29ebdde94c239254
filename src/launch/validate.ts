// Whole-plan validation: every reason a launch could fail half-way because of its
// input is checked before anything is created — duplicates, invalid names, branches checked out
// elsewhere, two branches sharing a worktree directory, occupied directories. Branch names are
// checked without git (specs/branch-name agrees with `git check-ref-format --branch`), and the
// facts a plan is checked against come from a few concurrent queries (launch/facts), so
// validation costs the same for 2 or 16 branches.
import { basename } from 'node:path';
import { worktreePathFor, worktreeSlug } from '../git/names.js';
import { branchNameProblem } from '../specs/branch-name.js';
import { BranchError, PawError, WorktreeError } from '../util/errors.js';
import { settledValue } from '../util/settled.js';
import { gatherPlanFacts, type PlanFacts } from './facts.js';
import type { AgentRequest, LaunchContext } from './types.js';
import { pathExists } from '../util/fs.js';

/** How a worktree's branch comes into being. */
export type BranchSource =
  /** An existing local branch. */
  | 'local'
  /** Only a remote has it: git creates a local branch tracking it (not "created" for purge). */
  | 'remote'
  /** A new branch from HEAD. */
  | 'new';

export interface PlannedAgent extends AgentRequest {
  worktreePath: string;
  source: BranchSource;
}

/** `--branches` items trimmed, empties dropped (duplicates are kept so validation can name them). */
export function normalizeBranchList(items: readonly string[]): string[] {
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

export class NoCommitsError extends PawError {
  constructor() {
    super('repository has no commits yet', { hint: 'make a first commit, e.g. `git commit --allow-empty -m init`' });
  }
}

/** The checks that need no git: duplicates and worktree-directory collisions. */
export function checkPlanShape(repoRoot: string, project: string, agents: readonly AgentRequest[]): string[] {
  if (agents.length === 0) throw new BranchError('no branches to launch', { hint: 'pass at least one branch with --branches' });
  const seen = new Set<string>();
  const byPath = new Map<string, string>();
  return agents.map(({ branch }) => {
    if (seen.has(branch)) throw new BranchError(`branch '${branch}' is listed more than once`, { hint: 'list each branch once' });
    seen.add(branch);
    if (worktreeSlug(branch) === '') {
      throw new BranchError(`branch '${branch}' leaves nothing to name its worktree directory after`, {
        hint: 'use a branch name with at least one letter, digit, `-`, `_` or `.`',
      });
    }
    const path = worktreePathFor(repoRoot, project, branch);
    const other = byPath.get(path);
    if (other !== undefined) {
      throw new WorktreeError(`branches '${other}' and '${branch}' would share the worktree directory '../${basename(path)}'`, {
        hint: 'launch only one of them, or rename one of the branches',
      });
    }
    byPath.set(path, branch);
    return path;
  });
}

/** Validates the whole plan against the repository; returns each agent with its worktree path. */
export async function validatePlan(
  ctx: LaunchContext,
  agents: readonly AgentRequest[],
  facts: Promise<PlanFacts> = gatherPlanFacts(ctx, agents.map((agent) => agent.branch)),
): Promise<PlannedAgent[]> {
  const { repo } = ctx;
  const paths = checkPlanShape(repo.root, repo.project, agents);
  const { commits, refs: branchRefs, checkedOut: checkouts } = await facts;
  if (!settledValue(commits)) throw new NoCommitsError();
  for (const { branch } of agents) {
    if (branchNameProblem(branch) !== undefined) {
      throw new BranchError(`'${branch}' is not a valid branch name`, { hint: 'see `git check-ref-format --help` for the rules' });
    }
  }
  const refs = settledValue(branchRefs);
  const checkedOut = settledValue(checkouts);
  const remoteRefNames = new Map<string, string>([...refs.remote].flatMap(([branch, remotes]) => remotes.map((remote) => [`${remote}/${branch}`, branch] as const)));
  return agents.map((agent, index) => {
    const worktreePath = paths[index] as string;
    const at = checkedOut.get(agent.branch);
    if (at !== undefined) {
      throw new WorktreeError(`branch '${agent.branch}' is already checked out at '${at}'`, {
        hint: 'pick another branch, or switch that worktree to a different branch',
      });
    }
    const remotes = refs.remote.get(agent.branch) ?? [];
    if (!refs.local.has(agent.branch) && remotes.length > 1) {
      throw new BranchError(`branch '${agent.branch}' exists on several remotes (${remotes.join(', ')})`, {
        hint: `create the local branch first, e.g. \`git branch --track ${agent.branch} ${remotes[0]}/${agent.branch}\``,
      });
    }
    const short = remoteRefNames.get(agent.branch);
    if (!refs.local.has(agent.branch) && short !== undefined) {
      throw new BranchError(`'${agent.branch}' is a remote-tracking branch, not a local one`, {
        hint: `pass the branch name without the remote (e.g. '${short}') to work on it`,
      });
    }
    if (pathExists(worktreePath)) {
      throw new WorktreeError(`'${worktreePath}' already exists`, {
        hint: 'move or delete it, or pick another branch',
      });
    }
    const source: BranchSource = refs.local.has(agent.branch) ? 'local' : remotes.length > 0 ? 'remote' : 'new';
    return { ...agent, worktreePath, source };
  });
}
