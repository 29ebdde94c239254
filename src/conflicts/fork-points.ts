// The commit each branch of a new session forked from, recorded in the session state at launch:
// the conflict check compares each agent's work with it when the base branch is later renamed
// or deleted. New branches start at the main checkout's HEAD (one read for all of them); an
// existing local branch costs one `git merge-base`. Both are read before the worktrees are made,
// beside the launch's other work; a branch made from a remote one, or one whose fork point cannot
// be read, is left without one (the check then goes by the base branch alone).
import type { CommandRunner } from '../util/exec.js';

export interface ForkPointRequest {
  branch: string;
  /** `new`: the launch creates it at HEAD; `local`: it exists; `remote`: made from a remote one. */
  source: 'new' | 'local' | 'remote';
}

async function revision(
  runner: CommandRunner,
  repo: string,
  args: readonly string[],
): Promise<string | undefined> {
  try {
    const result = await runner.run('git', args, { cwd: repo });
    const oid = result.stdout.trim();
    return result.code === 0 && /^[0-9a-f]{40,64}$/.test(oid) ? oid : undefined;
  } catch {
    return undefined;
  }
}

/** Branch → fork point, for the branches whose fork point could be read. */
export async function forkPoints(
  runner: CommandRunner,
  repo: string,
  baseBranch: string | undefined,
  requests: readonly ForkPointRequest[],
): Promise<Map<string, string>> {
  const base = baseBranch === undefined ? 'HEAD' : `refs/heads/${baseBranch}`;
  const head = requests.some((request) => request.source === 'new')
    ? revision(runner, repo, ['rev-parse', '--verify', '-q', 'HEAD^{commit}'])
    : Promise.resolve(undefined);
  const points = await Promise.all(
    requests.map((request) => {
      if (request.source === 'new') return head;
      if (request.source === 'remote') return Promise.resolve(undefined);
      return revision(runner, repo, ['merge-base', base, `refs/heads/${request.branch}`]);
    }),
  );
  const found = new Map<string, string>();
  requests.forEach((request, index) => {
    const point = points[index];
    if (point !== undefined) found.set(request.branch, point);
  });
  return found;
}
