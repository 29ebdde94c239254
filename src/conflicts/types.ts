// The conflict report's vocabulary, shared by the checker, the broker's `/status`, `git paw
// status`, `git paw conflicts` and the dashboard. Plain data, so it travels as JSON unchanged.

/** How badly two agents' work collides, most severe first. */
export type ConflictKind = 'conflict' | 'overlap' | 'uncommitted-overlap';

export const CONFLICT_KINDS: readonly ConflictKind[] = ['conflict', 'overlap', 'uncommitted-overlap'];

/** One pair of agents whose work collides, as found by one check. */
export interface PairFinding {
  /** The two agent ids, in session order. */
  agents: [string, string];
  kind: ConflictKind;
  /** Sorted: the paths git cannot merge (`conflict`) or that both changed (the overlaps). */
  paths: string[];
}

/** A finding with the time the pair entered this state (ISO). */
export interface ConflictEntry extends PairFinding {
  since: string;
}

/** An agent whose work could not be checked, and why (one line). */
export interface UncheckedAgent {
  agent: string;
  reason: string;
}

/** How the check went, beside the pairs. */
export interface ConflictCheck {
  /** ISO time of the last finished check; null before the first one. */
  checked_at: string | null;
  unchecked: UncheckedAgent[];
  /** Things the reader should know: older git without merge-tree, a slow repo backed off. */
  notes: string[];
}

export interface ConflictReport {
  conflicts: ConflictEntry[];
  check: ConflictCheck;
}
