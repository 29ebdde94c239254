// Pair-state diffing: which pairs are new or changed kind since the last check (so each agent is
// told once per new state, and again after a pair clears and comes back), and since when each
// pair has been in its current state. Pure apart from the time it is handed.
import type { ConflictEntry, ConflictKind, PairFinding } from './types.js';

/** What was last known of a pair: its kind and since when (ISO). */
export interface PairState {
  kind: ConflictKind;
  since: string;
}

export function pairKey(agents: readonly [string, string]): string {
  return `${agents[0]}\0${agents[1]}`;
}

export interface TrackerUpdate {
  /** Every current pair, with the time it entered its state. */
  entries: ConflictEntry[];
  /** The pairs that are new or changed kind: the ones to announce. */
  fresh: ConflictEntry[];
}

export class PairTracker {
  private known: Map<string, PairState>;

  /**
   * `seed`: what was announced before (e.g. replayed from the broker's log), so a restart does
   * not announce again a pair that has not changed.
   */
  constructor(seed: ReadonlyMap<string, PairState> = new Map()) {
    this.known = new Map(seed);
  }

  /**
   * Takes one check's findings. A pair absent from them has cleared and is forgotten, unless one
   * of its agents could not be checked this time (`unchecked`): what was known is kept then.
   */
  update(
    findings: readonly PairFinding[],
    at: Date,
    unchecked: ReadonlySet<string> = new Set(),
  ): TrackerUpdate {
    const next = new Map<string, PairState>();
    const entries: ConflictEntry[] = [];
    const fresh: ConflictEntry[] = [];
    for (const finding of findings) {
      const key = pairKey(finding.agents);
      const before = this.known.get(key);
      const state = before?.kind === finding.kind ? before : { kind: finding.kind, since: at.toISOString() };
      next.set(key, state);
      const entry = { ...finding, since: state.since };
      entries.push(entry);
      if (state !== before) fresh.push(entry);
    }
    for (const [key, state] of this.known) {
      const [a = '', b = ''] = key.split('\0');
      if (!next.has(key) && (unchecked.has(a) || unchecked.has(b))) next.set(key, state);
    }
    this.known = next;
    return { entries, fresh };
  }
}
