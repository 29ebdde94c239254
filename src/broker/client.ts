// Talking to a broker from outside: the start-up / status probe (HTTP status and JSON
// parsed, 200 and `git_paw === true` required, timeouts reported as such), free-port search,
// and a sentence naming whoever holds a port. The `/status` schema uses the small schema module,
// not zod: a launch probes its broker on the way to typing the agents' commands.
import { createServer } from 'node:net';
import { BrokerError, describeError } from '../util/errors.js';
import { connectOutcome } from '../util/net.js';
import { isWildcardBind } from './bind.js';
import {
  array,
  literal,
  nullable,
  number,
  object,
  optional,
  safeParse,
  string,
  type Infer,
  type Schema,
} from '../util/schema.js';

/** A member that other broker versions may leave out or send as null. */
const nullish = <T>(inner: Schema<T>) => optional(nullable(inner));

const statusAgentSchema = object({
  agent_id: string(),
  cli: nullish(string()),
  last_seen_seconds: nullish(number()),
  status: nullish(string()),
  summary: nullish(string()),
  // Observed state (0.3.0 brokers send none). Kept as text: a newer broker's state is shown
  // as not started rather than making the whole answer unreadable.
  state: nullish(string()),
  state_since: nullish(string()),
  state_source: nullish(string()),
  state_detail: nullish(string()),
});

/** A pair of agents whose work collides (kind kept as text: a newer kind is skipped, not fatal). */
const conflictEntrySchema = object({
  agents: array(string()),
  kind: string(),
  paths: array(string()),
  since: string(),
});

const conflictCheckSchema = object({
  checked_at: nullable(string()),
  unchecked: array(object({ agent: string(), reason: string() })),
  notes: array(string()),
});

/** A `/status` document: 0.3.0 brokers send only the first four members. */
export const brokerStatusSchema = object({
  git_paw: literal(true),
  agents: array(statusAgentSchema),
  uptime_seconds: nullish(number()),
  version: nullish(string()),
  session: nullish(string()),
  repo_path: nullish(string()),
  instance_id: nullish(string()),
  pid: nullish(number()),
  started_at: nullish(string()),
  message_count: nullish(number()),
  next_seq: nullish(number()),
  /** Brokers with a conflict watcher: the colliding pairs and how the check went. */
  conflicts: nullish(array(conflictEntrySchema)),
  conflict_check: nullish(conflictCheckSchema),
});

export type BrokerStatusDocument = Infer<typeof brokerStatusSchema>;
export type BrokerStatusAgent = Infer<typeof statusAgentSchema>;

export type ProbeResult =
  | { kind: 'free' }
  | { kind: 'git-paw'; status: BrokerStatusDocument }
  | { kind: 'foreign'; detail: string }
  | { kind: 'timeout' };

export interface BrokerIdentityCheck {
  session: string;
  repoPath: string;
  /** When given, the broker must also be this very process generation (a launch's own broker). */
  instanceId?: string;
}

/** True when the probe reached the broker of this session of this repo — never another's. */
export function isSessionBroker(
  probe: ProbeResult,
  identity: BrokerIdentityCheck,
): probe is Extract<ProbeResult, { kind: 'git-paw' }> {
  return (
    probe.kind === 'git-paw' &&
    probe.status.session === identity.session &&
    probe.status.repo_path === identity.repoPath &&
    (identity.instanceId === undefined || probe.status.instance_id === identity.instanceId)
  );
}

/** Largest `/status` answer a client reads; a longer one is not a git-paw broker's. */
export const MAX_STATUS_BYTES = 4 * 1024 * 1024;

