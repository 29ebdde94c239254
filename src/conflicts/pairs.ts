// From each agent's changed files to the colliding pairs. Pure: the merge results are looked up
// through a function, so the caller decides which pairs git was asked about (only those whose
// tips changed; see needsMerge).
import type { ConflictKind, PairFinding } from './types.js';

/** What one agent changed against the session's base, as last read from git. */
export interface AgentFiles {
  agent: string;
  /** The commit its worktree has checked out. */
  tip: string;
  /** Paths its commits changed since the base. */
  committed: ReadonlySet<string>;
  /** Paths changed in its worktree but not committed (staged, unstaged, untracked). */
  uncommitted: ReadonlySet<string>;
}

/** The key of a pair of tips, the same whichever side comes first (a merge is symmetric). */
export function tipPairKey(a: string, b: string): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}

/** True when some path of `paths` is a directory holding a path of `other` (or that path). */
function holdsPathOf(paths: ReadonlySet<string>, other: ReadonlySet<string>): boolean {
  for (const path of other) {
    for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) {
      if (paths.has(path.slice(0, slash))) return true;
    }
  }
  return false;
}

/**
 * Whether git must be asked if the two agents' commits merge: both committed something, and
 * their commits touch a common path (or a file where the other made a directory). Commits on
 * disjoint paths always merge cleanly, so no process is spent on them.
 */
export function needsMerge(a: AgentFiles, b: AgentFiles): boolean {
  if (a.tip === b.tip || a.committed.size === 0 || b.committed.size === 0) return false;
  const [small, large] = a.committed.size <= b.committed.size ? [a, b] : [b, a];
  for (const path of small.committed) if (large.committed.has(path)) return true;
  return holdsPathOf(a.committed, b.committed) || holdsPathOf(b.committed, a.committed);
}

/**
 * The colliding pairs, most severe kind per pair: `conflict` when git reports conflicting paths
 * for the two tips; else `overlap` when some path both changed is committed on both sides; else
 * `uncommitted-overlap` when they share a path that one of them has not committed yet.
 */
export function findPairs(
  agents: readonly AgentFiles[],
  conflictsOf: (a: AgentFiles, b: AgentFiles) => readonly string[] | undefined,
): PairFinding[] {
  const findings: PairFinding[] = [];
  for (let i = 0; i < agents.length; i += 1) {
    for (let j = i + 1; j < agents.length; j += 1) {
      const a = agents[i] as AgentFiles;
      const b = agents[j] as AgentFiles;
      const finding = pairOf(a, b, conflictsOf(a, b) ?? []);
      if (finding) findings.push(finding);
    }
  }
  return findings;
}

function pairOf(a: AgentFiles, b: AgentFiles, conflicting: readonly string[]): PairFinding | undefined {
  const agents: [string, string] = [a.agent, b.agent];
  if (conflicting.length > 0) return { agents, kind: 'conflict', paths: [...new Set(conflicting)].sort() };
  const shared: string[] = [];
  let bothCommitted = false;
  for (const path of new Set([...a.committed, ...a.uncommitted])) {
    const inB = b.committed.has(path) || b.uncommitted.has(path);
    if (!inB) continue;
    shared.push(path);
    if (a.committed.has(path) && b.committed.has(path)) bothCommitted = true;
  }
  if (shared.length === 0) return undefined;
  const kind: ConflictKind = bothCommitted ? 'overlap' : 'uncommitted-overlap';
  return { agents, kind, paths: shared.sort() };
}
