// What the three mock model servers share: a loopback HTTP server on a free port that records
// every request, the turn script read from markers in the last user prompt, a way to hold a turn
// until the test lets it go, and SSE/JSON writers. Each vendor module only speaks its API's shape.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the CLI sent it. */
export interface RecordedRequest {
  method: string;
  /** Path with query, e.g. `/v1/messages?beta=true`. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, or the raw text when it is not JSON (undefined when empty). */
  body: unknown;
  /** The last prompt the user typed, as the mock read it (empty for other requests). */
  prompt: string;
  /** The names of the tools the request offers the model, as the vendor module reads them. */
  tools: string[];
  /** What the mock made of it, e.g. `text`, `tool`, `call`, `tool-result`, `error 429`, `side`. */
  answered: string;
}

/** Markers a test puts in its prompt to script the model's answer. */
export const MARKERS = {
  /** Answer with a shell tool call running TOOL_COMMAND; the call's result gets a text answer. */
  tool: 'PAW_TOOL_CALL',
  /** Answer HTTP 429 (rate limit) to every request of the turn. */
  error429: 'PAW_ERROR_429',
  /** Answer HTTP 500 to every request of the turn. */
  error500: 'PAW_ERROR_500',
  /**
   * Hold the answer (while holding is armed) until the test calls `release()`, so it can watch
   * the turn while it runs.
   */
  hold: 'PAW_HOLD_TURN',
  /** Hold only the answer to the tool's result (the turn after an approved tool call). */
  holdAfterTool: 'PAW_HOLD_AFTER_TOOL',
  /**
   * Call the offered tool whose name ends in `publish_status` (git-paw's MCP tool, however the
   * CLI names it) with MCP_STATUS_ARGS; the call's result gets a text answer. While the CLI's MCP
   * servers still connect and it offers WAIT_FOR_MCP_TOOL instead, call that first. When neither
   * is offered, answer NO_MCP_TOOL_TEXT with the names that were offered.
   */
  mcpPublish: 'PAW_MCP_PUBLISH',
} as const;

/** The command of a scripted tool call: it writes a file, so every CLI asks before running it. */
export const TOOL_COMMAND = 'touch paw-tool-ran.txt';
/** The text of a plain answer, and of the answer after a tool result. */
export const REPLY_TEXT = 'PAW-MOCK-REPLY done.';
export const AFTER_TOOL_TEXT = 'PAW-MOCK-AFTER-TOOL done.';

/** The arguments of the scripted `publish_status` call; the message is what `/status` then shows. */
export const MCP_STATUS_ARGS = {
  status: 'working',
  message: 'PAW-MCP-STATUS reported through the git-paw tool',
  modified_files: [],
} as const;
/**
 * Claude Code's tool for MCP servers that are still connecting: offered in place of their tools
 * to a prompt submitted before they are ready, it returns once they are.
 */
export const WAIT_FOR_MCP_TOOL = 'WaitForMcpServers';
/** The answer when the request offers no `publish_status` tool. */
export const NO_MCP_TOOL_TEXT = 'PAW-MOCK: no publish_status tool offered.';

/** What the model does this turn. */
export type Turn =
  | { kind: 'text'; text: string }
  | { kind: 'tool'; command: string }
  | { kind: 'call'; name: string; args: Record<string, unknown> }
  | { kind: 'error'; status: 429 | 500 };

/**
 * The answer to a CLI's side request (title, routing, topic check): always plain text, since the
 * CLIs retry a failed side request on their own slow schedule and the test is about the main turn.
 */
export const SIDE_TURN: Turn = { kind: 'text', text: REPLY_TEXT };

/** What the model knows of the request besides its prompt. */
export interface TurnContext {
  /** The last user entry carries a tool's result. */
  toolResult: boolean;
  /** The names of the tools the request offers. */
  tools?: readonly string[];
  /** The name of the tool whose result it carries, where the vendor module reads it. */
  resultOf?: string;
}

/** The call of git-paw's `publish_status`, or of the tool that waits for it to be offered. */
function mcpPublishTurn(tools: readonly string[], mayWait: boolean): Turn {
  const name = tools.find((tool) => tool.endsWith('publish_status'));
  if (name !== undefined) return { kind: 'call', name, args: { ...MCP_STATUS_ARGS } };
  if (mayWait && tools.includes(WAIT_FOR_MCP_TOOL))
    return { kind: 'call', name: WAIT_FOR_MCP_TOOL, args: {} };
  return { kind: 'text', text: `${NO_MCP_TOOL_TEXT} Offered: ${tools.join(', ')}` };
}

