// Claude Code. It reads CLAUDE.md, never AGENTS.md, so the worktree's AGENTS.md (the branch's own
// text plus git-paw's section) is appended to its system prompt with a flag: no file is added to
// the worktree and a committed CLAUDE.md is still read as usual. State comes from hooks given for
// this session only (a `--settings` file outside the worktree, which adds to the user's own hooks). They are tiny
// command hooks rather than Claude's `http` hooks: an `http` hook that cannot reach the broker
// prints an error into the agent's pane, a command hook stays silent whatever happens (and only
// command hooks see SessionStart).
import { AGENTS_MD } from '../../agents-md/exclude.js';
import { join } from 'node:path';
import {
  stringField,
  withTool,
  type AgentAdapter,
  type HookSignal,
  type Integration,
  type IntegrationInput,
} from '../adapter.js';
import { eventsUrl, postPayloadScript, shCommand, TOKEN_ENV } from '../hook-command.js';
import { MCP_SERVER_NAME, MCP_TOOL_NAMES } from '../mcp-tools.js';
import { COMMON_SCREEN_RULES } from './generic.js';

/** Tools through which the model asks the human something rather than acting. */
const QUESTION_TOOLS: Readonly<Record<string, string>> = {
  AskUserQuestion: 'question',
  ExitPlanMode: 'plan approval',
};

/** The events git-paw listens to; the tool events need a matcher, the others take none. */
const TOOL_EVENTS = ['PreToolUse', 'PostToolUse', 'PermissionRequest'];
const OTHER_EVENTS = [
  'SessionStart',
  'UserPromptSubmit',
  'Notification',
  'Stop',
  'StopFailure',
  'SessionEnd',
];

function hookSettings(url: string): string {
  const handler = { type: 'command', command: shCommand(postPayloadScript(url, 'stdin')), timeout: 2 };
  const hooks: Record<string, unknown[]> = {};
  for (const event of TOOL_EVENTS) hooks[event] = [{ matcher: '*', hooks: [handler] }];
  for (const event of OTHER_EVENTS) hooks[event] = [{ hooks: [handler] }];
  return JSON.stringify({ hooks });
}

/** git-paw's MCP tools as Claude names them: `mcp__<server>__<tool>`. */
export const CLAUDE_MCP_TOOLS = MCP_TOOL_NAMES.map((tool) => `mcp__${MCP_SERVER_NAME}__${tool}`);

/**
 * The broker's MCP server for this session only (`--mcp-config` adds to the user's servers). Claude
 * fills `${VAR}` in the header from the pane's environment, so the token is never on a command
 * line. git-paw's own tools are pre-approved: they only talk to the local broker, and a permission
 * prompt for every status report would turn each report into a `waiting` state.
 */
function mcpArgs(url: string): string[] {
  const config = {
    mcpServers: {
      [MCP_SERVER_NAME]: { type: 'http', url, headers: { Authorization: `Bearer \${${TOKEN_ENV}}` } },
    },
  };
  return ['--mcp-config', JSON.stringify(config), '--allowedTools', CLAUDE_MCP_TOOLS.join(',')];
}

function integrate(input: IntegrationInput): Integration {
  const args = ['--append-system-prompt-file', join(input.worktreePath, AGENTS_MD)];
  if (input.mcpUrl !== undefined) args.push(...mcpArgs(input.mcpUrl));
  if (input.brokerUrl === undefined) return { args, env: {}, files: [] };
  // A file rather than inline JSON keeps the command typed into the pane short.
  const settings = join(input.privateDir, 'claude-settings.json');
  return {
    args: [...args, '--settings', settings],
    env: {},
    files: [{ path: settings, content: `${hookSettings(eventsUrl(input.brokerUrl, input.agentId))}\n` }],
  };
}

/** The first non-empty text among a failure payload's likely fields. */
function failureReason(payload: unknown): string {
  for (const key of ['error', 'error_type', 'reason', 'stop_reason', 'message']) {
    const value = stringField(payload, key);
    if (value !== '') return value;
  }
  return 'API error';
}

function hookSignal(payload: unknown): HookSignal | 'ignored' | undefined {
  const tool = stringField(payload, 'tool_name');
  switch (stringField(payload, 'hook_event_name')) {
    case 'SessionStart':
      return { state: 'idle', detail: 'session started' };
    case 'UserPromptSubmit':
      return { state: 'working', detail: 'prompt submitted' };
    case 'PreToolUse': {
      const question = QUESTION_TOOLS[tool];
      return question === undefined
        ? { state: 'working', detail: withTool('tool', tool) }
        : { state: 'waiting', detail: question };
    }
    case 'PostToolUse':
      return { state: 'working', detail: withTool('tool done', tool) };
    case 'PermissionRequest':
      return { state: 'waiting', detail: withTool('permission', tool) };
    case 'Notification':
      return notificationSignal(stringField(payload, 'notification_type'));
    case 'Stop':
      return { state: 'idle', detail: 'turn finished' };
    case 'StopFailure':
      return { state: 'error', detail: failureReason(payload) };
    case 'SessionEnd':
      return { state: 'exited', detail: stringField(payload, 'reason') || 'session ended' };
    default:
      return undefined;
  }
}

function notificationSignal(type: string): HookSignal | 'ignored' {
  if (type === 'permission_prompt') return { state: 'waiting', detail: 'permission' };
  if (type === 'elicitation_dialog') return { state: 'waiting', detail: 'question' };
  if (type === 'idle_prompt') return { state: 'idle', detail: 'waiting for a prompt' };
  return 'ignored';
}

export const claudeAdapter: AgentAdapter = {
  cli: 'claude',
  instructions:
    'AGENTS.md appended to the system prompt (`--append-system-prompt-file`); its own CLAUDE.md as usual',
  mcp: true,
  integrate,
  hookSignal,
  screenRules: [
    {
      pattern: /Do you trust the files in this folder\?|Quick safety check/,
      state: 'waiting',
      detail: 'trust screen',
    },
    { pattern: /Use this custom API key\?/, state: 'waiting', detail: 'API key screen' },
    { pattern: /Select login method|Log in with your/, state: 'waiting', detail: 'sign-in screen' },
    ...COMMON_SCREEN_RULES,
  ],
};
