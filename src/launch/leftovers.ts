// What an earlier session of this repo left behind when git-paw lost track of it (the state file
// was deleted by hand, or `start` was killed half-way): worktrees on git-paw's sibling-path
// pattern (`<parent>/<project>-<branch slug>`, exactly as git-paw names them), the live tmux
// sessions whose `@paw_repo` option names this repo, and a git-paw broker that answers for this
// repo. `status` lists them, `purge` removes them (with the checks of any purge), `start` names
// them instead of tripping over them. Only used when no state file names a session of the repo.
import { worktreePathFor } from '../git/names.js';
import { listWorktrees, type WorktreeListing } from '../git/worktrees.js';
import type { SessionState } from '../session/schema.js';
import { formatCreatedAt } from '../session/store.js';
import { baseSessionName } from '../tmux/naming.js';
import { liveSessionRepos, sessionsOfRepo, sessionVariable, tmuxInstalled } from '../tmux/client.js';
import { WorktreeError } from '../util/errors.js';
import { canonicalPath } from '../util/fs.js';
import { connectOutcome } from '../util/net.js';
import type { PlanFacts } from './facts.js';
import type { AgentRequest, LaunchContext } from './types.js';

export interface LeftoverBroker {
  url: string;
  bind: string;
  port: number;
  /** The session it says it serves. */
  session: string;
}

export interface Leftovers {
  worktrees: { path: string; branch: string }[];
  /** Live tmux sessions git-paw made for this repo. */
  sessions: string[];
  broker?: LeftoverBroker;
}

export function hasLeftovers(leftovers: Leftovers): boolean {
  return leftovers.worktrees.length > 0 || leftovers.sessions.length > 0 || leftovers.broker !== undefined;
}

function leftoverWorktrees(ctx: LaunchContext, listing: readonly WorktreeListing[]): Leftovers['worktrees'] {
  const { root, project } = ctx.repo;
  const found: Leftovers['worktrees'] = [];
  for (const entry of listing) {
    if (entry.branch === undefined || entry.prunable || canonicalPath(entry.path) === root) continue;
    if (canonicalPath(entry.path) === canonicalPath(worktreePathFor(root, project, entry.branch))) {
      found.push({ path: entry.path, branch: entry.branch });
    }
  }
  return found;
}

/**
 * The port a broker takes when the config names none: DEFAULT_BROKER_PORT of
 * broker/client/session.ts, not imported from there because that module brings the schema library
 * into `status`.
 */
const DEFAULT_PORT = 9119;

/** The broker URLs worth asking: those the sessions' environments name, and the default port. */
async function candidateUrls(ctx: LaunchContext, sessions: readonly string[]): Promise<URL[]> {
  const urls = new Map<string, URL>();
  for (const name of sessions) {
    const url = await sessionVariable(ctx.runner, name, 'GIT_PAW_BROKER_URL');
    if (url !== undefined && URL.canParse(url)) urls.set(url, new URL(url));
  }
  urls.set('default', new URL(`http://127.0.0.1:${DEFAULT_PORT}`));
  const candidates = [...urls.values()];
  // Only those where something accepts a TCP connection are worth an HTTP probe.
  const outcomes = await Promise.all(candidates.map((url) => connectOutcome(url, 300)));
  return candidates.filter((_, index) => outcomes[index] === 'accepted');
}

async function leftoverBroker(
  ctx: LaunchContext,
  sessions: readonly string[],
): Promise<LeftoverBroker | undefined> {
  const candidates = await candidateUrls(ctx, sessions);
  if (candidates.length === 0) return undefined;
  // Only now: the broker client brings the schema library with it.
  const { probeBroker } = await import('../broker/client.js');
  for (const url of candidates) {
    const probe = await probeBroker(url.origin, { timeoutMs: 500 });
    if (probe.kind !== 'git-paw' || typeof probe.status.repo_path !== 'string') continue;
    if (canonicalPath(probe.status.repo_path) !== ctx.repo.root) continue;
    return {
      url: url.origin,
      bind: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port),
      session: probe.status.session ?? baseSessionName(ctx.repo.project),
    };
  }
  return undefined;
}

