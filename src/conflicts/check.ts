// One check of a session: reads what each agent changed (only the worktrees named dirty; the
// others keep their last reading), asks git about merges only for pairs whose tips moved, and
// returns the colliding pairs and the agents it could not check. Holds the caches between
// checks; used by the broker's watcher (many checks) and by `git paw conflicts` (one).
import { GitReadError, type ConflictGit } from './git.js';
import { findPairs, needsMerge, tipPairKey, type AgentFiles } from './pairs.js';
import type { PairFinding, UncheckedAgent } from './types.js';

/** One agent of the session as the checker needs it. */
export interface ConflictTarget {
  agent: string;
  branch: string;
  worktree: string;
  /** The commit its branch forked from, recorded at launch (older sessions have none). */
  forkPoint?: string;
}

export interface CheckSession {
  /** The main checkout, where branch-level git commands run. */
  repo: string;
  /** The branch the session was started from, when known. */
  baseBranch?: string;
  targets: ConflictTarget[];
}

export interface CheckResult {
  findings: PairFinding[];
  unchecked: UncheckedAgent[];
  notes: string[];
}

interface Reading {
  tip: string;
  uncommitted: Set<string>;
}

interface Committed {
  tip: string;
  files: Set<string>;
}

const MERGE_TREE_NOTE =
  'this git has no `merge-tree --write-tree` (git 2.38 or later): overlaps only, no conflict check';

function reason(error: unknown): string {
  return error instanceof GitReadError ? error.message : String(error);
}

export class ConflictChecker {
  private readonly readings = new Map<string, Reading | { error: string }>();
  private readonly committed = new Map<string, Committed>();
  private merges = new Map<string, readonly string[]>();
  private mergeTreeMissing = false;
  private readonly baseNotes = new Map<string, string>();

  constructor(private readonly git: ConflictGit) {}

  /** Whether an agent's last reading succeeded (the watcher watches only those). */
  reading(agent: string): Reading | undefined {
    const reading = this.readings.get(agent);
    return reading && 'tip' in reading ? reading : undefined;
  }

  /**
   * Checks the session. `dirty`: the agents whose worktree may have changed since the last
   * check (all of them when absent, and always those never read).
   */
  async check(session: CheckSession, dirty?: ReadonlySet<string>): Promise<CheckResult> {
    const names = new Set(session.targets.map((target) => target.agent));
    for (const agent of this.readings.keys()) if (!names.has(agent)) this.readings.delete(agent);
    await Promise.all(
      session.targets
        .filter((target) => !dirty || dirty.has(target.agent) || !this.readings.has(target.agent))
        .map((target) => this.read(session, target)),
    );
    const agents: AgentFiles[] = [];
    const unchecked: UncheckedAgent[] = [];
    for (const target of session.targets) {
      const reading = this.readings.get(target.agent);
      const committed = this.committed.get(target.agent);
      if (!reading || !('tip' in reading) || committed?.tip !== reading.tip) {
        unchecked.push({
          agent: target.agent,
          reason: reading && 'error' in reading ? reading.error : 'not read yet',
        });
        continue;
      }
      agents.push({
        agent: target.agent,
        tip: reading.tip,
        committed: committed.files,
        uncommitted: reading.uncommitted,
      });
    }
    await this.merge(session.repo, agents);
    const findings = findPairs(agents, (a, b) => this.merges.get(tipPairKey(a.tip, b.tip)));
    const notes = [...this.baseNotes.values()];
    if (this.mergeTreeMissing) notes.push(MERGE_TREE_NOTE);
    return { findings, unchecked, notes };
  }

  private async read(session: CheckSession, target: ConflictTarget): Promise<void> {
    try {
      const status = await this.git.status(target.worktree);
      if (status.head === null) {
        const branch = status.branch ?? target.branch;
        throw new GitReadError(`branch '${branch}' has no commit (deleted or renamed by hand?)`);
      }
      if (this.committed.get(target.agent)?.tip !== status.head) {
        const files = await this.committedFiles(session, target, status.head);
        this.committed.set(target.agent, { tip: status.head, files: new Set(files) });
      }
      this.readings.set(target.agent, { tip: status.head, uncommitted: new Set(status.changed) });
    } catch (error) {
      this.readings.set(target.agent, { error: `${target.worktree}: ${reason(error)}` });
    }
  }

  /**
   * What the agent's commits changed since its branch forked from the session's base branch;
   * from the fork point recorded at launch when that branch is gone or renamed, else from the
   * main checkout's HEAD.
   */
  private async committedFiles(
    session: CheckSession,
    target: ConflictTarget,
    tip: string,
  ): Promise<string[]> {
    const bases = [session.baseBranch, target.forkPoint, 'HEAD'].filter(
      (base): base is string => base !== undefined,
    );
    let failure: unknown;
    for (const base of bases) {
      try {
        const files = await this.git.committedFiles(session.repo, base, tip);
        if (base === session.baseBranch) this.baseNotes.delete(target.agent);
        else if (session.baseBranch !== undefined) {
          this.baseNotes.set(
            target.agent,
            `${target.agent}: base branch '${session.baseBranch}' not found; compared with ${base === 'HEAD' ? "the main checkout's HEAD" : 'the commit it forked from'}`,
          );
        }
        return files;
      } catch (error) {
        failure = error;
      }
    }
    throw new GitReadError(`cannot tell what it committed: ${reason(failure)}`);
  }

  /** Asks git about the pairs that need it and whose tips were not asked about before. */
  private async merge(repo: string, agents: readonly AgentFiles[]): Promise<void> {
    const wanted = new Map<string, [string, string]>();
    for (let i = 0; i < agents.length; i += 1) {
      for (let j = i + 1; j < agents.length; j += 1) {
        const a = agents[i] as AgentFiles;
        const b = agents[j] as AgentFiles;
        if (needsMerge(a, b)) wanted.set(tipPairKey(a.tip, b.tip), [a.tip, b.tip]);
      }
    }
    const next = new Map<string, readonly string[]>();
    const asks: Promise<void>[] = [];
    for (const [key, [a, b]] of wanted) {
      const known = this.merges.get(key);
      if (known) {
        next.set(key, known);
        continue;
      }
      if (this.mergeTreeMissing) continue;
      asks.push(
        this.git.mergeConflicts(repo, a, b).then(
          (paths) => {
            if (paths === 'unsupported') this.mergeTreeMissing = true;
            else next.set(key, paths);
          },
          // The pair is reported by its overlap meanwhile, and asked about again next time.
          () => undefined,
        ),
      );
    }
    await Promise.all(asks);
    this.merges = next;
  }
}
