import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJson, type Message } from '../../src/broker/messages.js';
import { BrokerState, DEFAULT_LIMITS, summaryOf, type LogRecord } from '../../src/broker/server/state.js';
import { BrokerService, type PublishOutcome, type RecordSink } from '../../src/broker/server/service.js';
import {
  MessageLog,
  parseRecordLine,
  recordLine,
  replayLog,
  TornWriteError,
} from '../../src/broker/server/store.js';

const TS = '2025-01-01T00:00:00.000Z';
const status = (id: string, text: string | null = null): Message => ({
  type: 'agent.status',
  agent_id: id,
  payload: { status: 'working', modified_files: [], message: text },
});
const artifact = (id: string, exports: string[] = []): Message => ({
  type: 'agent.artifact',
  agent_id: id,
  payload: { status: 'done', exports, modified_files: [] },
});
const blocked = (id: string, from: string): Message => ({
  type: 'agent.blocked',
  agent_id: id,
  payload: { needs: 'n', from },
});

function feed(state: BrokerState, messages: Message[]): LogRecord[] {
  return messages.map((message) => {
    const record: LogRecord = { kind: 'message', seq: state.lastSeq + 1, ts: TS, message };
    state.apply(record);
    return record;
  });
}
const seqs = (state: BrokerState, id: string, since = 0n) =>
  state.poll(id, since).messages.map((json) => (JSON.parse(json) as { seq: number }).seq);

describe('BrokerState routing', () => {
  it('pre-registers the roster so broadcasts reach agents that never published', () => {
    const state = new BrokerState([
      { agent_id: 'a', cli: 'claude' },
      { agent_id: 'b', cli: 'codex' },
    ]);
    feed(state, [artifact('a'), blocked('a', 'b'), status('a')]);
    expect(seqs(state, 'b')).toEqual([1, 2]);
    expect(seqs(state, 'a')).toEqual([]);
    expect(state.agents(Date.parse(TS)).map((agent) => [agent.agent_id, agent.status, agent.cli])).toEqual([
      ['a', 'working', 'claude'],
      ['b', null, 'codex'],
    ]);
  });

  it('queues blocked messages for agents without an inbox', () => {
    const state = new BrokerState([]);
    feed(state, [blocked('a', 'later')]);
    expect(seqs(state, 'later')).toEqual([1]);
    expect(state.agents(0).map((agent) => agent.agent_id)).toEqual(['a']);
  });

  it('summarises the last message of each agent on one line', () => {
    expect(summaryOf(status('a', 'line one\nline two'))).toBe('line one line two');
    expect(summaryOf(artifact('a', ['X', 'Y']))).toBe('exports: X, Y');
    expect(summaryOf(artifact('a'))).toBe('');
    expect(summaryOf(blocked('a', 'b'))).toBe('needs n from b');
    expect(summaryOf(status('a', 'z'.repeat(500)))).toHaveLength(200);
  });
});

describe('BrokerState memory bounds', () => {
  it('drops the globally oldest messages beyond the retained-size cap and marks the gap', () => {
    const state = new BrokerState(
      [
        { agent_id: 'a', cli: '' },
        { agent_id: 'b', cli: '' },
      ],
      { ...DEFAULT_LIMITS, retainedMessages: 3 },
    );
    feed(state, [artifact('a'), blocked('a', 'b'), artifact('b'), artifact('a'), artifact('a')]);
    expect(seqs(state, 'b')).toEqual([4, 5]);
    expect(seqs(state, 'a')).toEqual([3]);
    expect(state.poll('b', 0n).droppedBefore).toBe(3);
    expect(state.poll('a', 0n).droppedBefore).toBeUndefined();
  });

  it('counts every inbox entry of a broadcast against the reference cap', () => {
    const roster = ['a', 'b', 'c', 'd'].map((id) => ({ agent_id: id, cli: '' }));
    const state = new BrokerState(roster, { ...DEFAULT_LIMITS, retainedRefs: 7 });
    feed(state, [artifact('a'), artifact('a'), artifact('a')]);
    expect(['b', 'c', 'd'].map((id) => seqs(state, id))).toEqual([
      [2, 3],
      [2, 3],
      [2, 3],
    ]);
    expect(state.poll('b', 0n).droppedBefore).toBe(2);
  });

  it('stays bounded under a long flood of blocked messages to many ids', () => {
    const limits = { ...DEFAULT_LIMITS, retainedChars: 100_000, extraAgents: 50 };
    const state = new BrokerState([], limits);
    for (let i = 0; i < 20_000; i += 1) {
      const message = blocked(`s${i % 50}`, `t${i % 7}`);
      if (state.admissionProblem(message) === undefined) feed(state, [message]);
    }
    const held = Array.from({ length: 7 }, (_, i) => state.poll(`t${i}`, 0n).messages.join('').length).reduce(
      (a, b) => a + b,
      0,
    );
    expect(held).toBeLessThanOrEqual(100_000);
    expect(state.admissionProblem(status('new-one'))).toMatch(/^too many agents/);
  });
});

