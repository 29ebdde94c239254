// How a conflict report reads: the "Conflicts" lines of `git paw status` and `git paw
// conflicts`, the one-line summary under the dashboard's table, and the documented JSON shape
// (docs/conflicts.md). Pure formatting.
import { CONFLICT_KINDS, type ConflictEntry, type ConflictReport } from './types.js';

const LABELS: Record<ConflictEntry['kind'], string> = {
  conflict: 'conflict',
  overlap: 'overlap',
  'uncommitted-overlap': 'uncommitted overlap',
};

/** Paths shown per pair on one line; the rest are counted. */
const SHOWN_PATHS = 3;

function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- paths may hold control characters; the screen must not
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, '?');
}

/** `a/x.ts, b/y.ts (+2 more)`. */
export function pathsText(paths: readonly string[], shown = SHOWN_PATHS): string {
  const head = paths.slice(0, shown).map(oneLine).join(', ');
  return paths.length > shown ? `${head} (+${paths.length - shown} more)` : head;
}

/** `feat-a ↔ feat-b  conflict  src/x.ts`. */
export function pairLine(entry: ConflictEntry): string {
  return `${entry.agents[0]} ↔ ${entry.agents[1]}  ${LABELS[entry.kind]}  ${pathsText(entry.paths)}`;
}

/** The "Conflicts" section: one line per pair, then what could not be checked and the notes. */
export function conflictLines(report: ConflictReport): string[] {
  const lines = ['Conflicts:'];
  if (report.conflicts.length === 0) lines.push('  none');
  for (const entry of report.conflicts) lines.push(`  ${pairLine(entry)}`);
  for (const { agent, reason } of report.check.unchecked)
    lines.push(`  not checked: ${agent} (${oneLine(reason)})`);
  for (const note of report.check.notes) lines.push(`  note: ${oneLine(note)}`);
  return lines;
}

/** The agents involved in some pair, for the dashboard's markers. */
export function involvedAgents(conflicts: readonly ConflictEntry[]): Set<string> {
  return new Set(conflicts.flatMap((entry) => entry.agents));
}

/** The JSON shape of `status --json`, `conflicts --json` and the broker's `/status`. */
export function conflictsJson(report: ConflictReport): {
  conflicts: ConflictEntry[];
  conflict_check: ConflictReport['check'];
} {
  return {
    conflicts: report.conflicts.map(({ agents, kind, paths, since }) => ({ agents, kind, paths, since })),
    conflict_check: report.check,
  };
}

/** The loosely typed entries of a broker's `/status`, with unknown kinds and malformed pairs left out. */
export function reportFromStatus(status: {
  conflicts?: { agents: string[]; kind: string; paths: string[]; since: string }[] | null;
  conflict_check?: ConflictReport['check'] | null;
}): ConflictReport | undefined {
  if (!status.conflicts || !status.conflict_check) return undefined;
  const conflicts: ConflictEntry[] = [];
  for (const entry of status.conflicts) {
    const [a, b] = entry.agents;
    const kind = CONFLICT_KINDS.find((known) => known === entry.kind);
    if (a === undefined || b === undefined || kind === undefined) continue;
    conflicts.push({ agents: [a, b], kind, paths: entry.paths, since: entry.since });
  }
  return { conflicts, check: status.conflict_check };
}

/** The dashboard's line under its table: every pair and its first path, `·`-separated. */
export function conflictSummary(conflicts: readonly ConflictEntry[]): string {
  const pairs = conflicts.map(
    (entry) => `${entry.agents[0]} ↔ ${entry.agents[1]} ${LABELS[entry.kind]}: ${pathsText(entry.paths, 1)}`,
  );
  return `⚠ ${pairs.join(' · ')}`;
}
