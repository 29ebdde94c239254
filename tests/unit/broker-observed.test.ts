import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StateSignal } from '../../src/agents/state.js';
import type { Message } from '../../src/broker/messages.js';
import { MAX_DETAIL_CHARS, SIGNAL_RING } from '../../src/broker/server/observed.js';
import { BrokerService, type PublishOutcome, type RecordSink } from '../../src/broker/server/service.js';
import { BrokerState, type LogRecord } from '../../src/broker/server/state.js';
import { MessageLog, parseRecordLine, replayLog } from '../../src/broker/server/store.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const identity = {
  session: 's',
  repoPath: '/r',
  instanceId: 'i',
  version: '0',
  pid: 1,
  startedAt: new Date(T0),
};
const ROSTER = [
  { agent_id: 'feat-a', cli: 'claude' },
  { agent_id: 'feat-b', cli: 'codex' },
];
const hook = (state: StateSignal['state'], at: number, detail = ''): StateSignal => ({
  state,
  source: 'hook',
  detail,
  at,
});
const statusOf = (service: BrokerService) =>
  (JSON.parse(service.statusJson()) as { agents: Record<string, unknown>[] }).agents;

function memoryService(writes: LogRecord[] = [], now = () => T0) {
  const state = new BrokerState(ROSTER);
  const sink: RecordSink = { append: (records) => void writes.push(...records) };
  return { state, service: new BrokerService(state, sink, identity, now) };
}

