// Per-CLI knowledge as data: which hook payloads mean which agent state, how Gemini's settings
// layer keeps the user's own context files, and which CLI gets which adapter.
import { describe, expect, it } from 'vitest';
import { adapterFor } from '../../src/agents/adapters/index.js';
import { geminiSettingsLayer } from '../../src/agents/adapters/gemini.js';
import { stripJsonComments } from '../../src/agents/json-settings.js';

const claude = adapterFor('claude');
const codex = adapterFor('codex');
const gemini = adapterFor('gemini');

describe('Claude Code hook payloads', () => {
  it.each([
    [
      { hook_event_name: 'UserPromptSubmit', prompt: 'go' },
      { state: 'working', detail: 'prompt submitted' },
    ],
    [
      { hook_event_name: 'PreToolUse', tool_name: 'Bash' },
      { state: 'working', detail: 'tool: Bash' },
    ],
    [
      { hook_event_name: 'PreToolUse', tool_name: 'AskUserQuestion' },
      { state: 'waiting', detail: 'question' },
    ],
    [
      { hook_event_name: 'PreToolUse', tool_name: 'ExitPlanMode' },
      { state: 'waiting', detail: 'plan approval' },
    ],
    [
      { hook_event_name: 'PermissionRequest', tool_name: 'Bash' },
      { state: 'waiting', detail: 'permission: Bash' },
    ],
    [
      { hook_event_name: 'Notification', notification_type: 'permission_prompt' },
      { state: 'waiting', detail: 'permission' },
    ],
    [
      { hook_event_name: 'Notification', notification_type: 'elicitation_dialog' },
      { state: 'waiting', detail: 'question' },
    ],
    [{ hook_event_name: 'Stop' }, { state: 'idle', detail: 'turn finished' }],
    [
      { hook_event_name: 'StopFailure', error: 'rate_limit' },
      { state: 'error', detail: 'rate_limit' },
    ],
    [
      { hook_event_name: 'SessionEnd', reason: 'prompt_input_exit' },
      { state: 'exited', detail: 'prompt_input_exit' },
    ],
  ])('%j → %j', (payload, signal) => {
    expect(claude.hookSignal(payload)).toEqual(signal);
  });

  it('ignores notifications that say nothing about the agent and rejects what Claude never sends', () => {
    expect(claude.hookSignal({ hook_event_name: 'Notification', notification_type: 'auth_success' })).toBe(
      'ignored',
    );
    expect(claude.hookSignal({ hook_event_name: 'Bogus' })).toBeUndefined();
    expect(claude.hookSignal('not an object')).toBeUndefined();
    expect(claude.hookSignal(null)).toBeUndefined();
    expect(claude.hookSignal({ hook_event_name: 42 })).toBeUndefined();
  });
});

describe('Codex notify payloads', () => {
  it('a finished turn is idle; its title side turn is ignored; anything else is unknown', () => {
    expect(codex.hookSignal({ type: 'agent-turn-complete', 'input-messages': ['fix the bug'] })).toEqual({
      state: 'idle',
      detail: 'turn finished',
    });
    expect(
      codex.hookSignal({
        type: 'agent-turn-complete',
        'input-messages': [
          'Generate a concise, single-line task title of at most 36 characters. Do not answer the request.\n\nUser prompt:\nfix the bug',
        ],
      }),
    ).toBe('ignored');
    expect(codex.hookSignal({ type: 'something-else' })).toBeUndefined();
  });
});

describe('Gemini CLI hook payloads', () => {
  it('maps its agent and tool events, and a tool permission notification', () => {
    expect(gemini.hookSignal({ hook_event_name: 'BeforeAgent' })).toEqual({
      state: 'working',
      detail: 'prompt submitted',
    });
    expect(gemini.hookSignal({ hook_event_name: 'AfterAgent' })).toEqual({
      state: 'idle',
      detail: 'turn finished',
    });
    expect(
      gemini.hookSignal({
        hook_event_name: 'Notification',
        notification_type: 'ToolPermission',
        details: { title: 'Shell' },
      }),
    ).toEqual({ state: 'waiting', detail: 'permission: Shell' });
    expect(gemini.hookSignal({ hook_event_name: 'Notification', notification_type: 'Other' })).toBe(
      'ignored',
    );
  });
});

