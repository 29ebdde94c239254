// The HTTP routes: Host/Origin check, 404 / 405 with Allow, bearer token on every route but
// /status (an agent's own token acts only for that agent, and with a token only the session's
// own agents exist; the session token acts for all of them — see auth.ts), then upstream's processing order for publish (body limit → UTF-8 → Content-Type 415 →
// empty → parse → validate), which hook events (`POST /events/<agent_id>`, a CLI's raw hook JSON
// turned into a state signal by the agent's adapter) follow too. `GET /agents/<agent_id>/signals`
// shows an agent's recent signals. Every response body is compact JSON; HEAD gets the headers of
// GET without a body.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { adapterFor } from '../../agents/adapters/index.js';
import { describeError } from '../../util/errors.js';
import { actingProblem, Credentials, type Principal } from '../auth.js';
import { closeAfterReply } from './connections.js';
import { hostProblem, isJsonContentType, parseSince } from '../http-parse.js';
import { agentIdProblem, MAX_ID_CHARS, parseMessage } from '../messages.js';
import type { BrokerService } from './service.js';

export const MAX_BODY_BYTES = 64 * 1024;

export interface RouteOptions {
  service: BrokerService;
  /**
   * The session token required on every route but /status (or an agent's token, derived from it);
   * null when `[broker] auth = "none"`.
   */
  token: string | null;
  /** Authorities the Host (and a present Origin) header may name. */
  allowedHosts: Set<string>;
  /** Whether `/mcp/<agent_id>` answers (`[broker] mcp`); off, it is not found. */
  mcp?: boolean;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

export function sendError(
  res: ServerResponse,
  status: number,
  error: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, JSON.stringify({ error }), headers);
}

type BodyResult = { kind: 'body'; bytes: Buffer } | { kind: 'too-large' } | { kind: 'aborted' };

/** Reads at most `limit` bytes of body; stops buffering as soon as the limit is passed. */
function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ kind: 'too-large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        finish({ kind: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish({ kind: 'body', bytes: Buffer.concat(chunks, size) });
    const onAborted = () => finish({ kind: 'aborted' });
    const finish = (result: BodyResult) => {
      req.off('data', onData).off('end', onEnd).off('error', onAborted).off('close', onAborted);
      resolve(result);
    };
    req.on('data', onData).on('end', onEnd).on('error', onAborted).on('close', onAborted);
  });
}