/**
 * The turn scripted by the prompt. After a tool's result the model answers in text, whatever the
 * earlier prompt said, unless that tool only waited for the MCP servers.
 */
export function scriptTurn(prompt: string, context: TurnContext): Turn {
  const waited = context.resultOf === WAIT_FOR_MCP_TOOL;
  if (prompt.includes(MARKERS.error429)) return { kind: 'error', status: 429 };
  if (prompt.includes(MARKERS.error500)) return { kind: 'error', status: 500 };
  if (context.toolResult && !waited) return { kind: 'text', text: AFTER_TOOL_TEXT };
  if (prompt.includes(MARKERS.tool)) return { kind: 'tool', command: TOOL_COMMAND };
  if (prompt.includes(MARKERS.mcpPublish)) return mcpPublishTurn(context.tools ?? [], !waited);
  return { kind: 'text', text: REPLY_TEXT };
}

/** Every string inside a JSON value, joined by newlines: what a request told the model, in full. */
export function allStrings(value: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(walk);
  };
  walk(value);
  return out.join('\n');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Writes Server-Sent Events, each `data:` a JSON object (with an `event:` line when named). */
export function writeSse(res: ServerResponse, events: Array<{ event?: string; data: unknown }>): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  for (const { event, data } of events) {
    res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
  }
  res.end();
}

export function writeJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** What a vendor module decides for one request; `prompt` is read before the hold check. */
export interface VendorReply {
  /** The last user prompt's text (empty for requests that carry none). */
  prompt: string;
  /** The request carries a tool's result. */
  toolResult: boolean;
  /** The names of the tools the request offers. */
  tools: string[];
  /** Label for the record. */
  answered: string;
  /** Writes the answer. */
  write(res: ServerResponse): void;
}

/** A vendor module: turns one parsed request into a reply. */
export type VendorHandler = (method: string, url: string, body: unknown) => VendorReply;

export interface MockModelServer {
  /** `http://127.0.0.1:PORT`, the base URL to give the CLI. */
  url: string;
  port: number;
  /** Every request so far, oldest first. */
  requests: RecordedRequest[];
  /** Requests held by the hold marker and not yet answered. */
  heldCount(): number;
  /** Lets the hold markers take effect, until the next `release()`. */
  armHold(): void;
  /** Answers every held request and disarms holding, so a late or repeated request passes. */
  release(): void;
  close(): Promise<void>;
}

/** Whether a main request waits for `release()`; side requests never do. */
function heldBy(reply: VendorReply): boolean {
  if (reply.answered === 'side') return false;
  return reply.prompt.includes(reply.toolResult ? MARKERS.holdAfterTool : MARKERS.hold);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Starts a vendor's mock on a free loopback port. */
export async function startMockServer(handle: VendorHandler): Promise<MockModelServer> {
  const requests: RecordedRequest[] = [];
  let held: Array<() => void> = [];
  let armed = false;
  const server = createServer((req, res) => {
    void (async () => {
      const body = parseBody(await readBody(req));
      const method = req.method ?? 'GET';
      const url = req.url ?? '/';
      const reply = handle(method, url, body);
      requests.push({
        method,
        url,
        headers: req.headers,
        body,
        prompt: reply.prompt,
        tools: reply.tools,
        answered: reply.answered,
      });
      if (armed && heldBy(reply)) await new Promise<void>((resolve) => held.push(resolve));
      reply.write(res);
    })().catch((error: unknown) => {
      if (!res.headersSent) writeJson(res, 500, { error: { message: String(error) } });
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const release = (): void => {
    armed = false;
    const waiting = held;
    held = [];
    waiting.forEach((resolve) => resolve());
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    heldCount: () => held.length,
    armHold: () => {
      armed = true;
    },
    release,
    async close() {
      release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The turn for a request and how the recording names it: side requests (titles, routing) always
 * get plain text, never a scripted error (the CLIs retry those on their own slow schedule).
 */
export function turnFor(
  prompt: string,
  context: TurnContext,
  side: boolean,
): { turn: Turn; answered: string } {
  if (side) return { turn: SIDE_TURN, answered: 'side' };
  const turn = scriptTurn(prompt, context);
  const answered =
    turn.kind === 'error' ? `error ${turn.status}` : context.toolResult ? 'tool-result' : turn.kind;
  return { turn, answered };
}

/** A reply that records nothing of a prompt: for requests that are not the model's turns. */
export function otherReply(write: (res: ServerResponse) => void): VendorReply {
  return { prompt: '', toolResult: false, tools: [], answered: 'other', write };
}