/**
 * What earlier sessions of this repo left behind. `facts`, when a launch gathered them already,
 * answer the worktree and session listings without asking git and tmux again.
 */
export async function findLeftovers(ctx: LaunchContext, facts?: Promise<PlanFacts>): Promise<Leftovers> {
  const known = await facts;
  const listing =
    known?.worktrees.status === 'fulfilled'
      ? Promise.resolve(known.worktrees.value)
      : listWorktrees(ctx.runner, ctx.repo.root);
  listing.catch(() => undefined);
  const live =
    known?.liveSessions.status === 'fulfilled'
      ? known.liveSessions.value
      : tmuxInstalled()
        ? await liveSessionRepos(ctx.runner)
        : new Map<string, string>();
  const sessions = sessionsOfRepo(live, ctx.repo.root);
  const broker = await leftoverBroker(ctx, sessions);
  return { worktrees: leftoverWorktrees(ctx, await listing), sessions, broker };
}

/** One line per leftover, for `status` and the purge prompt. */
export function describeLeftovers(leftovers: Leftovers): string[] {
  return [
    ...leftovers.sessions.map((name) => `  tmux session '${name}'`),
    ...(leftovers.broker
      ? [`  broker at ${leftovers.broker.url} (session '${leftovers.broker.session}')`]
      : []),
    ...leftovers.worktrees.map(({ path, branch }) => `  worktree '${path}' (branch '${branch}')`),
  ];
}

export const LEFTOVERS_HEADING =
  'Found what an earlier git-paw session of this repo left behind (its state file is gone):';
export const LEFTOVERS_HINT = 'run `git paw purge` to remove them';

/**
 * A session state describing the leftovers, so that purge removes them the way it removes any
 * session: tmux session, broker (waited for), worktrees (after the same assessment and prompt).
 * Whether git-paw created their branches is not known any more, so every branch is kept.
 */
export async function leftoverState(
  ctx: LaunchContext,
  leftovers: Leftovers,
  now = new Date(),
): Promise<SessionState> {
  const { brokerLogPath } = await import('../broker/client/session.js');
  const name = leftovers.sessions[0] ?? leftovers.broker?.session ?? baseSessionName(ctx.repo.project);
  return {
    session_name: name,
    repo_path: ctx.repo.root,
    project_name: ctx.repo.project,
    created_at: formatCreatedAt(now),
    status: 'active',
    worktrees: leftovers.worktrees.map(({ path, branch }) => ({
      branch,
      worktree_path: path,
      cli: '',
      branch_created: false,
    })),
    ...(leftovers.broker
      ? {
          broker_port: leftovers.broker.port,
          broker_bind: leftovers.broker.bind,
          broker_log_path: brokerLogPath(leftovers.broker.session),
        }
      : {}),
  };
}

/**
 * Refuses a launch that would trip over leftovers: a live session or broker of the repo (a new
 * launch would run beside it), or a requested branch checked out in a leftover worktree.
 */
export function refuseLeftoverConflicts(leftovers: Leftovers, agents: readonly AgentRequest[]): void {
  const running = [
    ...leftovers.sessions.map((name) => `tmux session '${name}'`),
    ...(leftovers.broker ? [`a broker at ${leftovers.broker.url}`] : []),
  ];
  if (running.length > 0) {
    throw new WorktreeError(
      `an earlier git-paw session of this repo is still running without its state file: ${running.join(', ')}`,
      { hint: `${LEFTOVERS_HINT} (\`git paw status\` lists everything it left)` },
    );
  }
  for (const agent of agents) {
    const left = leftovers.worktrees.find(({ branch }) => branch === agent.branch);
    if (left === undefined) continue;
    throw new WorktreeError(
      `branch '${agent.branch}' is checked out in '${left.path}', left behind by an earlier git-paw session of this repo`,
      { hint: `${LEFTOVERS_HINT} (\`git paw status\` lists everything it left)` },
    );
  }
}
