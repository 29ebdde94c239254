// The broker's MCP endpoint (`POST /mcp/<agent_id>`, Streamable HTTP): git-paw's coordination as
// native tools, for the one agent the path names. routes.ts has already checked Host/Origin, the
// token, the agent's place on the roster and the body; this module only speaks MCP. It is loaded
// on the first MCP request (or just after the broker is ready), never by the CLI: the SDK costs
// about 0.3 s to load.
//
// Stateless mode: every POST gets its own transport, dropped once the reply is out, and a server
// that answers nothing else meanwhile. Nothing about a client outlives its request, so a
// reconnect storm or a client that never says goodbye leaves nothing behind, and memory is
// bounded by the server's connection cap times one request (64 KiB body, batches of at most the
// SDK's batch size). Building a server (its six tools and their schemas) costs more than a tool
// call, so a server whose request finished is kept for the agent's next one — a few per agent at
// most; one whose client went away mid-request may still have a handler running and is dropped. Sessions would buy nothing
// here: the tools need no per-connection state (the inbox cursor is the broker's, per agent, and
// logged), and the server never pushes on its own, so GET streams are refused with 405. Replies
// are plain JSON rather than SSE: a tool call is one answer, `wait_for_message` included.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { MCP_SERVER_NAME } from '../agents/mcp-tools.js';
import { MAX_ARRAY_ITEMS, validateMessage, type Message } from '../broker/messages.js';
import type { BrokerService } from '../broker/server/service.js';
import { packageVersion } from '../util/self.js';

/** Characters of messages one `read_inbox` returns; the rest waits for the next call. */
const READ_PAGE_CHARS = 32 * 1024;
const MAX_WAIT_SECONDS = 60;

export const INSTRUCTIONS =
  'These tools connect you with the other AI agents of this git-paw session, each working on ' +
  'its own branch of the same repository. Call publish_status when you start, after each commit ' +
  'and whenever your focus changes, so the human and your peers see what you do. Call ' +
  'publish_artifact when you finish something others can use (name it in exports). Call ' +
  'read_inbox before you start something new and handle what it returns; a report_blocked from a ' +
  'peer means it waits for you, so deal with it first. When you cannot go on without a peer, call ' +
  'report_blocked naming it (list_peers shows the agents, their state and any overlapping edits), ' +
  'carry on with other work, and call wait_for_message when nothing else is left to do. You never ' +
  'pass your own agent id: the tools know who you are.';

const files = z
  .array(z.string())
  .max(MAX_ARRAY_ITEMS)
  .describe('Paths of the files you changed, relative to the repository root');

const publishStatusInput = z
  .object({
    status: z.string().min(1).describe('A short label such as "working", "testing" or "done"'),
    message: z.string().describe('One sentence on what you are doing now'),
    modified_files: files.optional(),
  })
  .strict();

const publishArtifactInput = z
  .object({
    exports: z
      .array(z.string())
      .max(MAX_ARRAY_ITEMS)
      .describe('Functions, types, endpoints or files your peers can now use'),
    modified_files: files.optional(),
    status: z.string().min(1).optional().describe('"done" unless given; "verified" once the tests pass'),
  })
  .strict();

const reportBlockedInput = z
  .object({
    needs: z.string().min(1).describe('Precisely what you need from the peer'),
    from: z.string().min(1).describe("The peer's agent_id (see list_peers); never your own"),
  })
  .strict();

const waitInput = z
  .object({
    timeout_seconds: z
      .number()
      .int()
      .min(1)
      .max(MAX_WAIT_SECONDS)
      .optional()
      .describe(`How long to wait, 1 to ${MAX_WAIT_SECONDS} seconds (default ${MAX_WAIT_SECONDS})`),
  })
  .strict();

const noInput = z.object({}).strict();

function text(value: unknown): CallToolResult {
  return { content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value) }] };
}

/** Validates like `/publish`, then publishes through the same service path (seq, log, limits). */
function publish(service: BrokerService, message: Message): Promise<CallToolResult> {
  const problem = validateMessage(message);
  if (problem) throw new Error(problem);
  return new Promise((resolve, reject) => {
    service.publish(message, (outcome) => {
      if (outcome.ok) resolve(text({ seq: outcome.seq }));
      else reject(new Error(outcome.error));
    });
  });
}

function inboxReply(service: BrokerService, agentId: string): CallToolResult {
  const result = service.readInbox(agentId, READ_PAGE_CHARS);
  if ('error' in result) throw new Error(result.error);
  const messages = result.messages.map((json) => JSON.parse(json) as unknown);
  return text({
    messages,
    ...(result.droppedBefore === undefined ? {} : { dropped_before: result.droppedBefore }),
    ...(result.more ? { more: true } : {}),
  });
}

