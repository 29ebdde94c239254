// Codex CLI. It reads AGENTS.md by itself. State comes from its `notify` program, given for this
// session only with `-c` (no trust needed): it runs after every turn with the turn's JSON as its
// last argument, which a tiny shell command posts to the broker. Waiting and working come from
// the screen: Codex's own hooks stay unused, because they do not fire until the user has
// reviewed them in a dialog, which git-paw must not answer for the user.
import {
  stringField,
  type AgentAdapter,
  type HookSignal,
  type Integration,
  type IntegrationInput,
} from '../adapter.js';
import { eventsUrl, postPayloadScript, TOKEN_ENV } from '../hook-command.js';
import { isJsonObject } from '../json-settings.js';
import { COMMON_SCREEN_RULES } from './generic.js';

/** A TOML array of strings (JSON string syntax is valid TOML basic-string syntax). */
function tomlStringArray(words: readonly string[]): string {
  return `[${words.map((word) => JSON.stringify(word)).join(',')}]`;
}

/** Codex's key for git-paw's MCP server (its `mcp_servers` keys are TOML bare keys). */
const CODEX_MCP_SERVER = 'git_paw';

/**
 * The broker's MCP server for this session only: Codex reads the bearer token from the named
 * variable of the pane, so it is never on a command line; git-paw's tools (which only talk to the
 * local broker) are approved, or each status report would stop at an approval prompt.
 */
function mcpArgs(url: string): string[] {
  const key = `mcp_servers.${CODEX_MCP_SERVER}`;
  return [
    '-c',
    `${key}.url=${JSON.stringify(url)}`,
    '-c',
    `${key}.bearer_token_env_var=${JSON.stringify(TOKEN_ENV)}`,
    '-c',
    `${key}.default_tools_approval_mode="approve"`,
  ];
}

function integrate(input: IntegrationInput): Integration {
  if (input.brokerUrl === undefined) return { args: [], env: {}, files: [] };
  const script = postPayloadScript(eventsUrl(input.brokerUrl, input.agentId), 'arg');
  return {
    args: [
      '-c',
      `notify=${tomlStringArray(['sh', '-c', script, 'git-paw-notify'])}`,
      ...(input.mcpUrl === undefined ? [] : mcpArgs(input.mcpUrl)),
    ],
    env: {},
    files: [],
  };
}

/**
 * The interactive UI also reports a side turn in which it asks the model for a title of the task
 * ("Generate a concise, single-line task title … User prompt: …"); that turn says nothing about
 * the agent's work, and it may arrive while a dialog of the real turn is still open.
 */
function isTitleTurn(payload: unknown): boolean {
  const inputs = isJsonObject(payload) ? payload['input-messages'] : undefined;
  if (!Array.isArray(inputs)) return false;
  return inputs.some(
    (text) => typeof text === 'string' && /\btask title\b/i.test(text) && /\bUser prompt:/.test(text),
  );
}

function hookSignal(payload: unknown): HookSignal | 'ignored' | undefined {
  if (stringField(payload, 'type') !== 'agent-turn-complete') return undefined;
  if (isTitleTurn(payload)) return 'ignored';
  return { state: 'idle', detail: 'turn finished' };
}

export const codexAdapter: AgentAdapter = {
  cli: 'codex',
  instructions: 'reads AGENTS.md itself',
  mcp: true,
  integrate,
  hookSignal,
  screenRules: [
    {
      pattern: /Would you like to run the following command\?/,
      state: 'waiting',
      detail: 'approval: command',
    },
    { pattern: /Would you like to make the following edits\?/, state: 'waiting', detail: 'approval: edits' },
    // An MCP tool the user has not approved (git-paw's own are approved at launch).
    { pattern: /Allow the \S+ MCP server to run tool /, state: 'waiting', detail: 'approval: MCP tool' },
    {
      pattern: /Trust this folder\?|Do you trust the contents of this directory\?/,
      state: 'waiting',
      detail: 'trust screen',
    },
    { pattern: /Hooks need review/, state: 'waiting', detail: 'hooks review' },
    { pattern: /Sign in with ChatGPT|Provide your own API key/, state: 'waiting', detail: 'sign-in screen' },
    // API errors reach neither notify nor hooks; the screen shows them on a line of their own.
    { pattern: /^■ .*\b(?:exceeded retry limit|last status: \d{3})/m, state: 'error', detail: 'API error' },
    { pattern: /^■ .*experiencing high demand/m, state: 'error', detail: 'server error' },
    ...COMMON_SCREEN_RULES,
  ],
};