describe('Gemini settings layer', () => {
  it('keeps the system settings and every context file already named, and adds AGENTS.md', () => {
    const layer = geminiSettingsLayer(
      { ui: { theme: 'x' }, context: { fileName: 'SYSTEM.md', other: 1 } },
      [{ context: { fileName: ['NOTES.md', 'SYSTEM.md'] } }, undefined],
      undefined,
    );
    expect(layer).toEqual({
      ui: { theme: 'x' },
      context: { fileName: ['SYSTEM.md', 'NOTES.md', 'AGENTS.md'], other: 1 },
    });
  });

  it('with no list anywhere keeps Gemini default GEMINI.md', () => {
    expect(geminiSettingsLayer(undefined, [undefined], undefined)).toEqual({
      context: { fileName: ['GEMINI.md', 'AGENTS.md'] },
    });
  });

  it('appends its hooks after the system layer own hooks of the same event', () => {
    const own = { matcher: '*', hooks: [{ type: 'command', command: 'mine' }] };
    const layer = geminiSettingsLayer({ hooks: { AfterAgent: [own] } }, [], 'post');
    const afterAgent = (layer.hooks as Record<string, unknown[]>).AfterAgent;
    expect(afterAgent).toEqual([own, { matcher: '*', hooks: [{ type: 'command', command: 'post' }] }]);
  });
});

describe('settings files with comments', () => {
  it('strips comments and trailing commas outside strings only', () => {
    const text = '{\n  // a comment\n  "url": "http://x//y", /* block */ "list": ["a",], "s": "x,]"\n}';
    expect(JSON.parse(stripJsonComments(text))).toEqual({ url: 'http://x//y', list: ['a'], s: 'x,]' });
  });
});

describe('adapter registry', () => {
  it('gives known CLIs their own adapter and every other CLI the generic one', () => {
    expect(['claude', 'codex', 'gemini', 'aider'].map((cli) => adapterFor(cli).cli)).toEqual([
      'claude',
      'codex',
      'gemini',
      'aider',
    ]);
    const custom = adapterFor('my-agent');
    expect(custom.cli).toBe('my-agent');
    expect(
      custom.integrate({ worktreePath: '/w', branch: 'b', agentId: 'b', privateDir: '/p', env: {} }),
    ).toEqual({
      args: [],
      env: {},
      files: [],
    });
    expect(custom.hookSignal({ hook_event_name: 'Stop' })).toBeUndefined();
  });
});

describe('MCP wiring', () => {
  const input = {
    worktreePath: '/w',
    branch: 'feat/a',
    agentId: 'feat-a',
    privateDir: '/p',
    brokerUrl: 'http://127.0.0.1:9119',
    mcpUrl: 'http://127.0.0.1:9119/mcp/feat-a',
    env: {},
  };

  it('gives Claude the broker as an HTTP MCP server whose token comes from the pane, its tools pre-approved', () => {
    const { args } = claude.integrate(input);
    const config = JSON.parse(args[args.indexOf('--mcp-config') + 1] ?? '') as unknown;
    expect(config).toEqual({
      mcpServers: {
        'git-paw': {
          type: 'http',
          url: 'http://127.0.0.1:9119/mcp/feat-a',
          headers: { Authorization: 'Bearer ${GIT_PAW_BROKER_TOKEN}' },
        },
      },
    });
    expect(args[args.indexOf('--allowedTools') + 1]).toBe(
      'mcp__git-paw__publish_status,mcp__git-paw__publish_artifact,mcp__git-paw__report_blocked,' +
        'mcp__git-paw__read_inbox,mcp__git-paw__wait_for_message,mcp__git-paw__list_peers',
    );
    // A variadic flag must be followed by another flag, or it would swallow what comes next.
    expect(args[args.indexOf('--allowedTools') + 2]).toMatch(/^--/);
  });

  it('gives Codex the server by -c flags, the token by the name of its variable, its tools approved', () => {
    const { args } = codex.integrate(input);
    expect(args.slice(2)).toEqual([
      '-c',
      'mcp_servers.git_paw.url="http://127.0.0.1:9119/mcp/feat-a"',
      '-c',
      'mcp_servers.git_paw.bearer_token_env_var="GIT_PAW_BROKER_TOKEN"',
      '-c',
      'mcp_servers.git_paw.default_tools_approval_mode="approve"',
    ]);
  });

  it('gives Gemini the server in its own settings layer, trusted, the token from the environment', () => {
    expect(geminiSettingsLayer(undefined, [], undefined, input.mcpUrl).mcpServers).toEqual({
      'git-paw': {
        httpUrl: 'http://127.0.0.1:9119/mcp/feat-a',
        headers: { Authorization: 'Bearer $GIT_PAW_BROKER_TOKEN' },
        trust: true,
      },
    });
  });

  it('adds no MCP server when MCP is off', () => {
    const { mcpUrl: _off, ...withoutMcp } = input;
    expect(claude.integrate(withoutMcp).args).not.toContain('--mcp-config');
  });
});