describe('observed agent state in the broker', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('shows not_started for every agent before any signal, after the 0.3.0 members', () => {
    const { service } = memoryService();
    expect(statusOf(service)[0]).toEqual({
      agent_id: 'feat-a',
      cli: 'claude',
      last_seen_seconds: null,
      status: null,
      summary: '',
      state: 'not_started',
      state_since: null,
      state_source: null,
      state_detail: '',
    });
    expect(Object.keys(statusOf(service)[0] ?? {}).slice(0, 5)).toEqual([
      'agent_id',
      'cli',
      'last_seen_seconds',
      'status',
      'summary',
    ]);
  });

  it('logs a deciding signal before it shows, and only deciding ones', () => {
    const writes: LogRecord[] = [];
    const { service } = memoryService(writes);
    expect(service.observe('feat-a', hook('working', T0, 'prompt submitted'))).toEqual({
      ok: true,
      outcome: 'decided',
    });
    expect(service.observe('feat-a', hook('working', T0 + 1, 'tool: Bash'))).toEqual({
      ok: true,
      outcome: 'confirmed',
    });
    expect(writes).toEqual([
      {
        kind: 'state',
        ts: new Date(T0).toISOString(),
        agentId: 'feat-a',
        signal: hook('working', T0, 'prompt submitted'),
      },
    ]);
    expect(statusOf(service)[0]).toMatchObject({
      state: 'working',
      state_since: new Date(T0).toISOString(),
      state_source: 'hook',
      state_detail: 'prompt submitted',
    });
  });

  it('refuses agents outside the roster and malformed signals, changing nothing', () => {
    const writes: LogRecord[] = [];
    const { service } = memoryService(writes);
    expect(service.observe('ghost', hook('working', T0))).toEqual({
      ok: false,
      status: 404,
      error: "agent 'ghost' is not in this session",
    });
    const bad = { state: 'asleep', source: 'hook', detail: '', at: T0 } as unknown as StateSignal;
    expect(service.observe('feat-a', bad)).toMatchObject({ ok: false, status: 400 });
    expect(service.observe('feat-a', { ...hook('idle', T0), at: Number.NaN })).toMatchObject({ ok: false });
    expect(writes).toEqual([]);
    expect(service.signalsOf('ghost')).toBeUndefined();
    expect(statusOf(service).map((agent) => agent.state)).toEqual(['not_started', 'not_started']);
  });

  it('applies nothing when the log cannot be written', () => {
    const state = new BrokerState(ROSTER);
    const failing: RecordSink = {
      append: () => {
        throw new Error('ENOSPC: no space left on device');
      },
    };
    const service = new BrokerService(state, failing, identity, () => T0);
    expect(service.observe('feat-a', hook('working', T0))).toEqual({
      ok: false,
      status: 500,
      error: 'cannot write the message log: ENOSPC: no space left on device',
    });
    expect(statusOf(service)[0]).toMatchObject({ state: 'not_started' });
  });

  it('keeps the last signals in a fixed ring, each marked with what became of it; repeats share an entry', () => {
    const { service } = memoryService();
    service.observe('feat-a', hook('waiting', T0, 'permission: Bash'));
    service.observe('feat-a', { state: 'working', source: 'screen', detail: 'busy', at: T0 + 1_000 });
    service.observe('feat-a', { state: 'working', source: 'screen', detail: 'busy', at: T0 + 2_000 });
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(service.signalsOf('feat-a')?.signals).toEqual([
      {
        ...hook('waiting', T0, 'permission: Bash'),
        at: iso(T0),
        outcome: 'decided',
        count: 1,
        last_at: iso(T0),
      },
      {
        state: 'working',
        source: 'screen',
        detail: 'busy',
        at: iso(T0 + 1_000),
        outcome: 'overruled',
        reason: 'a hook reported the state less than 5 s before',
        count: 2,
        last_at: iso(T0 + 2_000),
      },
    ]);
    for (let i = 0; i < SIGNAL_RING * 3; i += 1)
      service.observe('feat-a', hook('waiting', T0 + 3_000 + i, i % 2 === 0 ? 'permission' : 'question'));
    const signals = service.signalsOf('feat-a')?.signals ?? [];
    expect(signals).toHaveLength(SIGNAL_RING);
    expect(signals.every((entry) => entry.outcome === 'confirmed' && entry.count === 1)).toBe(true);
    expect(service.signalsOf('feat-a')).toMatchObject({ state: 'waiting', state_detail: 'permission: Bash' });
  });

  it('keeps a detail on one line and short', () => {
    const { service } = memoryService();
    service.observe('feat-a', hook('error', T0, `rate\nlimit ${'x'.repeat(500)}`));
    const detail = statusOf(service)[0]?.state_detail as string;
    expect(detail.startsWith('rate limit x')).toBe(true);
    expect(detail).toHaveLength(MAX_DETAIL_CHARS);
  });

  it("takes an agent's `working` status message as an agent signal; other labels only as status", async () => {
    const writes: LogRecord[] = [];
    const { service } = memoryService(writes, () => T0);
    const publish = (message: Message) =>
      new Promise<PublishOutcome>((resolve) => service.publish(message, resolve));
    await publish({
      type: 'agent.status',
      agent_id: 'feat-b',
      payload: { status: 'done', modified_files: [], message: null },
    });
    expect(statusOf(service)[1]).toMatchObject({ status: 'done', state: 'not_started' });
    await publish({
      type: 'agent.status',
      agent_id: 'feat-b',
      payload: { status: 'working', modified_files: [], message: 'x' },
    });
    expect(statusOf(service)[1]).toMatchObject({
      status: 'working',
      state: 'working',
      state_source: 'agent',
      state_detail: '',
    });
    expect(writes.map((record) => record.kind)).toEqual(['message', 'message', 'state']);
  });

  it('replays decided states from the log, and loads logs written before states existed', () => {
    dir = mkdtempSync(join(tmpdir(), 'paw-observed-'));
    const path = join(dir, 'log.jsonl');
    const oldLine = `{"seq":1,"ts":"${new Date(T0).toISOString()}","msg":{"type":"agent.status","agent_id":"feat-a","payload":{"status":"done","modified_files":[],"message":null}}}\n`;
    writeFileSync(path, oldLine);
    const live = new BrokerState(ROSTER);
    expect(replayLog(path, (record) => live.apply(record))).toMatchObject({ records: 1, skipped: 0 });
    const log = new MessageLog(path);
    const service = new BrokerService(live, log, identity, () => T0 + 5);
    service.observe('feat-a', hook('waiting', T0 + 1, 'permission: Edit'));
    service.observe('feat-b', { state: 'exited', source: 'process', detail: 'shell', at: T0 + 2 });

    const replayed = new BrokerState(ROSTER);
    expect(replayLog(path, (record) => replayed.apply(record))).toMatchObject({ records: 3, skipped: 0 });
    expect(replayed.agents(T0 + 10)).toEqual(live.agents(T0 + 10));
    expect(replayed.agents(T0 + 10).map((agent) => [agent.state, agent.state_source])).toEqual([
      ['waiting', 'hook'],
      ['exited', 'process'],
    ]);
    expect(readFileSync(path, 'utf8').split('\n')[1]).toBe(
      `{"ts":"${new Date(T0 + 5).toISOString()}","agent":"feat-a","signal":{"state":"waiting","source":"hook","detail":"permission: Edit","at":${T0 + 1}}}`,
    );
    void log.close();
  });

  it('rejects state lines that do not validate', () => {
    const ts = new Date(T0).toISOString();
    const line = (signal: unknown, agent = 'feat-a') => JSON.stringify({ ts, agent, signal });
    expect(parseRecordLine(line({ state: 'idle', source: 'hook', detail: '', at: T0 }))).toMatchObject({
      kind: 'state',
    });
    expect(parseRecordLine(line({ state: 'asleep', source: 'hook', detail: '', at: T0 }))).toBeUndefined();
    expect(parseRecordLine(line({ state: 'idle', source: 'tea', detail: '', at: T0 }))).toBeUndefined();
    expect(parseRecordLine(line({ state: 'idle', source: 'hook', detail: 1, at: T0 }))).toBeUndefined();
    expect(parseRecordLine(line({ state: 'idle', source: 'hook', detail: '', at: 'now' }))).toBeUndefined();
    expect(
      parseRecordLine(line({ state: 'idle', source: 'hook', detail: '', at: T0 }, 'Bad Id')),
    ).toBeUndefined();
    expect(parseRecordLine(line(null))).toBeUndefined();
  });
});
