// `agent.conflict` notices through the broker's one mutation path, on a real log file: both
// agents of the pair get one message, in seq order with the publishes around it, the log holds
// it, a broker reopened from the log delivers the same messages and remembers what it announced,
// and `/status` carries the conflict report.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openBroker, type OpenedBroker } from '../../src/broker/server/service.js';
import { pollUntil } from '../helpers/poll.js';

let dir: string;
const opened: OpenedBroker[] = [];
const ROSTER = [
  { agent_id: 'feat-a', cli: 'claude' },
  { agent_id: 'feat-b', cli: 'codex' },
];

function open(compactAt?: number, onCompacted?: () => void): OpenedBroker {
  const broker = openBroker({
    ...(compactAt === undefined
      ? {}
      : { compaction: { limit: compactAt, onCompacted: () => onCompacted?.() } }),
    roster: ROSTER,
    logPath: join(dir, 'broker.jsonl'),
    identity: {
      session: 's',
      repoPath: '/r',
      instanceId: 'i',
      version: '0',
      pid: process.pid,
      startedAt: new Date(),
    },
  });
  opened.push(broker);
  return broker;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'paw-notice-'));
});
afterEach(async () => {
  for (const broker of opened.splice(0)) await broker.log.close();
  rmSync(dir, { recursive: true, force: true });
});

const flushed = () => new Promise((resolve) => setImmediate(resolve));

function inbox(broker: OpenedBroker, agent: string): { type: string; seq: number; payload: unknown }[] {
  const result = broker.service.poll(agent, 0n);
  if ('error' in result) throw new Error(result.error);
  return result.messages.map((json) => JSON.parse(json) as { type: string; seq: number; payload: unknown });
}

describe('agent.conflict notices', () => {
  it('reach both agents once, stay in seq order, survive a restart and are remembered', async () => {
    const broker = open();
    broker.service.publish(
      { type: 'agent.blocked', agent_id: 'feat-a', payload: { needs: 'x', from: 'feat-b' } },
      () => undefined,
    );
    broker.service.announceConflict({
      agents: ['feat-a', 'feat-b'],
      kind: 'conflict',
      paths: ['src/x.ts'],
      since: '2026-01-01T00:00:00.000Z',
    });
    await flushed();
    expect(inbox(broker, 'feat-a').map(({ type, seq, payload }) => ({ type, seq, payload }))).toEqual([
      { type: 'agent.conflict', seq: 2, payload: { with: 'feat-b', kind: 'conflict', paths: ['src/x.ts'] } },
    ]);
    expect(inbox(broker, 'feat-b').map(({ type, seq }) => `${type} ${seq}`)).toEqual([
      'agent.blocked 1',
      'agent.conflict 3',
    ]);
    expect(readFileSync(join(dir, 'broker.jsonl'), 'utf8')).toContain(
      '"to":"feat-b","notice":{"type":"agent.conflict"',
    );
    await broker.log.close();
    opened.splice(0);

    const again = open();
    expect(again.replay.skipped).toBe(0);
    expect(inbox(again, 'feat-b').map(({ type, seq }) => `${type} ${seq}`)).toEqual([
      'agent.blocked 1',
      'agent.conflict 3',
    ]);
    expect(again.service.lastConflictNotice('feat-b', 'feat-a')?.kind).toBe('conflict');
    // Messages accepted from agents are counted; git-paw's own notices are not.
    expect((JSON.parse(again.service.statusJson()) as { message_count: number }).message_count).toBe(1);
  });

  it('/status carries the conflict report in its documented members', () => {
    const broker = open();
    broker.service.setConflictReport({
      conflicts: [
        { agents: ['feat-a', 'feat-b'], kind: 'overlap', paths: ['x'], since: '2026-01-01T00:00:00.000Z' },
      ],
      check: { checked_at: '2026-01-01T00:00:01.000Z', unchecked: [], notes: [] },
    });
    const status = JSON.parse(broker.service.statusJson()) as Record<string, unknown>;
    expect(status.conflicts).toEqual([
      { agents: ['feat-a', 'feat-b'], kind: 'overlap', paths: ['x'], since: '2026-01-01T00:00:00.000Z' },
    ]);
    expect(status.conflict_check).toEqual({
      checked_at: '2026-01-01T00:00:01.000Z',
      unchecked: [],
      notes: [],
    });
  });

  it('survive log compaction: delivered and remembered after a restart from the snapshot', async () => {
    let compactions = 0;
    const broker = open(300, () => (compactions += 1));
    for (const kind of ['uncommitted-overlap', 'overlap', 'conflict'] as const) {
      broker.service.announceConflict({
        agents: ['feat-a', 'feat-b'],
        kind,
        paths: ['src/x.ts'],
        since: '2026-01-01T00:00:00.000Z',
      });
      await flushed();
    }
    await pollUntil(
      () => compactions,
      (count) => count > 0,
      { what: 'a compaction' },
    );
    await broker.log.close();
    opened.splice(0);
    const again = open();
    expect(readFileSync(join(dir, 'broker.jsonl'), 'utf8')).toContain('"snapshot"');
    expect(inbox(again, 'feat-a').map(({ type, seq }) => `${type} ${seq}`)).toEqual([
      'agent.conflict 1',
      'agent.conflict 3',
      'agent.conflict 5',
    ]);
    expect(again.service.lastConflictNotice('feat-a', 'feat-b')?.kind).toBe('conflict');
  });
});
