// A mock of the Gemini API, enough for Gemini CLI: `:generateContent` answered with JSON (its
// routing and check requests ask for a JSON object), `:streamGenerateContent?alt=sse` answered
// with SSE chunks, a `run_shell_command` tool call, a call of an offered MCP tool, and HTTP
// errors in Google's error shape.
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

/** The last text the user typed, and whether the last user entry carries a tool's result. */
function lastUserPrompt(body: unknown): { prompt: string; toolResult: boolean } {
  const users = (isRecord(body) ? asArray(body.contents) : [])
    .filter(isRecord)
    .filter((c) => c.role === 'user');
  const partsOf = (entry: Record<string, unknown> | undefined) => asArray(entry?.parts).filter(isRecord);
  const texts = users.flatMap((entry) =>
    partsOf(entry).map((p) => (typeof p.text === 'string' ? p.text : '')),
  );
  return {
    prompt: texts.filter(Boolean).at(-1) ?? '',
    toolResult: partsOf(users.at(-1)).some((p) => 'functionResponse' in p),
  };
}

/**
 * The JSON object asked for by the CLI's side requests: the router's complexity judgement and the
 * next-speaker check. Unknown fields are ignored by each of them.
 */
const SIDE_JSON = {
  complexity_reasoning: 'A mock request is simple.',
  complexity_score: 1,
  next_speaker: 'user',
  reasoning: 'The mock model has answered.',
};

/** The names of the functions the request offers (`tools[].functionDeclarations[].name`). */
function toolNames(body: unknown): string[] {
  return (isRecord(body) ? asArray(body.tools) : [])
    .filter(isRecord)
    .flatMap((tool) => asArray(tool.functionDeclarations))
    .flatMap((f) => (isRecord(f) && typeof f.name === 'string' ? [f.name] : []));
}

function parts(turn: Turn): Array<Record<string, unknown>> {
  if (turn.kind === 'call') return [{ functionCall: { name: turn.name, args: turn.args } }];
  if (turn.kind === 'tool') {
    return [
      {
        functionCall: {
          name: 'run_shell_command',
          args: { command: turn.command, description: 'Create a marker file' },
        },
      },
    ];
  }
  return [{ text: turn.kind === 'text' ? turn.text : '' }];
}

function candidate(turn: Turn): Record<string, unknown> {
  return {
    candidates: [{ content: { role: 'model', parts: parts(turn) }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 },
  };
}

/**
 * 429 is Google's answer to an exhausted daily quota (a QuotaFailure per day), which Gemini CLI
 * reports at once; a per-minute one it would retry without end in interactive mode.
 */
function writeError(res: ServerResponse, status: 429 | 500): void {
  const error =
    status === 429
      ? {
          code: 429,
          message: 'Mock quota exceeded for metric: generate_content_requests_per_day, limit: 0',
          status: 'RESOURCE_EXHAUSTED',
          details: [
            {
              '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
              violations: [
                {
                  quotaMetric: 'generate_content_requests',
                  quotaId: 'GenerateRequestsPerDayPerProjectPerModel',
                },
              ],
            },
          ],
        }
      : { code: 500, message: 'Mock internal error', status: 'INTERNAL' };
  writeJson(res, status, { error });
}

function wantsJson(body: unknown): boolean {
  const config = isRecord(body) && isRecord(body.generationConfig) ? body.generationConfig : {};
  return config.responseMimeType === 'application/json';
}

function handle(method: string, url: string, body: unknown): VendorReply {
  const action = /:(generateContent|streamGenerateContent|countTokens)\b/.exec(url)?.[1];
  if (method !== 'POST' || action === undefined) {
    return otherReply((res) =>
      writeJson(res, 404, { error: { code: 404, message: 'not mocked', status: 'NOT_FOUND' } }),
    );
  }
  if (action === 'countTokens') return otherReply((res) => writeJson(res, 200, { totalTokens: 10 }));
  const { prompt, toolResult } = lastUserPrompt(body);
  const side = action === 'generateContent';
  const tools = toolNames(body);
  const { turn, answered } = turnFor(prompt, { toolResult, tools }, side);
  return {
    prompt,
    toolResult,
    tools,
    answered,
    write(res) {
      if (turn.kind === 'error') return writeError(res, turn.status);
      if (side) {
        const reply = wantsJson(body)
          ? { ...turn, kind: 'text' as const, text: JSON.stringify(SIDE_JSON) }
          : turn;
        return writeJson(res, 200, candidate(reply));
      }
      writeSse(res, [{ data: candidate(turn) }]);
    },
  };
}

/** Starts the mock; give Gemini CLI `GOOGLE_GEMINI_BASE_URL=<url>`. */
export function startGeminiMock(): Promise<MockModelServer> {
  return startMockServer(handle);
}
