// Overload gets an answer: 500 publishers, each on its own connection and all at once, against a
// real broker process. Every one gets 202 (stored, with its seq) or 503 with Retry-After (not
// stored, try again); no connection is closed without a reply, and exactly the acknowledged
// messages are stored.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchStatus } from '../../src/broker/client.js';
import { startBrokerProcess, type RunningBroker } from '../helpers/broker-process.js';

const PUBLISHERS = 500;

type Outcome = { status: number; retryAfter?: string; body: string } | { closed: string };

let broker: RunningBroker;
beforeAll(async () => {
  // The publishers are the session's own agents: under token auth no other id may publish.
  broker = await startBrokerProcess('paw-overload', {
    roster: Array.from({ length: 8 }, (_, n) => ({ branch: `pub-${n}`, cli: 'claude' })),
  });
});
afterAll(() => broker.stop());

function publishOnce(n: number): Promise<Outcome> {
  const { port, token } = broker.plan;
  const body = JSON.stringify({
    type: 'agent.artifact',
    agent_id: `pub-${n % 8}`,
    payload: { status: 'done', exports: [`e${n}`], modified_files: [] },
  });
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/publish',
        agent: false,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token ?? ''}` },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          resolve({
            status: res.statusCode ?? 0,
            body: text,
            retryAfter,
          });
        });
        res.on('error', (error) => resolve({ closed: error.message }));
      },
    );
    req.on('error', (error) => resolve({ closed: error.message }));
    req.end(body);
  });
}

describe('500 publishers at once', () => {
  it('each gets 202 or 503 with Retry-After; none is closed without a reply', async () => {
    const outcomes = await Promise.all(Array.from({ length: PUBLISHERS }, (_, n) => publishOnce(n)));
    const closed = outcomes.filter((outcome) => 'closed' in outcome);
    expect(closed, `closed without a reply: ${JSON.stringify(closed.slice(0, 5))}`).toEqual([]);
    const answered = outcomes.filter((outcome) => 'status' in outcome);
    const accepted = answered.filter((outcome) => outcome.status === 202);
    const busy = answered.filter((outcome) => outcome.status !== 202);
    for (const outcome of accepted) expect(outcome.body).toMatch(/^\{"seq":\d+\}$/);
    for (const outcome of busy) {
      expect(outcome).toMatchObject({
        status: 503,
        retryAfter: '1',
        body: '{"error":"the broker is at capacity; retry after 1 s"}',
      });
    }
    expect(accepted.length + busy.length).toBe(PUBLISHERS);
    // Stored is exactly what was acknowledged: a 503 stored nothing.
    expect((await fetchStatus(broker.plan.url)).message_count).toBe(accepted.length);
    console.info(`500 publishers at once: ${accepted.length} × 202, ${busy.length} × 503`);
  }, 60_000);
});
