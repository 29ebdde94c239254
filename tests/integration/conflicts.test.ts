// `git paw conflicts` and the "Conflicts" section of `git paw status`, computed from git for a
// session without a broker: real repo, real worktrees, real commits. Covers each kind (overlap,
// conflict, uncommitted overlap), a pair that clears, worktrees and branches broken by hand, and
// the documented JSON shape.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitAll, editSharedLine, SHARED_LINES } from '../helpers/agent-edits.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { skipWithoutTmux } from '../helpers/tmux.js';
import { paw, pawOk, readState, worktreeDir } from '../helpers/lifecycle.js';

let sandbox: Sandbox;

beforeEach(async () => {
  sandbox = createSandbox({ broker: false });
  sandbox.fakeCli('claude');
  sandbox.writeFile('proj/shared.txt', `${SHARED_LINES.join('\n')}\n`);
  sandbox.writeFile('proj/a-only.txt', 'a\n');
  sandbox.writeFile('proj/b-only.txt', 'b\n');
  sandbox.git(['add', 'shared.txt', 'a-only.txt', 'b-only.txt']);
  sandbox.git(['commit', '-q', '-m', 'files']);
  await pawOk(sandbox, ['start', '--no-attach', '--cli', 'claude', '--branches', 'feat-a,feat-b']);
});
afterEach(() => sandbox.cleanup());

const wt = (agent: string) => worktreeDir(sandbox, agent);

interface ConflictsJson {
  conflicts: { agents: string[]; kind: string; paths: string[]; since: string }[];
  conflict_check: {
    checked_at: string | null;
    unchecked: { agent: string; reason: string }[];
    notes: string[];
  };
}

async function conflictsJson(): Promise<ConflictsJson> {
  const result = await pawOk(sandbox, ['conflicts', '--json']);
  return JSON.parse(result.stdout) as ConflictsJson;
}

/** The documented shape, checked member by member. */
function expectDocumentedShape(doc: ConflictsJson): void {
  expect(Object.keys(doc).sort()).toEqual(['conflict_check', 'conflicts']);
  for (const entry of doc.conflicts) {
    expect(Object.keys(entry).sort()).toEqual(['agents', 'kind', 'paths', 'since']);
    expect(entry.agents).toHaveLength(2);
    expect(['conflict', 'overlap', 'uncommitted-overlap']).toContain(entry.kind);
    expect(entry.paths.length).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(entry.since))).toBe(false);
  }
  expect(Object.keys(doc.conflict_check).sort()).toEqual(['checked_at', 'notes', 'unchecked']);
  for (const entry of doc.conflict_check.unchecked)
    expect(Object.keys(entry).sort()).toEqual(['agent', 'reason']);
}

