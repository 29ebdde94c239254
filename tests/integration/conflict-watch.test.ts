// The broker's conflict watcher in a real session (built CLI, private tmux server, real broker,
// real worktrees and commits): pairs appear in the broker's `/status`, in `git paw status` and on
// the dashboard; each agent's inbox gets exactly one `agent.conflict` per new pair state (again
// after the pair clears and comes back); a worktree removed by hand is reported, not fatal.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../helpers/poll.js';
import { commitAll, editSharedLine, SHARED_LINES } from '../helpers/agent-edits.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { listPanes, skipWithoutTmux, waitForPaneText } from '../helpers/tmux.js';
import { httpRequest } from '../helpers/broker-harness.js';
import { brokerOf, enableBroker, pollInbox, type SessionBroker } from '../helpers/broker-session.js';
import { pawOk, worktreeDir } from '../helpers/lifecycle.js';

let sandbox: Sandbox;
let broker: SessionBroker;

interface StatusDoc {
  conflicts?: { agents: string[]; kind: string; paths: string[]; since: string }[];
  conflict_check?: {
    checked_at: string | null;
    unchecked: { agent: string; reason: string }[];
    notes: string[];
  };
}

interface Notice {
  type: string;
  agent_id: string;
  payload: { with: string; kind: string; paths: string[] };
  seq: number;
}

beforeAll(async () => {
  sandbox = createSandbox();
  sandbox.fakeCli('claude');
  await enableBroker(sandbox);
  sandbox.writeFile('proj/shared.txt', `${SHARED_LINES.join('\n')}\n`);
  sandbox.git(['add', 'shared.txt']);
  sandbox.git(['commit', '-q', '-m', 'files']);
  await pawOk(sandbox, ['start', '--no-attach', '--cli', 'claude', '--branches', 'feat-a,feat-b,feat-c']);
  broker = brokerOf(sandbox);
}, 60_000);
afterAll(() => sandbox.cleanup());

const wt = (agent: string) => worktreeDir(sandbox, agent);

async function brokerStatus(): Promise<StatusDoc> {
  const reply = await httpRequest(broker.port, { path: '/status' });
  return JSON.parse(reply.body) as StatusDoc;
}

function pairs(doc: StatusDoc): string[] {
  return (doc.conflicts ?? []).map(
    (entry) => `${entry.agents.join('+')} ${entry.kind} ${entry.paths.join(',')}`,
  );
}

async function waitForPairs(expected: string[], what: string): Promise<StatusDoc> {
  return pollUntil(brokerStatus, (doc) => JSON.stringify(pairs(doc)) === JSON.stringify(expected), {
    what,
    timeoutMs: 20_000,
  });
}

async function notices(agent: string): Promise<Notice[]> {
  const reply = await pollInbox(broker, agent);
  const body = JSON.parse(reply.body) as { messages: Notice[] };
  return body.messages.filter((message) => message.type === 'agent.conflict');
}

async function noticesAbout(agent: string, other: string): Promise<Notice[]> {
  return (await notices(agent)).filter((notice) => notice.payload.with === other);
}

/** Never the same state twice in a row for one pair. */
function expectOnePerState(found: readonly Notice[]): void {
  found.slice(1).forEach((notice, index) => expect(notice.payload.kind).not.toBe(found[index]?.payload.kind));
}

