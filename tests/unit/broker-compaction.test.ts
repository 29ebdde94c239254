// Log compaction with real files: the snapshot encoding keeps every field of the state (shared
// messages included), a log compacted past its limit replays to the state it had, appends made
// during a compaction are kept whichever file a crash leaves, and old logs still replay.
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CompactionOutcome } from '../../src/broker/server/compaction.js';
import type { Message } from '../../src/broker/messages.js';
import { openBroker, type BrokerService, type OpenedBroker } from '../../src/broker/server/service.js';
import { decodeGraph, encodeGraph } from '../../src/broker/server/snapshot.js';
import {
  BrokerState,
  DEFAULT_LIMITS,
  STATE_CLASSES,
  type SnapshotFields,
} from '../../src/broker/server/state.js';
import { compactionPath, parseRecordLine, recordLine } from '../../src/broker/server/store.js';
import { pollUntil } from '../helpers/poll.js';

const NOW = Date.parse('2025-01-01T00:00:00.000Z');
const ROSTER = [
  { agent_id: 'a', cli: 'claude' },
  { agent_id: 'b', cli: 'codex' },
  { agent_id: 'c', cli: 'gemini' },
];
const IDENTITY = {
  session: 's',
  repoPath: '/r',
  instanceId: 'i',
  version: '0',
  pid: 1,
  startedAt: new Date(NOW),
};