describe('message log', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips records and rebuilds the same state on replay', () => {
    dir = mkdtempSync(join(tmpdir(), 'paw-log-'));
    const path = join(dir, 'nested', 'log.jsonl');
    const roster = [{ agent_id: 'a', cli: 'x' }];
    const live = new BrokerState(roster);
    const log = new MessageLog(path);
    const inbox: LogRecord = { kind: 'inbox', ts: TS, agentId: 'poller' };
    log.append([inbox]);
    live.apply(inbox);
    log.append(
      feed(live, [status('a', 'hi'), artifact('b', ['E']), blocked('b', 'a'), blocked('a', 'ghost')]),
    );

    const replayed = new BrokerState(roster);
    const report = replayLog(path, (record) => replayed.apply(record));
    expect(report).toEqual({ records: 5, skipped: 0, tornTail: false });
    for (const id of ['a', 'b', 'poller', 'ghost']) expect(replayed.poll(id, 0n)).toEqual(live.poll(id, 0n));
    expect(replayed.agents(0)).toEqual(live.agents(0));
    expect(replayed.lastSeq).toBe(4);
    expect(readFileSync(path, 'utf8').split('\n')[1]).toBe(
      `{"seq":1,"ts":"${TS}","msg":{"type":"agent.status","agent_id":"a","payload":{"status":"working","modified_files":[],"message":"hi"}}}`,
    );
  });

  it('cuts a torn last line, skips garbage lines, and appends cleanly afterwards', () => {
    dir = mkdtempSync(join(tmpdir(), 'paw-log-'));
    const path = join(dir, 'log.jsonl');
    const first = recordLine({ kind: 'message', seq: 1, ts: TS, message: status('a') });
    writeFileSync(path, `${first}not json\n{"seq":2,"ts":"${TS}","msg":{"type":"agent.sta`);
    const state = new BrokerState([]);
    expect(replayLog(path, (record) => state.apply(record))).toEqual({
      records: 1,
      skipped: 1,
      tornTail: true,
    });
    expect(readFileSync(path, 'utf8')).toBe(`${first}not json\n`);
    appendFileSync(path, recordLine({ kind: 'message', seq: 2, ts: TS, message: status('b') }));
    const again = new BrokerState([]);
    expect(replayLog(path, (record) => again.apply(record)).records).toBe(2);
    expect(again.lastSeq).toBe(2);
  });

  it('rejects records that do not validate', () => {
    expect(
      parseRecordLine(
        `{"seq":1,"ts":"${TS}","msg":{"type":"agent.status","agent_id":"A","payload":{"status":"x","modified_files":[]}}}`,
      ),
    ).toBeUndefined();
    expect(parseRecordLine(`{"seq":0,"ts":"${TS}","msg":{}}`)).toBeUndefined();
    expect(parseRecordLine(`{"ts":"yesterday","inbox":"a"}`)).toBeUndefined();
    expect(parseRecordLine(`{"ts":"${TS}","inbox":"a"}`)).toEqual({ kind: 'inbox', ts: TS, agentId: 'a' });
  });

  it('returns nothing for a log that does not exist yet', () => {
    dir = mkdtempSync(join(tmpdir(), 'paw-log-'));
    expect(replayLog(join(dir, 'missing.jsonl'), () => undefined)).toEqual({
      records: 0,
      skipped: 0,
      tornTail: false,
    });
  });
});

