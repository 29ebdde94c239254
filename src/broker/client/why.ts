// `git paw status --why <agent>`: reads an agent's recent state signals from the session's broker
// (`GET /agents/<id>/signals`, with the session token) and prints them oldest first, marking the
// one that decided the current state, so a user can check why git-paw shows what it shows.
import { request } from 'node:http';
import { AGENT_STATES, SIGNAL_SOURCES } from '../../agents/state.js';
import { BrokerError, describeError } from '../../util/errors.js';
import {
  array,
  literals,
  nullable,
  number,
  object,
  optional,
  safeParse,
  string,
  type Infer,
} from '../../util/schema.js';
import { MAX_STATUS_BYTES } from '../client.js';

const signalSchema = object({
  state: literals(AGENT_STATES),
  source: literals(SIGNAL_SOURCES),
  detail: string(),
  at: string(),
  outcome: literals(['decided', 'confirmed', 'overruled']),
  reason: optional(string()),
  count: number(),
  last_at: string(),
});

export const agentSignalsSchema = object({
  agent_id: string(),
  state: literals(AGENT_STATES),
  state_since: nullable(string()),
  state_source: nullable(literals(SIGNAL_SOURCES)),
  state_detail: string(),
  signals: array(signalSchema),
});

export type AgentSignalsDocument = Infer<typeof agentSignalsSchema>;

/** The broker's answer: the agent's signals, or the agent is not in the session. */
export type SignalsAnswer = { kind: 'found'; doc: AgentSignalsDocument } | { kind: 'unknown' };

/** One authenticated `GET` on `url`: the HTTP status and the body (at most MAX_STATUS_BYTES). */
function getJson(
  url: string,
  token: string | undefined,
  timeoutMs: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        agent: false,
        timeout: timeoutMs,
        headers: {
          connection: 'close',
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_STATUS_BYTES) req.destroy(new Error('the answer is too large'));
          else chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000}s`)));
    req.on('error', reject);
    req.end();
  });
}

/** One authenticated `GET /agents/<id>/signals`; BrokerError when the broker cannot be read. */
export async function fetchSignals(
  url: string,
  agentId: string,
  token: string | undefined,
  timeoutMs = 2_000,
): Promise<SignalsAnswer> {
  let reply: { status: number; body: string };
  try {
    reply = await getJson(`${url}/agents/${encodeURIComponent(agentId)}/signals`, token, timeoutMs);
  } catch (error) {
    throw new BrokerError(
      (error as NodeJS.ErrnoException).code === 'ECONNREFUSED'
        ? `the session's broker at ${url} is not running`
        : `cannot read the session's broker at ${url}: ${describeError(error)}`,
      { hint: 'run `git paw start` to bring the session back' },
    );
  }
  if (reply.status === 404) return { kind: 'unknown' };
  let body: unknown;
  try {
    body = JSON.parse(reply.body);
  } catch {
    body = undefined;
  }
  const parsed = safeParse(agentSignalsSchema, body);
  if (reply.status !== 200 || !parsed.success) {
    const error = (body as { error?: unknown } | undefined)?.error;
    throw new BrokerError(
      `the broker at ${url} answered HTTP ${reply.status}${typeof error === 'string' ? `: ${error}` : ''}`,
    );
  }
  return { kind: 'found', doc: parsed.data };
}

/** `14:02:07` in local time: signals are seconds apart, the day is today. */
export function clockTime(iso: string): string {
  const date = new Date(iso);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

function label(state: string): string {
  return state === 'not_started' ? 'not started' : state;
}

function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- terminal control characters must not reach the screen
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}

/**
 * The `--why` lines: the current state, then the last signals oldest first, `→` before the one
 * that decided the current state. When that one has left the ring (many confirmations since), it
 * is named on its own line first.
 */
export function whyLines(doc: AgentSignalsDocument, time: (iso: string) => string = clockTime): string[] {
  const detail = oneLine(doc.state_detail);
  if (doc.state_since === null || doc.state_source === null) {
    return [`${doc.agent_id}: not started (no signal yet)`];
  }
  const lines = [
    `${doc.agent_id}: ${label(doc.state)} since ${time(doc.state_since)}, decided by ${doc.state_source}${detail === '' ? '' : ` (${detail})`}`,
  ];
  const decider = doc.signals.findLastIndex(
    (entry) =>
      entry.outcome === 'decided' &&
      entry.at === doc.state_since &&
      entry.source === doc.state_source &&
      entry.state === doc.state,
  );
  if (decider === -1) lines.push('  (the deciding signal is older than the ones below)');
  const rows = doc.signals.map((entry) => [
    time(entry.at),
    entry.source,
    label(entry.state),
    oneLine(entry.detail) || '-',
    (entry.outcome === 'overruled' ? `overruled: ${entry.reason ?? ''}`.trim() : entry.outcome) +
      (entry.count > 1 ? ` ×${entry.count} until ${time(entry.last_at)}` : ''),
  ]);
  const widths = [0, 1, 2, 3].map((column) => Math.max(0, ...rows.map((row) => (row[column] ?? '').length)));
  rows.forEach((row, index) => {
    const cells = row.map((cell, column) => (column < 4 ? cell.padEnd(widths[column] ?? 0) : cell));
    lines.push(`${index === decider ? '→ ' : '  '}${cells.join('  ')}`.trimEnd());
  });
  return lines;
}
