// A mock of OpenAI's Responses API, enough for Codex: `POST /v1/responses` answered with the
// streamed SSE events, an `exec_command` tool call, a call of an offered MCP tool, and HTTP
// errors. Codex retries errors by its provider's `request_max_retries`/`stream_max_retries`,
// which the test config sets to 0.
import type { ServerResponse } from 'node:http';
import {
  asArray,
  isRecord,
  otherReply,
  startMockServer,
  turnFor,
  writeJson,
  writeSse,
  type MockModelServer,
  type Turn,
  type VendorReply,
} from './server.js';

/** The last user message's last text, and whether the input ends with a tool's output. */
function lastUserPrompt(body: unknown): { prompt: string; toolResult: boolean } {
  const input = (isRecord(body) ? asArray(body.input) : []).filter(isRecord);
  const last = input.at(-1)?.type;
  const toolResult = typeof last === 'string' && last.endsWith('_call_output');
  const user = input.filter((item) => item.role === 'user').at(-1);
  const parts =
    user === undefined
      ? []
      : typeof user.content === 'string'
        ? [user.content]
        : asArray(user.content).map((c) => (isRecord(c) && typeof c.text === 'string' ? c.text : ''));
  return { prompt: parts.filter(Boolean).at(-1) ?? '', toolResult };
}

/**
 * The names of the tools the request offers: a function tool by its name, a function inside a
 * `namespace` tool (how Codex offers an MCP server's tools) as `<namespace>.<function>`.
 */
function toolNames(body: unknown): string[] {
  return (isRecord(body) ? asArray(body.tools) : []).filter(isRecord).flatMap((tool) => {
    const name = typeof tool.name === 'string' ? tool.name : '';
    if (tool.type !== 'namespace') return name === '' ? [] : [name];
    return asArray(tool.tools)
      .filter(isRecord)
      .flatMap((f) => (typeof f.name === 'string' ? [`${name}.${f.name}`] : []));
  });
}

/** A call of a tool named by `toolNames`: a namespaced function is called by its plain name. */
function namedCall(name: string, args: unknown): Record<string, unknown> {
  const dot = name.lastIndexOf('.');
  const call = { arguments: JSON.stringify(args) };
  return dot < 0 ? { name, ...call } : { namespace: name.slice(0, dot), name: name.slice(dot + 1), ...call };
}

/** The shell tool the request offers: `exec_command` (with `cmd`) or the older `shell` (argv). */
function shellCall(body: unknown, command: string): { name: string; arguments: string } {
  const tools = isRecord(body) ? asArray(body.tools) : [];
  const names = tools.map((t) => (isRecord(t) && typeof t.name === 'string' ? t.name : ''));
  if (!names.includes('exec_command') && names.includes('shell')) {
    return { name: 'shell', arguments: JSON.stringify({ command: ['bash', '-lc', command] }) };
  }
  // Asking to leave the sandbox makes Codex ask the user first, whatever its sandbox mode.
  const args = {
    cmd: command,
    sandbox_permissions: 'require_escalated',
    justification: 'Create a marker file',
  };
  return { name: 'exec_command', arguments: JSON.stringify(args) };
}

function streamEvents(turn: Turn, body: unknown): Array<{ event: string; data: unknown }> {
  const id = `resp_paw${Date.now()}`;
  const item =
    turn.kind === 'tool' || turn.kind === 'call'
      ? {
          type: 'function_call',
          id: `fc_${id}`,
          call_id: `call_${id}`,
          status: 'completed',
          ...(turn.kind === 'tool' ? shellCall(body, turn.command) : namedCall(turn.name, turn.args)),
        }
      : {
          type: 'message',
          id: `msg_${id}`,
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: turn.kind === 'text' ? turn.text : '', annotations: [] }],
        };
  const usage = {
    input_tokens: 10,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 5,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 15,
  };
  const events: Array<{ event: string; data: unknown }> = [
    {
      event: 'response.created',
      data: {
        type: 'response.created',
        response: { id, object: 'response', status: 'in_progress', output: [] },
      },
    },
    {
      event: 'response.output_item.added',
      data: {
        type: 'response.output_item.added',
        output_index: 0,
        item: item.type === 'message' ? { ...item, status: 'in_progress', content: [] } : item,
      },
    },
  ];
  if (turn.kind === 'text') {
    events.push({
      event: 'response.output_text.delta',
      data: {
        type: 'response.output_text.delta',
        item_id: item.id,
        output_index: 0,
        content_index: 0,
        delta: turn.text,
      },
    });
  }
  events.push({
    event: 'response.output_item.done',
    data: { type: 'response.output_item.done', output_index: 0, item },
  });
  events.push({
    event: 'response.completed',
    data: {
      type: 'response.completed',
      response: { id, object: 'response', status: 'completed', output: [item], usage },
    },
  });
  return events;
}

function writeError(res: ServerResponse, status: 429 | 500): void {
  const error =
    status === 429
      ? { message: 'Mock rate limit reached', type: 'rate_limit_exceeded', code: 'rate_limit_exceeded' }
      : { message: 'Mock internal server error', type: 'server_error', code: 'server_error' };
  writeJson(res, status, { error });
}

function handle(method: string, url: string, body: unknown): VendorReply {
  if (method === 'GET' && url.startsWith('/v1/models')) {
    return otherReply((res) => writeJson(res, 200, { object: 'list', data: [] }));
  }
  if (method !== 'POST' || !url.startsWith('/v1/responses')) {
    return otherReply((res) => writeJson(res, 404, { error: { message: 'not mocked' } }));
  }
  const { prompt, toolResult } = lastUserPrompt(body);
  // Side turns (the thread title) come without tools: plain text, never a scripted error.
  const tools = toolNames(body);
  const side = asArray(isRecord(body) ? body.tools : undefined).length === 0;
  const { turn, answered } = turnFor(prompt, { toolResult, tools }, side);
  return {
    prompt,
    toolResult,
    tools,
    answered,
    write(res) {
      if (turn.kind === 'error') return writeError(res, turn.status);
      writeSse(res, streamEvents(turn, body));
    },
  };
}

/** Starts the mock; point a Codex model provider's `base_url` at `<url>/v1`. */
export function startOpenAiMock(): Promise<MockModelServer> {
  return startMockServer(handle);
}