const dirs: string[] = [];
const opened: OpenedBroker[] = [];
afterEach(async () => {
  for (const broker of opened.splice(0)) await broker.log.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempLog(): string {
  const dir = mkdtempSync(join(tmpdir(), 'paw-compact-'));
  dirs.push(dir);
  return join(dir, 'session.broker.jsonl');
}

function open(logPath: string, limit: number, onCompacted?: (outcome: CompactionOutcome) => void, env = {}) {
  const broker = openBroker({
    roster: ROSTER,
    logPath,
    identity: IDENTITY,
    // Few messages kept per inbox, so that compaction has something to leave out.
    limits: { ...DEFAULT_LIMITS, inboxMessages: 20 },
    now: () => NOW,
    compaction: { limit, onCompacted, onFailed: (reason) => expect.fail(reason), env },
  });
  opened.push(broker);
  return broker;
}

async function close(broker: OpenedBroker): Promise<void> {
  opened.splice(opened.indexOf(broker), 1);
  await broker.log.close();
}

function publish(service: BrokerService, message: Message): Promise<number> {
  return new Promise((resolve, reject) =>
    service.publish(message, (outcome) =>
      outcome.ok ? resolve(outcome.seq) : reject(new Error(outcome.error)),
    ),
  );
}

const artifact = (id: string, n: number): Message => ({
  type: 'agent.artifact',
  agent_id: id,
  payload: { status: 'done', exports: [`export-${n}`], modified_files: [`src/file-${n}.ts`] },
});
const blocked = (id: string, from: string): Message => ({
  type: 'agent.blocked',
  agent_id: id,
  payload: { needs: 'the schema', from },
});

/** Every message of each inbox (and of one opened by a poll), the `/status` body, and the agents' signals. */
function observable(service: BrokerService) {
  const inboxes = Object.fromEntries(
    ['a', 'b', 'c', 'x'].map((id) => {
      const pages: string[] = [];
      let since = 0n;
      for (;;) {
        const page = service.poll(id, since);
        if ('error' in page) throw new Error(page.error);
        pages.push(...page.messages);
        since = BigInt(page.lastSeq);
        if (!page.more) return [id, pages];
      }
    }),
  );
  return {
    inboxes,
    status: service.statusJson(),
    signals: ROSTER.map((agent) => service.signalsOf(agent.agent_id)),
  };
}

/** Signals decided so far, so that each new one is later and differs from the last (it decides). */
const decisions = new Map<BrokerService, number>();

/** Publishes rounds of broadcasts and requests, opens an inbox and decides states, until `until` holds. */
async function traffic(
  service: BrokerService,
  rounds: number,
  until: () => boolean = () => false,
): Promise<number[]> {
  const seqs: number[] = [];
  for (let n = 0; n < rounds && !until(); n += 1) {
    seqs.push(await publish(service, artifact(ROSTER[n % 3]?.agent_id ?? 'a', n)));
    if (n % 10 === 0) seqs.push(await publish(service, blocked('b', 'c')));
    if (n % 25 === 0) {
      const count = (decisions.get(service) ?? 0) + 1;
      decisions.set(service, count);
      const state = count % 2 === 0 ? 'waiting' : 'idle';
      const outcome = service.observe('a', {
        state,
        source: 'hook',
        detail: `signal ${count}`,
        at: NOW + count,
      });
      expect(outcome).toEqual({ ok: true, outcome: 'decided' });
    }
  }
  service.poll('x', 0n);
  return seqs;
}

describe('snapshot encoding', () => {
  it('keeps Maps, Sets, class instances, odd numbers and shared objects (one object, not copies)', () => {
    const shared = { seq: 3, json: '{"a":1}', holders: 2 };
    const graph = {
      map: new Map<string, unknown>([
        ['one', shared],
        ['two', shared],
      ]),
      set: new Set([1, 'b']),
      list: [shared, undefined, Number.NaN, -Infinity, 10n, new Date(NOW)],
      __proto__: 'a field, not a prototype',
    };
    const back = decodeGraph(JSON.parse(encodeGraph(graph, {})), {}) as typeof graph;
    expect(back.map.get('one')).toBe(back.map.get('two'));
    expect(back.list[0]).toBe(back.map.get('one'));
    expect(back).toEqual(graph);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  });

  it('refuses to snapshot what it could not rebuild', () => {
    class Unknown {
      value = 1;
    }
    expect(() => encodeGraph({ field: new Unknown() }, {})).toThrow(/instance of Unknown/);
    expect(() => encodeGraph({ field: () => 1 }, {})).toThrow(/function/);
  });

  it('a field added to the state survives a snapshot without any change to the snapshot code', () => {
    const state = new BrokerState(ROSTER);
    Object.assign(state, { readCursors: new Map([['a', 7]]) });
    const line = recordLine({
      kind: 'snapshot',
      ts: new Date(NOW).toISOString(),
      fields: state.snapshotFields(),
    });
    const record = parseRecordLine(line.trim());
    expect(record?.kind).toBe('snapshot');
    const restored = new BrokerState(ROSTER);
    if (record) restored.apply(record);
    expect((restored as unknown as { readCursors: Map<string, number> }).readCursors.get('a')).toBe(7);
  });

  it('skips a snapshot line it cannot read, like any other bad line', () => {
    const fields: SnapshotFields = { inboxes: { c: 'Nope', o: {} } };
    expect(
      parseRecordLine(JSON.stringify({ ts: new Date(NOW).toISOString(), snapshot: { v: 1, state: fields } })),
    ).toBe(undefined);
    expect(
      parseRecordLine(JSON.stringify({ ts: new Date(NOW).toISOString(), snapshot: { v: 99, state: {} } })),
    ).toBe(undefined);
    expect(STATE_CLASSES).toHaveProperty('Inbox');
  });
});

describe('log compaction', () => {
  it('compacts past the limit; the compacted log replays to the same inboxes, /status and signals, and seqs go on', async () => {
    const logPath = tempLog();
    const outcomes: CompactionOutcome[] = [];
    const broker = open(logPath, 64 * 1024, (outcome) => outcomes.push(outcome));
    await traffic(broker.service, 5_000, () => outcomes.length > 0);
    await pollUntil(
      () => outcomes.length,
      (count) => count > 0,
      { what: 'a compaction' },
    );
    // Some traffic after the compaction, appended to the new file.
    await traffic(broker.service, 30);

    const lines = readFileSync(logPath, 'utf8').split('\n');
    expect(JSON.parse(lines[0] ?? '')).toHaveProperty('snapshot');
    expect(existsSync(compactionPath(logPath))).toBe(false);
    expect(outcomes[0]?.bytesBefore).toBeGreaterThanOrEqual(64 * 1024);
    // The snapshot leaves out every message the inboxes no longer hold.
    expect(Buffer.byteLength(lines[0] ?? '')).toBeLessThan((outcomes[0]?.bytesBefore ?? 0) / 2);

    const before = observable(broker.service);
    const nextSeq = (JSON.parse(before.status) as { next_seq: number }).next_seq;
    await close(broker);
    const reopened = open(logPath, 64 * 1024);
    expect(reopened.replay.skipped).toBe(0);
    expect(observable(reopened.service)).toEqual(before);
    expect(await publish(reopened.service, artifact('a', -1))).toBe(nextSeq);
  });

  it('replays an uncompacted twin of the same traffic to the same state', async () => {
    const outcomes: CompactionOutcome[] = [];
    const compacted = open(tempLog(), 32 * 1024, (outcome) => outcomes.push(outcome));
    const plainPath = tempLog();
    const plain = open(plainPath, Number.MAX_SAFE_INTEGER);
    for (const broker of [compacted, plain]) await traffic(broker.service, 600);
    expect(outcomes.length).toBeGreaterThan(0);
    expect(observable(compacted.service)).toEqual(observable(plain.service));
    await close(compacted);
    const replayed = open(compacted.log.path, 32 * 1024);
    await close(plain);
    const plainReplayed = open(plainPath, Number.MAX_SAFE_INTEGER);
    expect(observable(replayed.service)).toEqual(observable(plainReplayed.service));
  });

  it('a crash at the pause point, or right after the switch, loses nothing published during the compaction', async () => {
    const logPath = tempLog();
    const pauseFile = join(logPath, '..', 'paused');
    const outcomes: CompactionOutcome[] = [];
    const broker = open(logPath, 32 * 1024, (outcome) => outcomes.push(outcome), {
      GIT_PAW_TEST_COMPACTION_PAUSE: pauseFile,
    });
    await traffic(broker.service, 5_000, () => existsSync(pauseFile));
    await pollUntil(() => existsSync(pauseFile), Boolean, { what: 'the compaction to pause' });
    // Acknowledged while the new file is half made.
    const during = await traffic(broker.service, 40);
    expect(existsSync(compactionPath(logPath))).toBe(true);
    const atPause = observable(broker.service);

    // A crash now: the old log is all there is (the next open removes the half-made file).
    const crashCopy = join(logPath, '..', 'crash-before.jsonl');
    copyFileSync(logPath, crashCopy);
    const oldState = open(crashCopy, Number.MAX_SAFE_INTEGER);
    expect(observable(oldState.service)).toEqual(atPause);
    expect(JSON.parse(readFileSync(crashCopy, 'utf8').split('\n')[0] ?? '')).not.toHaveProperty('snapshot');

    rmSync(pauseFile);
    await pollUntil(
      () => outcomes.length,
      (count) => count > 0,
      { what: 'the compaction to finish' },
    );
    // A crash right after the switch: the new file holds the snapshot and what came during the pause.
    const crashAfter = join(logPath, '..', 'crash-after.jsonl');
    copyFileSync(logPath, crashAfter);
    const newState = open(crashAfter, Number.MAX_SAFE_INTEGER);
    expect(observable(newState.service)).toEqual(atPause);
    const delivered = new Set(
      Object.values(observable(newState.service).inboxes)
        .flat()
        .map((json) => (JSON.parse(json) as { seq: number }).seq),
    );
    // The inboxes keep their last 20 messages: the newest ones published during the pause are there.
    expect(during.slice(-10).filter((seq) => !delivered.has(seq))).toEqual([]);
    expect((JSON.parse(observable(newState.service).status) as { next_seq: number }).next_seq).toBe(
      Math.max(...during) + 1,
    );
  });

  it('a torn tail after a compacted log is cut off as before, and the rest replays', async () => {
    const logPath = tempLog();
    const outcomes: CompactionOutcome[] = [];
    const broker = open(logPath, 32 * 1024, (outcome) => outcomes.push(outcome));
    await traffic(broker.service, 5_000, () => outcomes.length > 0);
    await pollUntil(
      () => outcomes.length,
      (count) => count > 0,
      { what: 'a compaction' },
    );
    const before = observable(broker.service);
    await close(broker);
    const whole = statSync(logPath).size;
    appendFileSync(logPath, '{"seq":99999,"ts":"2025-01-01T00:00:00.000Z","msg":{"ty');
    const reopened = open(logPath, 32 * 1024);
    expect(reopened.replay.tornTail).toBe(true);
    expect(statSync(logPath).size).toBe(whole);
    expect(observable(reopened.service)).toEqual(before);
  });
});