/** Answers 413 and closes the connection gently; the rest of the body is discarded, never buffered. */
function rejectTooLarge(req: IncomingMessage, res: ServerResponse): void {
  closeAfterReply(req);
  sendError(res, 413, `request body must be at most ${MAX_BODY_BYTES} bytes`, { connection: 'close' });
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The body of a JSON POST as text (body limit → UTF-8 → Content-Type → empty), or undefined when
 * the request was answered (or abandoned by the client).
 */
async function jsonBody(req: IncomingMessage, res: ServerResponse): Promise<string | undefined> {
  const body = await readBody(req, MAX_BODY_BYTES);
  if (body.kind === 'aborted') return undefined;
  if (body.kind === 'too-large') {
    rejectTooLarge(req, res);
    return undefined;
  }
  let text: string;
  try {
    text = utf8.decode(body.bytes);
  } catch {
    sendError(res, 400, 'request body is not valid UTF-8');
    return undefined;
  }
  if (!isJsonContentType(req.headers['content-type'])) {
    sendError(res, 415, 'Content-Type must be application/json');
    return undefined;
  }
  if (body.bytes.length === 0) {
    sendError(res, 400, 'request body must not be empty');
    return undefined;
  }
  return text;
}

/** The agent id of a path segment, or the reason it is not one. */
function agentIdOf(rawId: string): { ok: true; agentId: string } | { ok: false; error: string } {
  let agentId: string;
  try {
    agentId = decodeURIComponent(rawId);
  } catch {
    return { ok: false, error: 'invalid percent-encoding in path' };
  }
  const problem = agentIdProblem(agentId);
  if (problem === 'characters') return { ok: false, error: 'agent_id must match [a-z0-9-_]+' };
  if (problem === 'length')
    return { ok: false, error: `agent_id must be at most ${MAX_ID_CHARS} characters` };
  return { ok: true, agentId };
}

/**
 * Whether the request may act for `agentId`, answering it when not: 403 for another agent's
 * token, and, with auth on, 404 for an id outside the session (never given an inbox then).
 */
function mayActFor(
  res: ServerResponse,
  principal: Principal | null,
  agentId: string,
  service: BrokerService,
): boolean {
  const problem = actingProblem(principal, agentId);
  if (problem) {
    sendError(res, 403, problem);
    return false;
  }
  if (principal !== null && service.rosterCli(agentId) === undefined) {
    sendError(res, 404, `agent '${agentId}' is not in this session`);
    return false;
  }
  return true;
}

async function publish(
  req: IncomingMessage,
  res: ServerResponse,
  service: BrokerService,
  principal: Principal | null,
): Promise<void> {
  const text = await jsonBody(req, res);
  if (text === undefined) return;
  const parsed = parseMessage(text);
  if (!parsed.ok) return sendError(res, 400, parsed.error);
  if (!mayActFor(res, principal, parsed.message.agent_id, service)) return;
  service.publish(parsed.message, (outcome) => {
    if (outcome.ok) sendJson(res, 202, `{"seq":${outcome.seq}}`);
    else sendError(res, outcome.status, outcome.error);
  });
}

/** A CLI's hook event for one of the session's agents: its adapter says which state it means. */
async function hookEvent(
  req: IncomingMessage,
  res: ServerResponse,
  rawId: string,
  service: BrokerService,
  principal: Principal | null,
): Promise<void> {
  const text = await jsonBody(req, res);
  if (text === undefined) return;
  const id = agentIdOf(rawId);
  if (!id.ok) return sendError(res, 400, id.error);
  const problem = actingProblem(principal, id.agentId);
  if (problem) return sendError(res, 403, problem);
  const cli = service.rosterCli(id.agentId);
  if (cli === undefined) return sendError(res, 404, `agent '${id.agentId}' is not in this session`);
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (error) {
    return sendError(res, 400, `invalid hook JSON: ${(error as Error).message}`);
  }
  const signal = adapterFor(cli).hookSignal(payload);
  if (signal === undefined) return sendError(res, 400, `not a hook event git-paw knows for ${cli}`);
  if (signal === 'ignored') return sendJson(res, 202, '{"outcome":"ignored"}');
  const outcome = service.observe(id.agentId, { ...signal, source: 'hook', at: Date.now() });
  if (outcome.ok) sendJson(res, 202, JSON.stringify({ outcome: outcome.outcome }));
  else sendError(res, outcome.status, outcome.error);
}

function signals(
  res: ServerResponse,
  rawId: string,
  service: BrokerService,
  principal: Principal | null,
): void {
  const id = agentIdOf(rawId);
  if (!id.ok) return sendError(res, 400, id.error);
  const problem = actingProblem(principal, id.agentId);
  if (problem) return sendError(res, 403, problem);
  const found = service.signalsOf(id.agentId);
  if (!found) return sendError(res, 404, `agent '${id.agentId}' is not in this session`);
  sendJson(res, 200, JSON.stringify(found));
}

function messages(
  res: ServerResponse,
  rawId: string,
  query: string | null,
  service: BrokerService,
  principal: Principal | null,
): void {
  const id = agentIdOf(rawId);
  if (!id.ok) return sendError(res, 400, id.error);
  const { agentId } = id;
  if (!mayActFor(res, principal, agentId, service)) return;
  const since = parseSince(query);
  if (!since.ok) return sendError(res, 400, since.error);
  const result = service.poll(agentId, since.since);
  if ('error' in result) return sendError(res, 500, result.error);
  let body = `{"messages":[${result.messages.join(',')}],"last_seq":${result.lastSeq}`;
  if (result.droppedBefore !== undefined) body += `,"dropped_before":${result.droppedBefore}`;
  if (result.more) body += ',"more":true';
  sendJson(res, 200, `${body}}`);
}

/** A JSON-RPC error reply, the form MCP clients show (`id` is unknown before the body is read). */
function sendRpcError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(
    res,
    status,
    JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }),
    headers,
  );
}

let mcpEndpoint: Promise<typeof import('../../mcp/endpoint.js')> | undefined;

/** The MCP endpoint module (the SDK), loaded once; `preloadMcp` starts it before the first call. */
export function preloadMcp(): Promise<typeof import('../../mcp/endpoint.js')> {
  mcpEndpoint ??= import('../../mcp/endpoint.js');
  return mcpEndpoint;
}

/**
 * `POST /mcp/<agent_id>`: the agent is the path's, and must be on the roster whatever the auth
 * mode (its token, or the session's, was checked already); the body is read under the same limit
 * as `/publish` before the MCP module sees it.
 */
