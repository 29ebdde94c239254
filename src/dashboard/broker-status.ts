// The dashboard's view of the broker: the one HTTP call it makes (`GET /status`, schema shared
// with the broker's client), over a kept-alive socket with a timeout, and a readable reason when
// it fails. The dashboard never talks to the broker any other way.
import { Agent, get } from 'node:http';
import { describeError } from '../util/errors.js';
import { safeParse } from '../util/schema.js';
import {
  brokerStatusSchema,
  MAX_STATUS_BYTES,
  type BrokerStatusAgent,
  type BrokerStatusDocument,
} from '../broker/client.js';

export type StatusAgent = BrokerStatusAgent;
export type BrokerStatus = BrokerStatusDocument;

/** Reads the broker's status once; rejects with a StatusUnavailable saying why. */
export type StatusFetcher = () => Promise<BrokerStatus>;

/** Why the broker could not be read, phrased for the warning banner. */
export class StatusUnavailable extends Error {}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENOTFOUND: 'host not found',
};

function networkReason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return NETWORK_REASONS[code] ?? code;
  return describeError(error);
}

/**
 * Checks a parsed body: it must be a git-paw broker, and (when the broker says which session it
 * serves) this session's — a broker of another session on the port is never shown as ours.
 */
export function parseBrokerStatus(body: unknown, expectedSession: string): BrokerStatus {
  const parsed = safeParse(brokerStatusSchema, body);
  if (!parsed.success) throw new StatusUnavailable('the port answers, but not as a git-paw broker');
  const { session } = parsed.data;
  if (session && session !== expectedSession) {
    throw new StatusUnavailable(`the port is held by the broker of session '${session}'`);
  }
  return parsed.data;
}

/**
 * One GET over a kept-alive connection; resolves with the status code and body text. The whole
 * exchange has a deadline and the body a size cap, so an answer that trickles in or never ends
 * fails like a broker that does not answer.
 */
function getText(url: string, agent: Agent, timeoutMs: number): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const fail = (error: StatusUnavailable) => {
      clearTimeout(deadline);
      reject(error);
      request.destroy();
    };
    const request = get(url, { agent }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_STATUS_BYTES) fail(new StatusUnavailable('the /status answer is too large'));
        else chunks.push(chunk);
      });
      response.on('end', () => {
        clearTimeout(deadline);
        resolve({ code: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
      response.on('error', (error) => fail(new StatusUnavailable(networkReason(error))));
    });
    const deadline = setTimeout(
      () => fail(new StatusUnavailable(`no answer within ${timeoutMs / 1000}s`)),
      timeoutMs,
    );
    request.on('error', (error) => fail(new StatusUnavailable(networkReason(error))));
  });
}

/**
 * A fetcher for `<brokerUrl>/status` that gives up after `timeoutMs`. It uses node:http with one
 * kept-alive socket rather than fetch: a third of the CPU per poll, which matters at 1 Hz.
 */
export function httpStatusFetcher(
  brokerUrl: string,
  expectedSession: string,
  timeoutMs = 2_000,
): StatusFetcher {
  const url = `${brokerUrl.replace(/\/+$/, '')}/status`;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return async () => {
    const { code, body } = await getText(url, agent, timeoutMs);
    if (code !== 200) throw new StatusUnavailable(`the broker answered HTTP ${code}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new StatusUnavailable('the port answers, but not as a git-paw broker');
    }
    return parseBrokerStatus(parsed, expectedSession);
  };
}