/** git-paw's tools, acting for `agentId` only. */
function serverFor(service: BrokerService, agentId: string, version: string): McpServer {
  const server = new McpServer({ name: MCP_SERVER_NAME, version }, { instructions: INSTRUCTIONS });
  server.registerTool(
    'publish_status',
    {
      description:
        'Tell the session what you are doing: updates your line on the dashboard and in list_peers. Reaches no inbox.',
      inputSchema: publishStatusInput,
    },
    ({ status, message, modified_files }) =>
      publish(service, {
        type: 'agent.status',
        agent_id: agentId,
        payload: { status, message, modified_files: modified_files ?? [] },
      }),
  );
  server.registerTool(
    'publish_artifact',
    {
      description:
        'Announce finished work to every other agent of the session (their inboxes), with what they can now use.',
      inputSchema: publishArtifactInput,
    },
    ({ exports, modified_files, status }) =>
      publish(service, {
        type: 'agent.artifact',
        agent_id: agentId,
        payload: { status: status ?? 'done', exports, modified_files: modified_files ?? [] },
      }),
  );
  server.registerTool(
    'report_blocked',
    {
      description:
        'Ask one peer for something you cannot go on without. Only that peer receives it; it reaches them even before they start.',
      inputSchema: reportBlockedInput,
    },
    ({ needs, from }) => {
      if (from === agentId) throw new Error(`from must name a peer, not yourself ('${agentId}')`);
      if (service.rosterCli(from) === undefined) {
        throw new Error(
          `'${from}' is not an agent of this session; its agents are: ${service.rosterIds().join(', ')}`,
        );
      }
      return publish(service, { type: 'agent.blocked', agent_id: agentId, payload: { needs, from } });
    },
  );
  server.registerTool(
    'read_inbox',
    {
      description:
        'Return the messages peers sent you since your last read_inbox or wait_for_message (each one once). "more": call again.',
      inputSchema: noInput,
    },
    () => inboxReply(service, agentId),
  );
  server.registerTool(
    'wait_for_message',
    {
      description: `Wait until a peer sends you a message (at most timeout_seconds, ≤ ${MAX_WAIT_SECONDS}), then return it like read_inbox.`,
      inputSchema: waitInput,
    },
    async ({ timeout_seconds }, extra) => {
      const seconds = timeout_seconds ?? MAX_WAIT_SECONDS;
      const waited = service.waitForUnread(agentId, seconds * 1000, extra.signal);
      if (waited === undefined)
        throw new Error('too many wait_for_message calls of yours are waiting already');
      if (!(await waited)) return text({ messages: [], timed_out: true });
      return inboxReply(service, agentId);
    },
  );
  server.registerTool(
    'list_peers',
    {
      description:
        "The session's agents: agent_id, cli, state, self-reported status, summary of their last message, and overlapping edits when there are any.",
      inputSchema: noInput,
    },
    () => {
      // The very document `/status` serves, so whatever it reports appears here too.
      const { agents, ...rest } = JSON.parse(service.statusJson()) as {
        agents: { agent_id: string }[];
      } & Record<string, unknown>;
      const extra = Object.fromEntries(Object.entries(rest).filter(([key]) => key === 'conflicts'));
      return text({
        you: agentId,
        agents: agents.map((agent) => (agent.agent_id === agentId ? { ...agent, you: true } : agent)),
        ...extra,
      });
    },
  );
  return server;
}

function webHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

let version: string | undefined;

/** Servers kept for the next request, per broker and agent. */
const idleServers = new WeakMap<BrokerService, Map<string, McpServer[]>>();
const MAX_IDLE_PER_AGENT = 4;

function takeServer(service: BrokerService, agentId: string): McpServer {
  version ??= packageVersion();
  return idleServers.get(service)?.get(agentId)?.pop() ?? serverFor(service, agentId, version);
}

function keepServer(service: BrokerService, agentId: string, server: McpServer): void {
  const byAgent = idleServers.get(service) ?? new Map<string, McpServer[]>();
  idleServers.set(service, byAgent);
  const idle = byAgent.get(agentId) ?? [];
  byAgent.set(agentId, idle);
  if (idle.length < MAX_IDLE_PER_AGENT) idle.push(server);
}

/**
 * Answers one MCP POST for `agentId` whose body routes.ts has parsed. The server lets go of the
 * request's transport when the response closes, which also aborts a waiting `wait_for_message`
 * of a client that went away.
 */
export async function handleMcpPost(
  req: IncomingMessage,
  res: ServerResponse,
  options: { service: BrokerService; agentId: string; body: unknown },
): Promise<void> {
  const server = takeServer(options.service, options.agentId);
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  res.once('close', () => {
    // Only a server whose reply went out whole has no handler left running.
    const finished = res.writableFinished;
    void server.close().then(() => {
      if (finished) keepServer(options.service, options.agentId, server);
    });
  });
  const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, {
    method: 'POST',
    headers: webHeaders(req),
  });
  const response = await transport.handleRequest(request, { parsedBody: options.body });
  const body = Buffer.from(await response.arrayBuffer());
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  res.writeHead(response.status, { ...headers, 'content-length': body.length });
  res.end(body);
}