describe.skipIf(skipWithoutTmux)('conflicts from git, without a broker', () => {
  it('two worktrees editing different files: no report', async () => {
    writeFileSync(join(wt('feat-a'), 'a-only.txt'), 'changed by a\n');
    commitAll(sandbox, 'feat-a', 'a');
    writeFileSync(join(wt('feat-b'), 'b-only.txt'), 'changed by b\n');
    writeFileSync(join(wt('feat-b'), 'new-by-b.txt'), 'new\n');
    const doc = await conflictsJson();
    expectDocumentedShape(doc);
    expect(doc.conflicts).toEqual([]);
    expect(doc.conflict_check.unchecked).toEqual([]);
    expect((await pawOk(sandbox, ['conflicts'])).stdout).toBe('Conflicts:\n  none\n');
  });

  it('the same file, different hunks, both committed: an overlap but no conflict', async () => {
    editSharedLine(sandbox, 'feat-a', 2, 'a was here');
    commitAll(sandbox, 'feat-a', 'a');
    editSharedLine(sandbox, 'feat-b', 28, 'b was here');
    commitAll(sandbox, 'feat-b', 'b');
    const doc = await conflictsJson();
    expectDocumentedShape(doc);
    expect(doc.conflicts.map(({ agents, kind, paths }) => ({ agents, kind, paths }))).toEqual([
      { agents: ['feat-a', 'feat-b'], kind: 'overlap', paths: ['shared.txt'] },
    ]);
  });

  it('the same lines, both committed: a conflict naming the path', async () => {
    editSharedLine(sandbox, 'feat-a', 10, 'a says this');
    commitAll(sandbox, 'feat-a', 'a');
    editSharedLine(sandbox, 'feat-b', 10, 'b says that');
    commitAll(sandbox, 'feat-b', 'b');
    const doc = await conflictsJson();
    expectDocumentedShape(doc);
    expect(doc.conflicts.map(({ agents, kind, paths }) => ({ agents, kind, paths }))).toEqual([
      { agents: ['feat-a', 'feat-b'], kind: 'conflict', paths: ['shared.txt'] },
    ]);
    expect((await pawOk(sandbox, ['conflicts'])).stdout).toContain('feat-a ↔ feat-b  conflict  shared.txt');
  });

  it('with a git before 2.38 (no merge-tree --write-tree): overlaps only, and status says so once', async () => {
    // A git that rejects --write-tree as an unknown option, as merge-tree's old mode does (exit 129).
    const real = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    sandbox.fakeCli(
      'git',
      `#!/bin/sh\ncase " $* " in *" merge-tree "*"--write-tree"*) echo "usage: git merge-tree <base-tree> <branch1> <branch2>" >&2; exit 129;; esac\nexec '${real}' "$@"\n`,
    );
    editSharedLine(sandbox, 'feat-a', 10, 'a says this');
    commitAll(sandbox, 'feat-a', 'a');
    editSharedLine(sandbox, 'feat-b', 10, 'b says that');
    commitAll(sandbox, 'feat-b', 'b');
    const doc = await conflictsJson();
    expect(doc.conflicts.map(({ agents, kind, paths }) => ({ agents, kind, paths }))).toEqual([
      { agents: ['feat-a', 'feat-b'], kind: 'overlap', paths: ['shared.txt'] },
    ]);
    expect(doc.conflict_check.notes.filter((note) => note.includes('overlaps only'))).toHaveLength(1);
    const status = (await pawOk(sandbox, ['status'])).stdout;
    expect(status.split('overlaps only').length - 1, status).toBe(1);
  });

  it('one side uncommitted: an uncommitted overlap, also for a file both create', async () => {
    editSharedLine(sandbox, 'feat-a', 10, 'a says this');
    commitAll(sandbox, 'feat-a', 'a');
    editSharedLine(sandbox, 'feat-b', 10, 'b says that (not committed)');
    writeFileSync(join(wt('feat-a'), 'notes.md'), 'a\n');
    writeFileSync(join(wt('feat-b'), 'notes.md'), 'b\n');
    const doc = await conflictsJson();
    expect(doc.conflicts.map(({ agents, kind, paths }) => ({ agents, kind, paths }))).toEqual([
      { agents: ['feat-a', 'feat-b'], kind: 'uncommitted-overlap', paths: ['notes.md', 'shared.txt'] },
    ]);
  });

  it('a conflict that one side reverts disappears from status', async () => {
    editSharedLine(sandbox, 'feat-a', 10, 'a says this');
    commitAll(sandbox, 'feat-a', 'a');
    editSharedLine(sandbox, 'feat-b', 10, 'b says that');
    commitAll(sandbox, 'feat-b', 'b');
    const before = await pawOk(sandbox, ['status']);
    expect(before.stdout).toContain('Conflicts:\n  feat-a ↔ feat-b  conflict  shared.txt\n');
    sandbox.git(['revert', '--no-edit', 'HEAD'], wt('feat-b'));
    const after = await pawOk(sandbox, ['status']);
    expect(after.stdout).toContain('Conflicts:\n  none\n');
    const json = JSON.parse((await pawOk(sandbox, ['status', '--json'])).stdout) as ConflictsJson;
    expect(json.conflicts).toEqual([]);
  });

  it('status --json carries the conflicts in the documented shape', async () => {
    editSharedLine(sandbox, 'feat-a', 10, 'a says this');
    commitAll(sandbox, 'feat-a', 'a');
    editSharedLine(sandbox, 'feat-b', 10, 'b says that');
    commitAll(sandbox, 'feat-b', 'b');
    const json = JSON.parse((await pawOk(sandbox, ['status', '--json'])).stdout) as ConflictsJson & {
      session: string;
    };
    expect(json.session).toBe('paw-proj');
    expectDocumentedShape({ conflicts: json.conflicts, conflict_check: json.conflict_check });
    expect(json.conflicts[0]).toMatchObject({
      agents: ['feat-a', 'feat-b'],
      kind: 'conflict',
      paths: ['shared.txt'],
    });
  });

  it('a worktree removed by hand or a branch deleted by hand: reported as not checked', async () => {
    editSharedLine(sandbox, 'feat-a', 10, 'a');
    commitAll(sandbox, 'feat-a', 'a');
    rmSync(wt('feat-a'), { recursive: true, force: true });
    sandbox.git(['update-ref', '-d', 'refs/heads/feat-b']);
    const result = await pawOk(sandbox, ['conflicts']);
    expect(result.stdout).toMatch(/not checked: feat-a \(.*proj-feat-a.* is gone\)/);
    expect(result.stdout).toMatch(/not checked: feat-b \(.*branch 'feat-b' has no commit/);
    const doc = await conflictsJson();
    expect(doc.conflict_check.unchecked.map((entry) => entry.agent)).toEqual(['feat-a', 'feat-b']);
  });

  it('a renamed base branch: still checked, from the fork point recorded at launch', async () => {
    const forkedFrom = sandbox.git(['rev-parse', 'main']);
    const saved = readState(sandbox) as { base_branch?: string; worktrees: { base_commit?: string }[] };
    expect(saved.base_branch).toBe('main');
    expect(saved.worktrees.map((entry) => entry.base_commit)).toEqual([forkedFrom, forkedFrom]);
    sandbox.git(['branch', '-m', 'main', 'trunk']);
    editSharedLine(sandbox, 'feat-a', 10, 'a says this');
    commitAll(sandbox, 'feat-a', 'a');
    editSharedLine(sandbox, 'feat-b', 10, 'b says that');
    commitAll(sandbox, 'feat-b', 'b');
    const doc = await conflictsJson();
    expect(doc.conflicts.map(({ kind, paths }) => ({ kind, paths }))).toEqual([
      { kind: 'conflict', paths: ['shared.txt'] },
    ]);
    expect(doc.conflict_check.notes.join('\n')).toContain("base branch 'main' not found");
  });

  it('outside a session: a one-line error', async () => {
    await pawOk(sandbox, ['purge', '--force']);
    const result = await paw(sandbox, ['conflicts']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'error: Session error: no session for this repo\nhint: start one with `git paw start`\n',
    );
  });
});