describe('replayed lines', () => {
  it('delivers a line written by other hands in canonical form: members in order, extras dropped, message materialised', () => {
    // Replay takes a line's message text as it is only when the line has exactly the shape the
    // broker writes; anything else is serialised again.
    const lines = [
      `{"seq":1,"ts":"${TS}","msg":{"agent_id":"a","type":"agent.artifact","payload":{"status":"done","exports":["E"],"modified_files":[]}}}`,
      `{"seq":2,"ts":"${TS}","msg":{"type":"agent.status","agent_id":"a","payload":{"status":"working","modified_files":[]}}}`,
      `{"seq":3,"ts":"${TS}","msg":{"type":"agent.blocked","agent_id":"a","payload":{"needs":"n","from":"b","extra":1}}}`,
      `{"seq":4,"ts":"${TS}","msg":{"type":"agent.blocked","agent_id":"a","payload":{"needs":"n","from":"b"}},"note":"x"}`,
    ];
    const replayed = new BrokerState([{ agent_id: 'b', cli: 'x' }]);
    for (const line of lines) replayed.apply(parseRecordLine(line) as LogRecord);
    const live = new BrokerState([{ agent_id: 'b', cli: 'x' }]);
    feed(live, [artifact('a', ['E']), status('a'), blocked('a', 'b'), blocked('a', 'b')]);
    expect(replayed.poll('b', 0n)).toEqual(live.poll('b', 0n));
    expect(replayed.poll('b', 0n).messages[0]).toBe(
      `{"type":"agent.artifact","agent_id":"a","payload":{"status":"done","exports":["E"],"modified_files":[]},"seq":1,"ts":"${TS}"}`,
    );
    expect(replayed.agents(0)).toEqual(live.agents(0));
  });

  it('reads a line in the form the broker writes to the same record as the general parser, valid or not', () => {
    // Lines in the written form are read without JSON.parse; a leading space sends the same line
    // through the general parser, which must agree on every one of them.
    const message = (msg: object) => `{"seq":7,"ts":"${TS}","msg":${JSON.stringify(msg)}}`;
    const lines = [
      recordLine({ kind: 'message', seq: 1, ts: TS, message: status('a', 'tests, pass [2/3] {ok}') }),
      recordLine({ kind: 'message', seq: 2, ts: TS, message: status('a') }),
      recordLine({ kind: 'message', seq: 3, ts: TS, message: artifact('a', ['x, y', ']', 'é 日本']) }),
      recordLine({ kind: 'message', seq: 4, ts: TS, message: artifact('a', ['']) }),
      recordLine({ kind: 'message', seq: 5, ts: TS, message: blocked('a', 'b') }),
      recordLine({ kind: 'message', seq: 6, ts: TS, message: status('a', 'say "hi"\n') }),
      message({
        type: 'agent.status',
        agent_id: 'a',
        payload: { status: 'x', modified_files: ['a', 'b'], message: '' },
      }),
      message({
        type: 'agent.status',
        agent_id: 'A',
        payload: { status: 'x', modified_files: [], message: null },
      }),
      message({
        type: 'agent.status',
        agent_id: 'a',
        payload: { status: ' ', modified_files: [], message: null },
      }),
      message({ type: 'agent.blocked', agent_id: 'a', payload: { needs: 'n', from: 'B!' } }),
      message({
        type: 'agent.artifact',
        agent_id: 'a',
        payload: { status: 's', exports: Array(1001).fill('e'), modified_files: [] },
      }),
      message({ type: 'agent.blocked', agent_id: 'a', payload: { needs: 'x'.repeat(20_000), from: 'b' } }),
      `{"seq":9007199254740993,"ts":"${TS}","msg":{"type":"agent.blocked","agent_id":"a","payload":{"needs":"n","from":"b"}}}`,
      `{"seq":1,"ts":"2025-13-01T00:00:00.000Z","msg":{"type":"agent.blocked","agent_id":"a","payload":{"needs":"n","from":"b"}}}`,
      `{"seq":01,"ts":"${TS}","msg":{"type":"agent.blocked","agent_id":"a","payload":{"needs":"n","from":"b"}}}`,
      `{"seq":1,"ts":"${TS}","msg":{"type":"agent.blocked","agent_id":"a","payload":{"needs":"tab\there","from":"b"}}}`,
    ];
    const withoutCanonical = (record: LogRecord | undefined) => {
      if (record?.kind !== 'message') return record;
      const { canonical: _text, ...rest } = record;
      return rest;
    };
    let read = 0;
    let readFromGroups = 0;
    for (const line of lines.map((text) => text.trim())) {
      const record = parseRecordLine(line);
      expect(withoutCanonical(record), line.slice(0, 160)).toEqual(
        withoutCanonical(parseRecordLine(` ${line}`)),
      );
      if (record?.kind !== 'message') continue;
      read += 1;
      // Only the regex's reading carries the message's text along (the line with escapes has none).
      if (record.canonical === undefined) continue;
      readFromGroups += 1;
      expect(record.canonical).toBe(canonicalJson(record.message));
    }
    expect([read, readFromGroups]).toEqual([7, 6]);
  });
});

