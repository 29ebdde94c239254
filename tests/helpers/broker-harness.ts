// Test harness for broker tests: an in-process broker on 127.0.0.1 with an ephemeral port and
// a temp log, plus a raw HTTP client that can send any method, header (Host included) and body.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBrokerServer, type RunningServer } from '../../src/broker/server/server.js';
import { openBroker, type OpenedBroker } from '../../src/broker/server/service.js';
import type { BrokerLimits, RosterAgent } from '../../src/broker/server/state.js';

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RequestSpec {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** One HTTP request on a fresh connection; nothing is added but Host (unless given) and Content-Length. */
export function httpRequest(port: number, spec: RequestSpec): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: `127.0.0.1:${port}`, ...spec.headers };
    const req = request(
      { host: '127.0.0.1', port, method: spec.method ?? 'GET', path: spec.path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(spec.body);
  });
}

export interface TestBroker {
  port: number;
  url: string;
  token: string | null;
  dir: string;
  logPath: string;
  opened: OpenedBroker;
  request(spec: RequestSpec): Promise<HttpReply>;
  /** POST /publish with the JSON content type and the token. */
  publish(body: unknown): Promise<HttpReply>;
  /** GET /messages/<id><query> with the token. */
  poll(agentId: string, query?: string): Promise<HttpReply>;
  status(): Promise<Record<string, unknown>>;
  /** Stops the server and closes the log (keeps the directory). */
  stop(): Promise<void>;
  /** Stops and removes the directory. */
  cleanup(): Promise<void>;
}

export interface TestBrokerOptions {
  roster?: RosterAgent[];
  token?: string | null;
  dir?: string;
  limits?: BrokerLimits;
  session?: string;
  repoPath?: string;
  /** `[broker] mcp` (default on). */
  mcp?: boolean;
}

export async function startTestBroker(options: TestBrokerOptions = {}): Promise<TestBroker> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'paw-broker-'));
  const logPath = join(dir, 'session.broker.jsonl');
  const token = options.token === undefined ? null : options.token;
  const opened = openBroker({
    roster: options.roster ?? [],
    logPath,
    limits: options.limits,
    identity: {
      session: options.session ?? 'paw-test',
      repoPath: options.repoPath ?? '/tmp/paw-test-repo',
      instanceId: 'test-instance',
      version: '0.3.0',
      pid: process.pid,
      startedAt: new Date(),
    },
  });
  const running: RunningServer = await startBrokerServer({
    service: opened.service,
    bind: '127.0.0.1',
    port: 0,
    token,
    ...(options.mcp === undefined ? {} : { mcp: options.mcp }),
  });
  const port = running.port;
  const auth: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await running.stop();
    await opened.log.close();
  };
  const broker: TestBroker = {
    port,
    url: `http://127.0.0.1:${port}`,
    token,
    dir,
    logPath,
    opened,
    request: (spec) => httpRequest(port, spec),
    publish: (body) =>
      httpRequest(port, {
        method: 'POST',
        path: '/publish',
        headers: { 'content-type': 'application/json', ...auth },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    poll: (agentId, query = '') => httpRequest(port, { path: `/messages/${agentId}${query}`, headers: auth }),
    status: async () =>
      JSON.parse((await httpRequest(port, { path: '/status' })).body) as Record<string, unknown>,
    stop,
    cleanup: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
    },
  };
  return broker;
}

/** Message builders: an `agent.status` (default `working`), an artifact, a blocked request. */
export const statusMsg = (agentId: string, status = 'working', extra: Record<string, unknown> = {}) => ({
  type: 'agent.status',
  agent_id: agentId,
  payload: { status, modified_files: [], ...extra },
});
export const artifactMsg = (agentId: string, exports: string[] = []) => ({
  type: 'agent.artifact',
  agent_id: agentId,
  payload: { status: 'done', exports, modified_files: [] },
});
export const blockedMsg = (agentId: string, from: string, needs = 'x') => ({
  type: 'agent.blocked',
  agent_id: agentId,
  payload: { needs, from },
});

/** Messages of a poll reply, without the additive seq/ts (for comparing with upstream's canonical form). */
export function canonicalOf(reply: HttpReply): string[] {
  const parsed = JSON.parse(reply.body) as { messages: Record<string, unknown>[] };
  return parsed.messages.map(({ seq: _seq, ts: _ts, ...rest }) => JSON.stringify(rest));
}
