// What the session shows and tells about its agents, end to end (built CLI, private tmux server,
// the real broker process): a `waiting` hook changes the session's status line and the agent's
// pane label, a client attached to the session gets a tmux message, the user's notification
// command runs with the agent in its environment, an agent flapping twenty times in a second is
// notified once, and a bad `[notifications]` value is a config error naming file, line and key.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pollUntil } from '../helpers/poll.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { listPanes, skipWithoutTmux } from '../helpers/tmux.js';
import { httpRequest } from '../helpers/broker-harness.js';
import { brokerOf, enableBroker } from '../helpers/broker-session.js';
import { paw, pawOk } from '../helpers/lifecycle.js';

let sandbox: Sandbox;
let client: ChildProcess | undefined;
beforeEach(() => {
  sandbox = createSandbox();
  sandbox.fakeCli('claude');
});
afterEach(() => {
  client?.kill();
  client = undefined;
  sandbox.cleanup();
});

/** A terminal attached to the session, as a user's would be (through `script` for a pty). */
function attachClient(): void {
  client = spawn('script', ['-qfc', 'tmux attach-session -t =paw-proj', '/dev/null'], {
    env: { ...sandbox.env, TERM: 'xterm-256color' },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
}

async function hook(agent: string, event: string, extra: Record<string, unknown> = {}): Promise<void> {
  const broker = brokerOf(sandbox);
  const reply = await httpRequest(broker.port, {
    method: 'POST',
    path: `/events/${agent}`,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${broker.token}` },
    body: JSON.stringify({ session_id: 's', cwd: '/w', hook_event_name: event, ...extra }),
  });
  if (reply.status !== 202)
    throw new Error(`event ${event} for ${agent} answered ${reply.status}: ${reply.body}`);
}

function notifiedLines(file: string): string[] {
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
    : [];
}

const AGENT_LINE = `"%s %s %s|%s\\n" "$GIT_PAW_AGENT" "$GIT_PAW_STATE" "$GIT_PAW_BRANCH" "$GIT_PAW_SUMMARY"`;

/** Starts a session whose notification command appends `printf <printfArgs>` to the returned file. */
async function startWithCommand(printfArgs = AGENT_LINE, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const file = join(sandbox.root, 'notified.txt');
  await enableBroker(sandbox, `[notifications]\ncommand = 'printf ${printfArgs} >> ${file}'\n`);
  await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/b'], { env });
  attachClient();
  await pollUntil(
    () => sandbox.tmux(['list-clients', '-t', '=paw-proj', '-F', '#{client_name}']),
    (clients) => clients !== '',
    { what: 'a client attached to the session' },
  );
  // The broker's attention monitor listens for changes before it sets up the status line: a
  // state decided earlier (the broker starting up) has no transition to notify.
  await pollUntil(
    () => sandbox.tmux(['show-options', '-t', '=paw-proj:', 'status-right']),
    (option) => option.includes('@paw_status'),
    { what: "the broker's status-line set-up" },
  );
  return file;
}

describe.skipIf(skipWithoutTmux)('status line and notifications', () => {
  it('a waiting agent shows on the status line and its pane label, as a tmux message, and runs the command', async () => {
    const file = await startWithCommand();
    await hook('feat-a', 'PermissionRequest', { tool_name: 'Bash' });

    const statusRight = await pollUntil(
      () => sandbox.tmux(['display-message', '-p', '-t', '=paw-proj:', '#{E:status-right}']),
      (text) => text.includes('⏳ 1 waiting'),
      { what: 'the waiting count on the status line' },
    );
    // The user's own status-right (tmux's default shows the time) is still there after it.
    expect(statusRight).toMatch(/⏳ 1 waiting │ .*\d\d:\d\d/);
    await pollUntil(
      () => listPanes(sandbox, 'paw-proj').map((pane) => pane.rawLabel),
      (labels) => labels.includes('feat/a → claude ⏳'),
      { what: 'the waiting icon on the pane label' },
    );
    await pollUntil(
      () => sandbox.tmux(['show-messages']),
      (log) => log.includes('message: git-paw: feat/a → claude ⏳ waiting · permission: Bash'),
      { what: 'the notification in the message log' },
    );
    expect(
      await pollUntil(
        () => notifiedLines(file),
        (lines) => lines.length > 0,
      ),
    ).toEqual(['feat-a waiting feat/a|permission: Bash']);
    // The other session-wide options of the user are untouched: only this session's status-right.
    expect(sandbox.tmux(['show-options', '-gv', 'status-right'])).not.toContain('paw_status');
  });

  it("the broker starts without the user's NODE_EXTRA_CA_CERTS, which its commands and the agents still get", async () => {
    // Node reads that file at every start; the broker makes no TLS connection, the agents do.
    const certs = join(sandbox.root, 'extra-ca.pem');
    writeFileSync(certs, '');
    const file = await startWithCommand(`"%s|%s\\n" "$NODE_EXTRA_CA_CERTS" "\${GIT_PAW_NODE_EXTRA_CA_CERTS-unset}"`, {
      NODE_EXTRA_CA_CERTS: certs,
    });
    const environ = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const status = await httpRequest(brokerOf(sandbox).port, { path: '/status' });
    const serverPid = (JSON.parse(status.body) as { pid: number }).pid;
    expect(environ(serverPid).filter((entry) => entry.startsWith('NODE_EXTRA_CA_CERTS='))).toEqual([]);
    const agentPane = listPanes(sandbox, 'paw-proj').find((pane) => pane.label === 'feat/a → claude');
    const shellPid = Number(sandbox.tmux(['display-message', '-p', '-t', agentPane?.id ?? '', '#{pane_pid}']));
    expect(environ(shellPid)).toContain(`NODE_EXTRA_CA_CERTS=${certs}`);

    await hook('feat-a', 'PermissionRequest', { tool_name: 'Bash' });
    expect(
      await pollUntil(
        () => notifiedLines(file),
        (lines) => lines.length > 0,
        { what: 'the notification command run' },
      ),
    ).toEqual([`${certs}|unset`]);
  });

  it('twenty flaps in a second are one notification', async () => {
    const file = await startWithCommand();
    for (let flap = 0; flap < 10; flap += 1) {
      await hook('feat-b', 'PermissionRequest', { tool_name: 'Bash' });
      await hook('feat-b', 'PostToolUse', { tool_name: 'Bash' });
    }
    await hook('feat-b', 'PermissionRequest', { tool_name: 'Bash' });
    await pollUntil(
      () => notifiedLines(file),
      (lines) => lines.length > 0,
      { what: 'the first notification' },
    );
    // A later event of another agent is sent after anything the flaps could still cause.
    await hook('feat-a', 'StopFailure', { error: 'rate_limit' });
    const lines = await pollUntil(
      () => notifiedLines(file),
      (seen) => seen.some((line) => line.startsWith('feat-a error')),
      { what: 'the notification of feat-a' },
    );
    expect(lines.filter((line) => line.startsWith('feat-b'))).toEqual([
      'feat-b waiting feat/b|permission: Bash',
    ]);
  });

  it('a bad [notifications] value is a config error naming file, line and key', async () => {
    sandbox.writeRepoConfig('[notifications]\nbell = true\non = ["waiting", "wating"]\n');
    const result = await paw(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toMatch(
      /^error: Config error: .*\.git-paw\/config\.toml: line 3: notifications\.on\.1: expected "waiting" or .* got "wating"$/,
    );
  });
});