describe('BrokerService batching', () => {
  const identity = {
    session: 's',
    repoPath: '/r',
    instanceId: 'i',
    version: '0',
    pid: 1,
    startedAt: new Date(0),
  };
  function service(sink: RecordSink) {
    return new BrokerService(
      new BrokerState([{ agent_id: 'r', cli: '' }], { ...DEFAULT_LIMITS, extraAgents: 2 }),
      sink,
      identity,
    );
  }
  const publishAll = (broker: BrokerService, messages: Message[]) =>
    Promise.all(
      messages.map((message) => new Promise<PublishOutcome>((resolve) => broker.publish(message, resolve))),
    );

  it('writes one batch per turn, then applies and acknowledges it in seq order', async () => {
    const writes: LogRecord[][] = [];
    const broker = service({ append: (records) => void writes.push([...records]) });
    const outcomes = await publishAll(broker, [artifact('a'), artifact('b'), blocked('a', 'r')]);
    expect(outcomes).toEqual([
      { ok: true, seq: 1 },
      { ok: true, seq: 2 },
      { ok: true, seq: 3 },
    ]);
    expect(writes.map((batch) => batch.length)).toEqual([3]);
    expect(broker.poll('r', 0n)).toMatchObject({ lastSeq: '3' });
  });

  it('counts pending new agents against the cap', async () => {
    const broker = service({ append: () => undefined });
    const outcomes = await publishAll(broker, [status('a'), status('b'), status('c'), status('a')]);
    expect(outcomes.map((outcome) => (outcome.ok ? outcome.seq : outcome.status))).toEqual([1, 2, 429, 3]);
  });

  it('answers 500, applies nothing and consumes no seq when the log cannot be written', async () => {
    let fail = true;
    const broker = service({
      append: () => {
        if (fail) throw new Error('ENOSPC: no space left on device');
      },
    });
    expect(await publishAll(broker, [artifact('a')])).toEqual([
      { ok: false, status: 500, error: 'cannot write the message log: ENOSPC: no space left on device' },
    ]);
    expect(broker.poll('r', 0n)).toMatchObject({ messages: [] });
    fail = false;
    expect(await publishAll(broker, [artifact('a')])).toEqual([{ ok: true, seq: 1 }]);
  });

  it('keeps the seqs of a write that may have left lines in the log', async () => {
    let fail = true;
    const broker = service({
      append: () => {
        if (fail) throw new TornWriteError('EFBIG: file too large (part of the write stays in the log)');
      },
    });
    expect(await publishAll(broker, [artifact('a'), artifact('a')])).toMatchObject([
      { ok: false, status: 500 },
      { ok: false, status: 500 },
    ]);
    fail = false;
    expect(await publishAll(broker, [artifact('a')])).toEqual([{ ok: true, seq: 3 }]);
  });
});
