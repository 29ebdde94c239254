// `git paw mcp`: a stdio MCP server for clients that only start stdio servers. It relays each
// JSON-RPC line from standard input to the agent's HTTP endpoint on the session's broker and
// writes the reply as one line to standard output; it holds no MCP state of its own (the broker
// is stateless too), and it does not load the MCP SDK. Reads GIT_PAW_BROKER_URL,
// GIT_PAW_BROKER_TOKEN and GIT_PAW_AGENT_ID, which every agent pane of a session has.
import { createInterface } from 'node:readline';
import { PawError } from '../util/errors.js';

export interface BridgeTarget {
  url: string;
  token: string;
}

/** Where the bridge relays to, from the pane's variables; PawError naming what is missing. */
export function bridgeTarget(env: NodeJS.ProcessEnv): BridgeTarget {
  const base = env.GIT_PAW_BROKER_URL ?? '';
  const agent = env.GIT_PAW_AGENT_ID ?? '';
  const missing = [base === '' ? 'GIT_PAW_BROKER_URL' : '', agent === '' ? 'GIT_PAW_AGENT_ID' : ''].filter(
    (name) => name !== '',
  );
  if (missing.length > 0) {
    throw new PawError(`${missing.join(' and ')} not set`, {
      hint: 'run `git paw mcp` inside an agent pane of a git-paw session, or set the variables by hand',
    });
  }
  return {
    url: `${base.replace(/\/+$/, '')}/mcp/${encodeURIComponent(agent)}`,
    token: env.GIT_PAW_BROKER_TOKEN ?? '',
  };
}

/** The `id` of a JSON-RPC request line, or undefined for a notification or a line that is not JSON. */
function requestId(line: string): string | number | undefined {
  try {
    const value = JSON.parse(line) as { id?: unknown };
    return typeof value.id === 'string' || typeof value.id === 'number' ? value.id : undefined;
  } catch {
    return undefined;
  }
}

/** Relays one line; resolves with the line to print, or undefined when there is none. */
async function relay(target: BridgeTarget, line: string): Promise<string | undefined> {
  const id = requestId(line);
  const failure = (message: string) =>
    id === undefined ? undefined : JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32000, message } });
  let reply: Response;
  try {
    reply = await fetch(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(target.token === '' ? {} : { authorization: `Bearer ${target.token}` }),
      },
      body: line,
    });
  } catch (error) {
    return failure(`the git-paw broker does not answer at ${target.url}: ${(error as Error).message}`);
  }
  const text = (await reply.text()).trim();
  if (reply.status === 202 || text === '') return undefined;
  if (reply.ok) return text;
  const message = (() => {
    try {
      return (JSON.parse(text) as { error?: { message?: string } | string }).error;
    } catch {
      return undefined;
    }
  })();
  const reason = typeof message === 'string' ? message : (message?.message ?? text);
  return failure(`the git-paw broker refused the request (HTTP ${reply.status}): ${reason}`);
}

/** Runs the bridge until standard input ends; replies keep the order of the requests. */
export async function runMcpBridge(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const target = bridgeTarget(env);
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let previous: Promise<void> = Promise.resolve();
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const answered = relay(target, line);
    previous = previous.then(async () => {
      const out = await answered;
      if (out !== undefined) process.stdout.write(`${out}\n`);
    });
  }
  await previous;
}
