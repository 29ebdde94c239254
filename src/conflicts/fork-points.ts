// The commit the branches a launch creates fork from, recorded in the session state: the conflict
// check compares an agent's work with it when the session's base branch is later renamed or
// deleted. New branches start at the main checkout's HEAD, read here from the ref files (no git
// process: a launch's process count is what decides its speed). Branches that existed before are
// left without one (a `git merge-base` each would cost a process); for them, and whenever the ref
// files say nothing usable (a reftable repository), the check goes by the base branch, then the
// main checkout's HEAD.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RepoInfo } from '../git/repo.js';

const OID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The commit a full ref name points to, from its loose file or `packed-refs`. */
function resolveRef(commonDir: string, ref: string): string | undefined {
  const loose = readText(join(commonDir, ref))?.trim();
  if (loose !== undefined) return OID.test(loose) ? loose : undefined;
  for (const line of (readText(join(commonDir, 'packed-refs')) ?? '').split('\n')) {
    const [oid, name] = line.split(' ');
    if (name === ref && oid !== undefined && OID.test(oid)) return oid;
  }
  return undefined;
}

/** The commit the main checkout has checked out (a branch's tip, or a detached HEAD). */
export function mainCheckoutCommit(repo: RepoInfo): string | undefined {
  const head = readText(join(repo.commonDir, 'HEAD'))?.trim();
  if (head === undefined) return undefined;
  if (OID.test(head)) return head;
  const ref = /^ref: (refs\/heads\/.+)$/.exec(head)?.[1];
  return ref === undefined ? undefined : resolveRef(repo.commonDir, ref);
}

/** Branch → fork point, for the branches the launch creates (`created`), when HEAD can be read. */
export function forkPoints(
  repo: RepoInfo,
  branches: readonly { branch: string; created: boolean }[],
): Map<string, string> {
  const found = new Map<string, string>();
  if (!branches.some((entry) => entry.created)) return found;
  const head = mainCheckoutCommit(repo);
  if (head === undefined) return found;
  for (const entry of branches) if (entry.created) found.set(entry.branch, head);
  return found;
}
