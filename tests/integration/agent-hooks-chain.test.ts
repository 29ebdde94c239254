// The whole chain without a real AI CLI: a launch gives the agent's CLI its hook settings, the CLI
// runs the configured hook commands with event JSON on stdin (as Claude Code does), and the
// session's own broker turns them into the agent's state on `git paw status --json`. The fake
// CLI fires PermissionRequest once `start` has returned (the broker then answers: a pane's
// program may start before it does) and Stop when the test allows it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pollUntil } from '../helpers/poll.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { skipWithoutTmux } from '../helpers/tmux.js';
import { paw, pawOk } from '../helpers/lifecycle.js';

interface AgentJson {
  agent_id: string;
  state: string;
  state_source: string;
  state_detail: string;
}

/** Runs the hook command its `--settings` file gives for `event`, with `payload` on stdin. */
const FIRE = `const [settingsPath, event, payload] = process.argv.slice(1);
const settings = JSON.parse(require('fs').readFileSync(settingsPath, 'utf8'));
const command = settings.hooks[event][0].hooks[0].command;
require('child_process').execSync(command, { input: payload, stdio: ['pipe', 'inherit', 'inherit'] });`;

function hookFiringClaude(sandbox: Sandbox, go: string, release: string): void {
  sandbox.fakeCli(
    'claude',
    // The settings file is the argument after --settings, wherever git-paw puts it.
    `#!/bin/sh\nwhile [ $# -gt 0 ]; do [ "$1" = --settings ] && settings="$2"; shift; done\nwhile [ ! -e '${go}' ]; do sleep 0.05; done\n` +
      `node -e "$FIRE" "$settings" PermissionRequest '{"hook_event_name":"PermissionRequest","tool_name":"Bash"}'\n` +
      `while [ ! -e '${release}' ]; do sleep 0.05; done\n` +
      `node -e "$FIRE" "$settings" Stop '{"hook_event_name":"Stop"}'\necho FAKE-CLI claude done\nexec sleep 3600\n`,
  );
}

async function agentState(sandbox: Sandbox, want: string): Promise<AgentJson> {
  const agents = await pollUntil(
    async () => {
      const result = await paw(sandbox, ['status', '--json']);
      return (JSON.parse(result.stdout) as { broker?: { agents?: AgentJson[] } }).broker?.agents ?? [];
    },
    (list) => list[0]?.state === want,
    { what: `agent state ${want}` },
  );
  return agents[0] as AgentJson;
}

describe.skipIf(skipWithoutTmux)('hooks reach the broker', () => {
  let sandbox: Sandbox;
  beforeEach(() => {
    sandbox = createSandbox();
  });
  afterEach(() => sandbox.cleanup());

  it('a permission request shows as waiting on the tool, the end of the turn as idle', async () => {
    const go = join(sandbox.root, 'go');
    const release = join(sandbox.root, 'release');
    hookFiringClaude(sandbox, go, release);
    sandbox.writeRepoConfig('[broker]\nenabled = true\n');
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat-a', '--no-attach'], {
      env: { ...sandbox.env, FIRE },
    });

    writeFileSync(go, '');
    const waiting = await agentState(sandbox, 'waiting');
    expect(waiting).toMatchObject({
      agent_id: 'feat-a',
      state_source: 'hook',
      state_detail: 'permission: Bash',
    });
    writeFileSync(release, '');
    const idle = await agentState(sandbox, 'idle');
    expect(idle).toMatchObject({ state_source: 'hook', state_detail: 'turn finished' });
  });
});
