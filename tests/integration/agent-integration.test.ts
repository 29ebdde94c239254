// What each known CLI's pane is started with: the flags, variables and private settings files of
// its adapter, so that the CLI reads the agent's AGENTS.md and reports its state to the broker —
// and nothing of it in the worktree, where `git status` stays clean. Fake CLIs record their
// arguments and environment in files outside the repo.
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pollUntil } from '../helpers/poll.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { skipWithoutTmux } from '../helpers/tmux.js';
import { pawOk, readState, sessionsDirOf, worktreeDir } from '../helpers/lifecycle.js';

const CLIS = ['claude', 'codex', 'gemini', 'aider'];

/** A fake CLI that writes its arguments and Gemini's settings variable to `<root>/seen/<cli>-<dir>`. */
function recordingCli(sandbox: Sandbox, name: string): void {
  const seen = join(sandbox.root, 'seen');
  sandbox.fakeCli(
    name,
    `#!/bin/sh\nmkdir -p '${seen}'\nout='${seen}'/${name}-$(basename "$PWD")\n` +
      `: > "$out.args"\nfor a in "$@"; do printf '%s\\n' "$a" >> "$out.args"; done\nprintf '%s' "$GEMINI_CLI_SYSTEM_SETTINGS_PATH" > "$out.env"\n` +
      `echo "FAKE-CLI ${name} ready"\nexec sleep 3600\n`,
  );
}

async function seenArgs(sandbox: Sandbox, cli: string, slug: string): Promise<string[]> {
  const path = join(sandbox.root, 'seen', `${cli}-proj-${slug}.args`);
  const text = await pollUntil(
    () => (existsSync(path) ? readFileSync(path, 'utf8') : undefined),
    (value) => value !== undefined,
    { what: `${cli} to start in worktree ${slug}` },
  );
  return (text ?? '').split('\n').slice(0, -1);
}

