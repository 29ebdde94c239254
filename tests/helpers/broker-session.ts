// Helpers of the tests that run broker sessions through the built CLI: a repo config turning the
// broker on (on a random free port, so parallel test files never meet), HTTP against the
// session's broker with its token, and what a finished test must not leave behind.
import { existsSync, readFileSync } from 'node:fs';
import { canListen } from '../../src/broker/client.js';
import { pollUntil } from './poll.js';
import type { Sandbox } from './sandbox.js';
import { httpRequest, type HttpReply } from '../helpers/broker-harness.js';
import { readState, sessionsDirOf, type SavedState } from './lifecycle.js';
import { randomFreePort } from './broker-process.js';

/** A free loopback port in a random spot of 20000–45000. */

/** Writes `<repo>/.git-paw/config.toml` with `[broker]` (and any extra TOML after it). */
export function writeRepoConfig(sandbox: Sandbox, broker: string, extra = ''): void {
  sandbox.writeFile('proj/.git-paw/config.toml', `[broker]\n${broker}\n${extra}`);
}

/**
 * Turns the broker on in the repo config on a fresh port; returns the port. `curlOnly`: no MCP
 * endpoint, so every agent's AGENTS.md has the curl instructions (coordination.md).
 */
export async function enableBroker(sandbox: Sandbox, extra = '', { curlOnly = false } = {}): Promise<number> {
  const port = await randomFreePort();
  writeRepoConfig(sandbox, `enabled = true\nport = ${port}${curlOnly ? '\nmcp = false' : ''}`, extra);
  return port;
}

export interface SessionBroker {
  url: string;
  port: number;
  token: string;
  logPath: string;
}

/** The broker fields of the saved state. */
export function brokerOf(sandbox: Sandbox, session = 'paw-proj'): SessionBroker {
  const state: SavedState = readState(sandbox, session);
  const port = state.broker_port as number;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    token: state.broker_token as string,
    logPath: state.broker_log_path as string,
  };
}

export function publishTo(broker: SessionBroker, body: unknown): Promise<HttpReply> {
  return httpRequest(broker.port, {
    method: 'POST',
    path: '/publish',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${broker.token}` },
    body: JSON.stringify(body),
  });
}

export function pollInbox(broker: SessionBroker, agentId: string, since = 0): Promise<HttpReply> {
  return httpRequest(broker.port, {
    path: `/messages/${agentId}?since=${since}`,
    headers: { authorization: `Bearer ${broker.token}` },
  });
}

export interface StatusAgent {
  agent_id: string;
  cli: string;
  status: string | null;
  summary: string;
}

export async function brokerStatus(port: number): Promise<{ session: string; agents: StatusAgent[] }> {
  const reply = await httpRequest(port, { path: '/status' });
  if (reply.status !== 200) throw new Error(`GET /status answered ${reply.status}: ${reply.body}`);
  return JSON.parse(reply.body) as { session: string; agents: StatusAgent[] };
}

/**
 * Waits until the broker's state watcher has seen every agent's fake CLI idle on screen (it does
 * so about a second after the panes start): only then does a test's publish decide a state the
 * watcher's first reading cannot overtake.
 */
export function waitUntilAllIdle(port: number): Promise<unknown> {
  return pollUntil(
    async () => (await brokerStatus(port)).agents.map((agent) => (agent as { state?: string }).state),
    (states) => states.length > 0 && states.every((state) => state === 'idle'),
    { what: 'every agent to be seen idle' },
  );
}

/** Seqs of the messages in a JSON Lines broker log (inbox records carry none). */
export function loggedSeqs(logPath: string): number[] {
  if (!existsSync(logPath)) return [];
  return readFileSync(logPath, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { seq?: number }).seq)
    .filter((seq): seq is number => seq !== undefined);
}

/** Waits until nothing listens on the port any more. */
export function waitForPortFree(port: number, timeoutMs = 10_000): Promise<boolean> {
  return pollUntil(
    () => canListen('127.0.0.1', port),
    (free) => free,
    { timeoutMs, what: `port ${port} to be free` },
  );
}

/** The broker files of a session in the sessions dir. */
export function brokerFiles(sandbox: Sandbox): string[] {
  const dir = sessionsDirOf(sandbox);
  return ['paw-proj.broker.jsonl', 'paw-proj.broker.jsonl.error'].filter((name) =>
    existsSync(`${dir}/${name}`),
  );
}
