// The pure part of the conflict check: reading `git status --porcelain=v2 -z`, pairs from file
// sets (which kind wins, which pairs need git's merge), and pair-state diffing (announced once
// per new state, again after clearing and coming back, kept while an agent cannot be checked).
import { describe, expect, it } from 'vitest';
import { findPairs, needsMerge, type AgentFiles } from '../../src/conflicts/pairs.js';
import { parsePorcelainV2 } from '../../src/conflicts/porcelain.js';
import { PairTracker, pairKey } from '../../src/conflicts/tracker.js';
import type { PairFinding } from '../../src/conflicts/types.js';

const OID = 'a'.repeat(40);

function agent(
  name: string,
  committed: string[],
  uncommitted: string[] = [],
  tip = `${name}-tip`,
): AgentFiles {
  return { agent: name, tip, committed: new Set(committed), uncommitted: new Set(uncommitted) };
}

describe('porcelain v2 status', () => {
  it('reads the head, the branch and every uncommitted path, renames and spaces included', () => {
    const output = [
      `# branch.oid ${OID}`,
      '# branch.head feat/x',
      '1 .M N... 100644 100644 100644 1111111 1111111 src/with space.ts',
      `2 R. N... 100644 100644 100644 2222222 2222222 R100 new name.ts`,
      'old name.ts',
      'u UU N... 100644 100644 100644 100644 3 4 5 both.ts',
      '? untracked.txt',
      '',
    ].join('\0');
    expect(parsePorcelainV2(output)).toEqual({
      head: OID,
      branch: 'feat/x',
      changed: ['src/with space.ts', 'new name.ts', 'old name.ts', 'both.ts', 'untracked.txt'],
    });
  });

  it('a branch without commits has no head; a detached HEAD has no branch', () => {
    expect(parsePorcelainV2('# branch.oid (initial)\0# branch.head gone\0')).toEqual({
      head: null,
      branch: 'gone',
      changed: [],
    });
    expect(parsePorcelainV2(`# branch.oid ${OID}\0# branch.head (detached)\0`).branch).toBeNull();
  });
});

describe('pairs from file sets', () => {
  it('different files: nothing', () => {
    expect(findPairs([agent('a', ['x']), agent('b', ['y'], ['z'])], () => undefined)).toEqual([]);
  });

  it('a path both committed: overlap; only one side committed: uncommitted overlap', () => {
    expect(findPairs([agent('a', ['x', 'y']), agent('b', ['x'], ['y'])], () => undefined)).toEqual([
      { agents: ['a', 'b'], kind: 'overlap', paths: ['x', 'y'] },
    ]);
    expect(findPairs([agent('a', [], ['x']), agent('b', ['x'])], () => undefined)).toEqual([
      { agents: ['a', 'b'], kind: 'uncommitted-overlap', paths: ['x'] },
    ]);
  });

  it('conflicting paths from git win over the overlap', () => {
    const found = findPairs([agent('a', ['x', 'y']), agent('b', ['x', 'y'])], () => ['y', 'y']);
    expect(found).toEqual([{ agents: ['a', 'b'], kind: 'conflict', paths: ['y'] }]);
  });

  it('git is asked only about commits sharing a path, or a file where the other made a directory', () => {
    expect(needsMerge(agent('a', ['x']), agent('b', ['y']))).toBe(false);
    expect(needsMerge(agent('a', ['x']), agent('b', ['x']))).toBe(true);
    expect(needsMerge(agent('a', ['lib']), agent('b', ['lib/mod.ts']))).toBe(true);
    expect(needsMerge(agent('a', [], ['x']), agent('b', ['x']))).toBe(false);
    expect(needsMerge(agent('a', ['x'], [], 'same'), agent('b', ['x'], [], 'same'))).toBe(false);
  });
});

describe('pair-state diffing', () => {
  const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second));
  const pair = (kind: PairFinding['kind']): PairFinding => ({ agents: ['a', 'b'], kind, paths: ['x'] });

  it('announces a pair once per new state, and again after it clears and comes back', () => {
    const tracker = new PairTracker();
    expect(tracker.update([pair('overlap')], at(1)).fresh).toHaveLength(1);
    const same = tracker.update([pair('overlap')], at(2));
    expect(same.fresh).toEqual([]);
    expect(same.entries[0]?.since).toBe(at(1).toISOString());
    const worse = tracker.update([pair('conflict')], at(3));
    expect(worse.fresh.map((entry) => entry.kind)).toEqual(['conflict']);
    expect(tracker.update([], at(4)).entries).toEqual([]);
    const back = tracker.update([pair('conflict')], at(5));
    expect(back.fresh.map((entry) => entry.since)).toEqual([at(5).toISOString()]);
  });

  it('keeps a pair while one of its agents cannot be checked, and does not announce it again', () => {
    const tracker = new PairTracker();
    tracker.update([pair('conflict')], at(1));
    expect(tracker.update([], at(2), new Set(['b'])).entries).toEqual([]);
    expect(tracker.update([pair('conflict')], at(3)).fresh).toEqual([]);
  });

  it('a seed (what a previous broker announced) is not announced again', () => {
    const tracker = new PairTracker(
      new Map([[pairKey(['a', 'b']), { kind: 'overlap', since: at(0).toISOString() }]]),
    );
    const update = tracker.update([pair('overlap')], at(1));
    expect(update.fresh).toEqual([]);
    expect(update.entries[0]?.since).toBe(at(0).toISOString());
  });
});
