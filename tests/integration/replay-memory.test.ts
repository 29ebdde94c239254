// What the broker keeps of a replayed message must not keep the message's whole log line in
// memory: replay reads a line's strings as slices of it, and V8 keeps a slice's source alive.
// A fresh Node process (with a forced GC) replays a log of long lines, one per sender, through the
// built broker modules and reports its heap once the state has been read.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { recordLine } from '../../src/broker/server/store.js';

const SERVICE_MODULE = pathToFileURL(resolve('build/broker/server/service.js')).href;
const SENDERS = 40;
/** 60 file names of 16,000 characters: a line of about 1 MB. */
const FILES = Array.from({ length: 60 }, (_, index) => `${index}`.padEnd(16_000, 'x'));

const REPLAY = `
const { openBroker } = await import(process.argv[1]);
const opened = openBroker({
  roster: [],
  logPath: process.argv[2],
  identity: { session: 's', repoPath: '/', instanceId: 'i', version: '0', pid: 0, startedAt: new Date() },
});
const status = JSON.parse(opened.service.statusJson());
globalThis.gc();
const heapMb = process.memoryUsage().heapUsed / 1024 / 1024;
await opened.log.close();
process.stdout.write(JSON.stringify({ heapMb, agents: status.agents.map((agent) => [agent.agent_id, agent.status, agent.summary]) }));
`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'paw-replay-memory-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it("keeps an agent's status, summary and id, not the 1 MB log line they came from", () => {
  const logPath = join(dir, 'broker.jsonl');
  const lines = Array.from({ length: SENDERS }, (_, index) =>
    recordLine({
      kind: 'message',
      seq: index + 1,
      ts: '2026-01-01T00:00:00.000Z',
      message: {
        type: 'agent.status',
        agent_id: `a-long-agent-id-${index}`,
        payload: { status: 'working on the parser', modified_files: FILES, message: 'all tests pass so far' },
      },
    }),
  );
  writeFileSync(logPath, lines.join(''));

  const result = spawnSync(
    process.execPath,
    ['--expose-gc', '--input-type=module', '-e', REPLAY, SERVICE_MODULE, logPath],
    {
      encoding: 'utf8',
    },
  );
  expect(result.status, result.stderr).toBe(0);
  const { heapMb, agents } = JSON.parse(result.stdout) as { heapMb: number; agents: string[][] };
  expect(agents).toHaveLength(SENDERS);
  expect(agents[0]).toEqual(['a-long-agent-id-0', 'working on the parser', 'all tests pass so far']);
  // The lines add up to about 38 MB; the state itself needs well under 1 MB.
  expect(heapMb, `heap after the replay: ${heapMb.toFixed(1)} MB`).toBeLessThan(20);
});
