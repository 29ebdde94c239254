// Gemini CLI. It reads GEMINI.md only, unless `context.fileName` names other files; and it hooks
// up command hooks from its settings. Both are given for this session only, in a settings layer
// outside the worktree that git-paw writes and points GEMINI_CLI_SYSTEM_SETTINGS_PATH at. That
// layer replaces the system layer and its `context.fileName` replaces the user's list, so the file
// starts from the system settings that were in force and lists every context file the user and
// the project already name, plus AGENTS.md. Hooks from the layer add to the user's own.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AGENTS_MD } from '../../agents-md/exclude.js';
import {
  stringField,
  withTool,
  type AgentAdapter,
  type HookSignal,
  type Integration,
  type IntegrationInput,
} from '../adapter.js';
import { eventsUrl, postPayloadScript, shCommand, TOKEN_ENV } from '../hook-command.js';
import { MCP_SERVER_NAME } from '../mcp-tools.js';
import { isJsonObject, readJsonSettings, type JsonObject } from '../json-settings.js';
import { COMMON_SCREEN_RULES } from './generic.js';

export const SYSTEM_SETTINGS_ENV = 'GEMINI_CLI_SYSTEM_SETTINGS_PATH';
const DEFAULT_SYSTEM_SETTINGS = '/etc/gemini-cli/settings.json';
const DEFAULT_CONTEXT_FILE = 'GEMINI.md';
const HOOK_EVENTS = [
  'SessionStart',
  'BeforeAgent',
  'BeforeTool',
  'AfterTool',
  'Notification',
  'AfterAgent',
  'SessionEnd',
];

/** The `context.fileName` list of a settings object (a string or an array of strings). */
export function contextFileNames(settings: JsonObject | undefined): string[] {
  const context = settings?.context;
  if (!isJsonObject(context)) return [];
  const names = context.fileName;
  if (typeof names === 'string') return [names];
  return Array.isArray(names) ? names.filter((name): name is string => typeof name === 'string') : [];
}

/**
 * The settings layer for one agent: the system settings in force, `context.fileName` as the
 * union of every list (or Gemini's default) plus AGENTS.md, and the hooks (when a broker runs)
 * appended to the system layer's own.
 */
export function geminiSettingsLayer(
  system: JsonObject | undefined,
  otherLayers: readonly (JsonObject | undefined)[],
  hookCommand: string | undefined,
  mcpUrl?: string,
): JsonObject {
  const named = [system, ...otherLayers].flatMap(contextFileNames);
  const fileNames = [...new Set([...(named.length > 0 ? named : [DEFAULT_CONTEXT_FILE]), AGENTS_MD])];
  const layer: JsonObject = {
    ...system,
    context: { ...(isJsonObject(system?.context) ? system.context : {}), fileName: fileNames },
  };
  if (hookCommand !== undefined) {
    const hooks: JsonObject = isJsonObject(system?.hooks) ? { ...system.hooks } : {};
    for (const event of HOOK_EVENTS) {
      const own = Array.isArray(hooks[event]) ? (hooks[event] as unknown[]) : [];
      hooks[event] = [...own, { matcher: '*', hooks: [{ type: 'command', command: hookCommand }] }];
    }
    layer.hooks = hooks;
  }
  if (mcpUrl !== undefined) {
    // Gemini fills `$VAR` in settings from the environment, so the token stays in the pane's env;
    // `trust` skips confirmations for this server's tools only (they only talk to the broker).
    const servers = isJsonObject(system?.mcpServers) ? system.mcpServers : {};
    layer.mcpServers = {
      ...servers,
      [MCP_SERVER_NAME]: {
        httpUrl: mcpUrl,
        headers: { Authorization: `Bearer $${TOKEN_ENV}` },
        trust: true,
      },
    };
  }
  return layer;
}

function integrate(input: IntegrationInput): Integration {
  const home = input.env.HOME ?? homedir();
  const systemPath = input.env[SYSTEM_SETTINGS_ENV] || DEFAULT_SYSTEM_SETTINGS;
  const hookCommand =
    input.brokerUrl === undefined
      ? undefined
      : shCommand(postPayloadScript(eventsUrl(input.brokerUrl, input.agentId), 'stdin'));
  const layer = geminiSettingsLayer(
    readJsonSettings(systemPath),
    [
      readJsonSettings(join(home, '.gemini', 'settings.json')),
      readJsonSettings(join(input.worktreePath, '.gemini', 'settings.json')),
    ],
    hookCommand,
    input.mcpUrl,
  );
  const path = join(input.privateDir, 'gemini-settings.json');
  return {
    args: [],
    env: { [SYSTEM_SETTINGS_ENV]: path },
    files: [{ path, content: `${JSON.stringify(layer, null, 2)}\n` }],
  };
}

function hookSignal(payload: unknown): HookSignal | 'ignored' | undefined {
  const tool = stringField(payload, 'tool_name');
  switch (stringField(payload, 'hook_event_name')) {
    case 'SessionStart':
      return { state: 'idle', detail: 'session started' };
    case 'BeforeAgent':
      return { state: 'working', detail: 'prompt submitted' };
    case 'BeforeTool':
      return { state: 'working', detail: withTool('tool', tool) };
    case 'AfterTool':
      return { state: 'working', detail: withTool('tool done', tool) };
    case 'Notification':
      return stringField(payload, 'notification_type') === 'ToolPermission'
        ? { state: 'waiting', detail: permissionDetail(payload) }
        : 'ignored';
    case 'AfterAgent':
      return { state: 'idle', detail: 'turn finished' };
    case 'SessionEnd':
      return { state: 'exited', detail: stringField(payload, 'reason') || 'session ended' };
    default:
      return undefined;
  }
}

/** `permission: <tool>` from a ToolPermission notification (the tool sits in its details). */
function permissionDetail(payload: unknown): string {
  const details = isJsonObject(payload) ? payload.details : undefined;
  const tool =
    stringField(payload, 'tool_name') ||
    stringField(details, 'tool_name') ||
    stringField(details, 'toolName') ||
    stringField(details, 'title');
  return withTool('permission', tool);
}

export const geminiAdapter: AgentAdapter = {
  cli: 'gemini',
  instructions:
    'AGENTS.md added to `context.fileName` in a settings layer of its own; its own GEMINI.md as usual',
  mcp: true,
  integrate,
  hookSignal,
  screenRules: [
    { pattern: /Allow execution of/, state: 'waiting', detail: 'permission dialog' },
    { pattern: /Do you trust the files in this folder\?/, state: 'waiting', detail: 'trust screen' },
    { pattern: /How would you like to authenticate/, state: 'waiting', detail: 'sign-in screen' },
    // A quota error reaches no hook: Gemini asks on screen whether to keep trying.
    { pattern: /Usage limit reached for /, state: 'error', detail: 'usage limit' },
    ...COMMON_SCREEN_RULES,
  ],
};