/** `http://<host>:<port>`; a wildcard bind is advertised as loopback, IPv6 in brackets. */
export function brokerUrl(bind: string, port: number): string {
  const host = isWildcardBind(bind) ? (bind.includes(':') ? '[::1]' : '127.0.0.1') : bind;
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${bracketed}:${port}`;
}

/** One `GET <url>/status` with a deadline; classifies whatever answers. */
export async function probeBroker(url: string, options: { timeoutMs?: number } = {}): Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? 1_000;
  // Loaded on the first probe: a launch loads this module to plan its broker, on its critical
  // path, and asks the broker only later, while tmux opens the panes.
  const { request } = await import('node:http');
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    const req = request(
      `${url.replace(/\/+$/, '')}/status`,
      { agent: false, headers: { connection: 'close' } },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_STATUS_BYTES) settle({ kind: 'foreign', detail: 'its /status answer is too large' });
          else chunks.push(chunk);
        });
        res.on('error', () => settle({ kind: 'foreign', detail: 'the connection broke during the answer' }));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          let body: unknown;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            body = undefined;
          }
          const parsed = safeParse(brokerStatusSchema, body);
          if (status === 200 && parsed.success) settle({ kind: 'git-paw', status: parsed.data });
          else
            settle({
              kind: 'foreign',
              detail: `GET /status answered HTTP ${status}${parsed.success ? '' : ' without the git-paw marker'}`,
            });
        });
      },
    );
    const timer = setTimeout(() => settle({ kind: 'timeout' }), timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') settle({ kind: 'free' });
      else if (error.code === 'ECONNRESET' || error.message === 'socket hang up') {
        settle({ kind: 'foreign', detail: 'it accepts connections but does not answer HTTP' });
      } else settle({ kind: 'foreign', detail: `connecting failed (${error.code ?? error.message})` });
    });
    req.end();
  });
}

/**
 * `probeBroker`, after a TCP connect that finds a free port without the HTTP request: a refused
 * connect costs about a third of the CPU of a refused probe, which matters to a launch polling
 * every few milliseconds for a broker that is starting, and to a server starting on a free port.
 */
export async function probeIfListening(
  url: string,
  options: { timeoutMs?: number } = {},
): Promise<ProbeResult> {
  if ((await connectOutcome(url, options.timeoutMs ?? 1_000)) === 'refused') return { kind: 'free' };
  return probeBroker(url, options);
}

/** The `/status` document of the broker at `url`; BrokerError when it is not a git-paw broker. */
export async function fetchStatus(
  url: string,
  options: { timeoutMs?: number } = {},
): Promise<BrokerStatusDocument> {
  const result = await probeBroker(url, options);
  if (result.kind === 'git-paw') return result.status;
  if (result.kind === 'free') throw new BrokerError(`no broker is running at ${url}`);
  if (result.kind === 'timeout') throw new BrokerError(`the broker at ${url} did not answer in time`);
  throw new BrokerError(`${url} is not a git-paw broker: ${result.detail}`);
}

/** Resolves true when this process can listen on `bind:port` right now (it closes again at once). */
export function canListen(bind: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false);
      else
        reject(
          new BrokerError(`cannot listen on ${bind}: ${describeError(error)}`, {
            hint: 'check [broker] bind in the config',
          }),
        );
    });
    server.listen({ host: bind, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

const PORT_SEARCH_SPAN = 1_000;

/** First port from `from` upward that can be listened on, skipping `skip` (e.g. other sessions' ports). */
export async function findFreePort(
  bind: string,
  from = 9119,
  skip: ReadonlySet<number> = new Set(),
): Promise<number> {
  const last = Math.min(65535, from + PORT_SEARCH_SPAN - 1);
  for (let port = from; port <= last; port += 1) {
    if (skip.has(port)) continue;
    if (await canListen(bind, port)) return port;
  }
  throw new BrokerError(`no free port between ${from} and ${last} on ${bind}`, {
    hint: 'set [broker] port in .git-paw/config.toml',
  });
}

/** A sentence naming whoever holds `port` (another git-paw session, a foreign server, unknown). */
export async function describePortHolder(bind: string, port: number): Promise<string> {
  const result = await probeBroker(brokerUrl(bind, port), { timeoutMs: 1_000 });
  switch (result.kind) {
    case 'git-paw': {
      const { session, repo_path: repo, pid } = result.status;
      if (session)
        return `port ${port} is used by the git-paw broker of session '${session}' (repo ${repo ?? 'unknown'}${pid ? `, pid ${pid}` : ''})`;
      return `port ${port} is used by another git-paw broker (version ${result.status.version ?? 'unknown'})`;
    }
    case 'foreign':
      return `port ${port} is already in use by another process (${result.detail})`;
    case 'timeout':
      return `broker probe timed out on port ${port} — check for stuck processes on this port`;
    case 'free':
      return `port ${port} is in use by another process`;
  }
}