describe.skipIf(skipWithoutTmux)('agent integration: what each CLI is started with', () => {
  let sandbox: Sandbox;
  beforeEach(() => {
    sandbox = createSandbox();
    for (const cli of CLIS) recordingCli(sandbox, cli);
  });
  afterEach(() => sandbox.cleanup());

  /** One session, one agent per known CLI (branch `feat-<cli>`), from markdown specs. */
  async function launchEveryCli(repoConfig: string): Promise<void> {
    sandbox.writeRepoConfig(`branch_prefix = ""\n${repoConfig}[specs]\ntype = "markdown"\n`);
    for (const cli of CLIS) {
      sandbox.writeFile(
        `proj/specs/${cli}.md`,
        `---\npaw_status: pending\npaw_branch: feat-${cli}\npaw_cli: ${cli}\n---\nWork.\n`,
      );
    }
    await pawOk(sandbox, ['start', '--from-specs', '--no-attach']);
  }

  it('each known CLI gets its instructions and hooks; files outside the worktree; git status clean; purge removes them', async () => {
    // The user's own Gemini context files must stay in force next to AGENTS.md.
    sandbox.writeFile(
      'home/.gemini/settings.json',
      '{\n  // mine\n  "context": { "fileName": ["NOTES.md"] },\n}\n',
    );
    await launchEveryCli('[broker]\nenabled = true\n');
    const agentsDir = join(sessionsDirOf(sandbox), 'paw-proj.agents');
    const claudeArgs = await seenArgs(sandbox, 'claude', 'feat-claude');
    const settingsPath = join(agentsDir, 'feat-claude', 'claude-settings.json');
    const { broker_port: port } = readState(sandbox) as { broker_port?: number };
    const mcpUrl = `http://127.0.0.1:${port}/mcp/feat-claude`;
    expect(claudeArgs).toEqual([
      '--append-system-prompt-file',
      join(worktreeDir(sandbox, 'feat-claude'), 'AGENTS.md'),
      '--mcp-config',
      JSON.stringify({
        mcpServers: {
          'git-paw': {
            type: 'http',
            url: mcpUrl,
            headers: { Authorization: 'Bearer ${GIT_PAW_BROKER_TOKEN}' },
          },
        },
      }),
      '--allowedTools',
      expect.stringMatching(/^mcp__git-paw__publish_status,/),
      '--settings',
      settingsPath,
    ]);
    expect(statSync(settingsPath).mode & 0o777).toBe(0o600);
    expect(statSync(join(agentsDir, 'feat-claude')).mode & 0o777).toBe(0o700);
    const settings = JSON.parse(readFileSync(settingsPath, 'utf8')) as {
      hooks: Record<string, { hooks: { command: string }[] }[]>;
    };
    expect(Object.keys(settings.hooks).sort()).toEqual([
      'Notification',
      'PermissionRequest',
      'PostToolUse',
      'PreToolUse',
      'SessionEnd',
      'SessionStart',
      'Stop',
      'StopFailure',
      'UserPromptSubmit',
    ]);
    expect(settings.hooks.Stop?.[0]?.hooks[0]?.command).toMatch(/\/events\/feat-claude\b/);

    const geminiSettingsPath = join(agentsDir, 'feat-gemini', 'gemini-settings.json');
    expect(await seenArgs(sandbox, 'gemini', 'feat-gemini')).toEqual([]);
    expect(readFileSync(join(sandbox.root, 'seen', 'gemini-proj-feat-gemini.env'), 'utf8')).toBe(
      geminiSettingsPath,
    );
    const layer = JSON.parse(readFileSync(geminiSettingsPath, 'utf8')) as {
      context: { fileName: string[] };
      hooks: Record<string, { hooks: { command: string }[] }[]>;
    };
    expect(layer.context.fileName).toEqual(['NOTES.md', 'AGENTS.md']);
    expect(layer.hooks.AfterAgent?.[0]?.hooks[0]?.command).toMatch(/\/events\/feat-gemini\b/);

    const codexArgs = await seenArgs(sandbox, 'codex', 'feat-codex');
    expect(codexArgs[0]).toBe('-c');
    expect(codexArgs[1]).toMatch(/^notify=\["sh","-c",".*\/events\/feat-codex.*","git-paw-notify"\]$/);
    expect(await seenArgs(sandbox, 'aider', 'feat-aider')).toEqual(['--read', 'AGENTS.md']);

    for (const cli of CLIS)
      expect(sandbox.git(['status', '--porcelain'], worktreeDir(sandbox, `feat-${cli}`))).toBe('');

    await pawOk(sandbox, ['purge', '--force']);
    expect(existsSync(agentsDir)).toBe(false);
  });

  it('recovery writes the agents settings files again', async () => {
    await launchEveryCli('[broker]\nenabled = true\n');
    const settingsPath = join(
      sessionsDirOf(sandbox),
      'paw-proj.agents',
      'feat-claude',
      'claude-settings.json',
    );
    await seenArgs(sandbox, 'claude', 'feat-claude');
    await pawOk(sandbox, ['stop']);
    rmSync(settingsPath);
    rmSync(join(sandbox.root, 'seen'), { recursive: true });
    await pawOk(sandbox, ['start', '--no-attach']);
    expect(await seenArgs(sandbox, 'claude', 'feat-claude')).toContain(settingsPath);
    expect(readFileSync(settingsPath, 'utf8')).toMatch(/\/events\/feat-claude\b/);
  });

  it('without a broker the instructions still reach every CLI, and no hooks are configured', async () => {
    await launchEveryCli('[broker]\nenabled = false\n');
    expect(await seenArgs(sandbox, 'claude', 'feat-claude')).toEqual([
      '--append-system-prompt-file',
      join(worktreeDir(sandbox, 'feat-claude'), 'AGENTS.md'),
    ]);
    expect(await seenArgs(sandbox, 'codex', 'feat-codex')).toEqual([]);
    const layerPath = readFileSync(join(sandbox.root, 'seen', 'gemini-proj-feat-gemini.env'), 'utf8');
    await seenArgs(sandbox, 'gemini', 'feat-gemini');
    expect(JSON.parse(readFileSync(layerPath, 'utf8'))).toEqual({
      context: { fileName: ['GEMINI.md', 'AGENTS.md'] },
    });
  });

  it('integrate = false starts that CLI exactly as configured, the others still integrated', async () => {
    await launchEveryCli('[broker]\nenabled = true\n[clis.claude]\nintegrate = false\n');
    expect(await seenArgs(sandbox, 'claude', 'feat-claude')).toEqual([]);
    expect(await seenArgs(sandbox, 'aider', 'feat-aider')).toEqual(['--read', 'AGENTS.md']);
  });
});