describe.skipIf(skipWithoutTmux)('the conflict watcher of a running session', () => {
  it('reports a conflict everywhere and tells both agents once per pair state', async () => {
    editSharedLine(sandbox, 'feat-a', 10, 'a says this');
    commitAll(sandbox, 'feat-a', 'a');
    editSharedLine(sandbox, 'feat-b', 10, 'b says that');
    commitAll(sandbox, 'feat-b', 'b');
    const doc = await waitForPairs(['feat-a+feat-b conflict shared.txt'], 'the a/b conflict in /status');
    expect(doc.conflict_check?.unchecked).toEqual([]);

    // b's edit may be seen before its commit (an uncommitted overlap first): each state once.
    const toA = await pollUntil(
      () => noticesAbout('feat-a', 'feat-b'),
      (found) => found.at(-1)?.payload.kind === 'conflict',
      { what: 'the conflict notice for feat-a' },
    );
    expect(toA.at(-1)).toMatchObject({
      type: 'agent.conflict',
      agent_id: 'git-paw',
      payload: { with: 'feat-b', kind: 'conflict', paths: ['shared.txt'] },
    });
    expectOnePerState(toA);
    const toB = await noticesAbout('feat-b', 'feat-a');
    expect(toB.map((notice) => notice.payload.kind)).toEqual(toA.map((notice) => notice.payload.kind));
    const aboutAB = toA.length;

    // Another pair appears (checks ran meanwhile): the a/b pair, unchanged, is not told again.
    writeFileSync(join(wt('feat-c'), 'shared.txt'), 'c rewrote it\n');
    await waitForPairs(
      [
        'feat-a+feat-b conflict shared.txt',
        'feat-a+feat-c uncommitted-overlap shared.txt',
        'feat-b+feat-c uncommitted-overlap shared.txt',
      ],
      'the uncommitted overlaps with feat-c',
    );
    await pollUntil(
      () => notices('feat-c'),
      (found) => found.length === 2,
      { what: 'two notices for feat-c' },
    );
    expect(await noticesAbout('feat-a', 'feat-b')).toHaveLength(aboutAB);
    expect((await noticesAbout('feat-a', 'feat-c')).map((notice) => notice.payload.kind)).toEqual([
      'uncommitted-overlap',
    ]);

    const status = await pawOk(sandbox, ['status']);
    expect(status.stdout).toContain('Conflicts:\n  feat-a ↔ feat-b  conflict  shared.txt\n');
    const panes = listPanes(sandbox, 'paw-proj');
    const screen = await waitForPaneText(
      sandbox,
      panes[0]?.id ?? '',
      '⚠ feat-a ↔ feat-b conflict: shared.txt',
    );
    expect(screen).toMatch(/⚠ feat-a\s/);

    // Cleared: feat-c drops its change, feat-b reverts. Gone from /status, status and the dashboard.
    sandbox.git(['checkout', '--', 'shared.txt'], wt('feat-c'));
    sandbox.git(['revert', '--no-edit', 'HEAD'], wt('feat-b'));
    await waitForPairs([], 'every pair cleared');
    expect((await pawOk(sandbox, ['status'])).stdout).toContain('Conflicts:\n  none\n');
    await pollUntil(
      () =>
        listPanes(sandbox, 'paw-proj').length > 0 &&
        sandbox.tmux(['capture-pane', '-p', '-t', panes[0]?.id ?? '']),
      (text) => typeof text === 'string' && !text.includes('⚠'),
      { what: 'the dashboard without conflict markers' },
    );

    // The same conflict comes back: told again, once.
    editSharedLine(sandbox, 'feat-b', 10, 'b says that again');
    commitAll(sandbox, 'feat-b', 'b again');
    await waitForPairs(['feat-a+feat-b conflict shared.txt'], 'the a/b conflict back');
    const back = await pollUntil(
      () => noticesAbout('feat-a', 'feat-b'),
      (found) => found.length > aboutAB && found.at(-1)?.payload.kind === 'conflict',
      { what: 'the conflict told again to feat-a' },
    );
    expectOnePerState(back.slice(aboutAB));
  }, 90_000);

  it('a worktree removed by hand: the watcher keeps going and names what it could not check', async () => {
    rmSync(wt('feat-c'), { recursive: true, force: true });
    // A sweep or a change elsewhere notices it; a change makes it prompt.
    writeFileSync(join(wt('feat-a'), 'poke.txt'), 'x\n');
    const doc = await pollUntil(
      brokerStatus,
      (status) => (status.conflict_check?.unchecked ?? []).some((entry) => entry.agent === 'feat-c'),
      { what: 'feat-c reported as not checked', timeoutMs: 90_000 },
    );
    expect(doc.conflict_check?.unchecked[0]?.reason).toContain('is gone');
    expect(pairs(doc)).toEqual(['feat-a+feat-b conflict shared.txt']);
    expect((await pawOk(sandbox, ['status'])).stdout).toMatch(/not checked: feat-c \(.*is gone\)/);
  }, 120_000);
});
