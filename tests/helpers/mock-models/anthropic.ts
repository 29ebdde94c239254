// A mock of Anthropic's Messages API, enough for Claude Code: `POST /v1/messages` answered with
// the streamed SSE events (or one JSON message when not streaming), a `Bash` tool call, a call of
// an offered MCP tool (`mcp__<server>__<tool>`), and errors the SDK does not retry
// (`x-should-retry: false`), so an error reaches the CLI at once.
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

/** Text blocks of one user message that a person typed (system reminders skipped). */
function typedTexts(message: Record<string, unknown>): string[] {
  if (typeof message.content === 'string') return [message.content];
  return asArray(message.content)
    .filter(isRecord)
    .map((b) => (b.type === 'text' && typeof b.text === 'string' ? b.text : ''))
    .filter((text) => text !== '' && !text.trimStart().startsWith('<system-reminder>'));
}

/**
 * The turn's prompt: the last typed text of the user messages (a prompt whose turn failed is
 * merged with the next one into one message, so only its last block counts), whether the last
 * user message carries a tool's result, and the tool the last assistant message called.
 */
function lastUserPrompt(body: unknown): { prompt: string; toolResult: boolean; resultOf: string } {
  const messages = (isRecord(body) ? asArray(body.messages) : []).filter(isRecord);
  const users = messages.filter((m) => m.role === 'user');
  const last = users.at(-1);
  const toolResult =
    last !== undefined && asArray(last.content).some((b) => isRecord(b) && b.type === 'tool_result');
  const prompt = users.flatMap(typedTexts).at(-1) ?? '';
  const called = asArray(messages.filter((m) => m.role === 'assistant').at(-1)?.content)
    .filter(isRecord)
    .find((b) => b.type === 'tool_use');
  return { prompt, toolResult, resultOf: typeof called?.name === 'string' ? called.name : '' };
}

/** The names of the tools the request offers (`tools[].name`). */
function toolNames(request: Record<string, unknown>): string[] {
  return asArray(request.tools).flatMap((t) => (isRecord(t) && typeof t.name === 'string' ? [t.name] : []));
}

function content(turn: Turn): Array<Record<string, unknown>> {
  if (turn.kind === 'call') {
    return [{ type: 'tool_use', id: `toolu_paw${Date.now()}`, name: turn.name, input: turn.args }];
  }
  if (turn.kind === 'tool') {
    return [
      {
        type: 'tool_use',
        id: `toolu_paw${Date.now()}`,
        name: 'Bash',
        input: { command: turn.command, description: 'Create a marker file' },
      },
    ];
  }
  return [{ type: 'text', text: turn.kind === 'text' ? turn.text : '' }];
}

function callsTool(turn: Turn): boolean {
  return turn.kind === 'tool' || turn.kind === 'call';
}

function streamEvents(turn: Turn, model: string): Array<{ event: string; data: unknown }> {
  const blocks = content(turn);
  const events: Array<{ event: string; data: unknown }> = [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: {
          id: `msg_paw${Date.now()}`,
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 10, output_tokens: 1 },
        },
      },
    },
  ];
  blocks.forEach((block, index) => {
    const isTool = block.type === 'tool_use';
    events.push({
      event: 'content_block_start',
      data: {
        type: 'content_block_start',
        index,
        content_block: isTool ? { ...block, input: {} } : { type: 'text', text: '' },
      },
    });
    events.push({
      event: 'content_block_delta',
      data: {
        type: 'content_block_delta',
        index,
        delta: isTool
          ? { type: 'input_json_delta', partial_json: JSON.stringify(block.input) }
          : { type: 'text_delta', text: block.text },
      },
    });
    events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
  });
  events.push({
    event: 'message_delta',
    data: {
      type: 'message_delta',
      delta: { stop_reason: callsTool(turn) ? 'tool_use' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: 5 },
    },
  });
  events.push({ event: 'message_stop', data: { type: 'message_stop' } });
  return events;
}

function writeError(res: ServerResponse, status: 429 | 500): void {
  const error =
    status === 429
      ? { type: 'rate_limit_error', message: 'Mock rate limit reached' }
      : { type: 'api_error', message: 'Mock internal server error' };
  writeJson(res, status, { type: 'error', error }, { 'x-should-retry': 'false' });
}

function handle(method: string, url: string, body: unknown): VendorReply {
  if (method !== 'POST' || !url.startsWith('/v1/messages')) {
    return otherReply((res) => writeJson(res, method === 'HEAD' ? 200 : 404, {}));
  }
  const { prompt, toolResult, resultOf } = lastUserPrompt(body);
  const request = isRecord(body) ? body : {};
  const model = typeof request.model === 'string' ? request.model : 'claude-mock';
  // Side requests (titles, topic checks) come without tools: plain text, never a scripted error.
  const tools = toolNames(request);
  const side = tools.length === 0;
  const { turn, answered } = turnFor(prompt, { toolResult, tools, resultOf }, side);
  return {
    prompt,
    toolResult,
    tools,
    answered,
    write(res) {
      if (turn.kind === 'error') return writeError(res, turn.status);
      if (request.stream === true) return writeSse(res, streamEvents(turn, model));
      writeJson(res, 200, {
        id: `msg_paw${Date.now()}`,
        type: 'message',
        role: 'assistant',
        model,
        content: content(turn),
        stop_reason: callsTool(turn) ? 'tool_use' : 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 10, output_tokens: 5 },
      });
    },
  };
}

/** Starts the mock; give Claude Code `ANTHROPIC_BASE_URL=<url>`. */
export function startAnthropicMock(): Promise<MockModelServer> {
  return startMockServer(handle);
}