async function mcp(
  req: IncomingMessage,
  res: ServerResponse,
  rawId: string,
  service: BrokerService,
  principal: Principal | null,
): Promise<void> {
  const id = agentIdOf(rawId);
  if (!id.ok) return sendRpcError(res, 400, id.error);
  const problem = actingProblem(principal, id.agentId);
  if (problem) return sendRpcError(res, 403, problem);
  if (service.rosterCli(id.agentId) === undefined)
    return sendRpcError(res, 404, `agent '${id.agentId}' is not in this session`);
  const body = await readBody(req, MAX_BODY_BYTES);
  if (body.kind === 'aborted') return;
  if (body.kind === 'too-large') {
    closeAfterReply(req);
    return sendRpcError(res, 413, `request body must be at most ${MAX_BODY_BYTES} bytes`, {
      connection: 'close',
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(body.bytes));
  } catch {
    return sendJson(
      res,
      400,
      '{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error: the body is not JSON"},"id":null}',
    );
  }
  const endpoint = await preloadMcp();
  await endpoint.handleMcpPost(req, res, { service, agentId: id.agentId, body: parsed });
}

type Route =
  | { kind: 'publish' }
  | { kind: 'status' }
  | { kind: 'messages' | 'events' | 'signals' | 'mcp'; rawId: string }
  | { kind: 'none' };

/** The path segment after `prefix` (and before `suffix`), when it is one non-empty segment. */
function segment(path: string, prefix: string, suffix = ''): string | undefined {
  if (!path.startsWith(prefix) || !path.endsWith(suffix)) return undefined;
  const rawId = path.slice(prefix.length, path.length - suffix.length);
  return rawId !== '' && !rawId.includes('/') ? rawId : undefined;
}

function routeOf(path: string): Route {
  if (path === '/publish') return { kind: 'publish' };
  if (path === '/status') return { kind: 'status' };
  for (const [kind, prefix, suffix] of [
    ['messages', '/messages/', ''],
    ['events', '/events/', ''],
    ['signals', '/agents/', '/signals'],
    ['mcp', '/mcp/', ''],
  ] as const) {
    const rawId = segment(path, prefix, suffix);
    if (rawId !== undefined) return { kind, rawId };
  }
  return { kind: 'none' };
}

const ALLOW: Record<Exclude<Route['kind'], 'none'>, string> = {
  publish: 'POST',
  status: 'GET,HEAD',
  messages: 'GET,HEAD',
  events: 'POST',
  signals: 'GET,HEAD',
  // Stateless: no server-initiated stream (GET) and no session to end (DELETE).
  mcp: 'POST',
};

/** The request handler of the broker's HTTP server. */
export function createRequestHandler(
  options: RouteOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { service, token, allowedHosts } = options;
  const credentials = token === null ? null : new Credentials(token, service.rosterIds());
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const forbidden = hostProblem(req.headers.host, req.headers.origin, allowedHosts);
    if (forbidden) return sendError(res, 403, forbidden);
    const url = req.url ?? '';
    const question = url.indexOf('?');
    const path = question === -1 ? url : url.slice(0, question);
    const query = question === -1 ? null : url.slice(question + 1);
    const route = routeOf(path);
    if (route.kind === 'none') return sendError(res, 404, 'not found');
    if (route.kind === 'mcp' && options.mcp === false)
      return sendRpcError(res, 404, 'MCP is turned off in this session ([broker] mcp = false)');
    const method = req.method ?? '';
    const allowed = ALLOW[route.kind];
    if (!allowed.split(',').includes(method))
      return sendError(res, 405, 'method not allowed', { allow: allowed });
    if (route.kind === 'status') return sendJson(res, 200, service.statusJson());
    let principal: Principal | null = null;
    if (credentials !== null) {
      const found = credentials.principalOf(req.headers.authorization);
      if (!found.ok) {
        if (route.kind === 'mcp')
          return sendRpcError(res, 401, found.error, { 'www-authenticate': 'Bearer' });
        return sendError(res, 401, found.error, { 'www-authenticate': 'Bearer' });
      }
      principal = found.principal;
    }
    switch (route.kind) {
      case 'publish':
        return publish(req, res, service, principal);
      case 'events':
        return hookEvent(req, res, route.rawId, service, principal);
      case 'signals':
        return signals(res, route.rawId, service, principal);
      case 'messages':
        return messages(res, route.rawId, query, service, principal);
      case 'mcp':
        return mcp(req, res, route.rawId, service, principal);
    }
  };
  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      // One failing request must not take the broker down; it gets a JSON 500.
      process.stderr.write(`broker: request failed: ${describeError(error)}\n`);
      sendError(res, 500, 'internal broker error');
    });
  };
}
