// The broker token never appears on a command line (other local users
// can read every process's argv in /proc/<pid>/cmdline). A broker session is launched — and
// recovered — through the built CLI with a `tmux` wrapper first on PATH that logs the argv of
// every tmux invocation; then every process's command line is scanned. The agent panes still
// get the token and publish with it, and the broker still requires it after the broker
// window's loop restarted it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { which } from '../../src/util/which.js';
import { pollUntil } from '../helpers/poll.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { listPanes, skipWithoutTmux, waitForPaneText } from '../helpers/tmux.js';
import { httpRequest } from '../helpers/broker-harness.js';
import {
  brokerOf,
  brokerStatus,
  enableBroker,
  publishTo,
  type SessionBroker,
} from '../helpers/broker-session.js';
import { pawOk, sessionsDirOf } from '../helpers/lifecycle.js';

/**
 * Publishes its status the way the skill does (token on curl's stdin), shows the answer, waits.
 * A pane's program may start before the broker answers, so it retries (as agents do) until the
 * broker gives any HTTP reply, for up to 20 s.
 */
const PUBLISHING_CLI = `#!/bin/sh
tries=0
while :; do
  code=$(printf 'Authorization: Bearer %s\\n' "$GIT_PAW_BROKER_TOKEN" |
    curl -sS -o /dev/null -w '%{http_code}' -H @- -H 'Content-Type: application/json' \\
      -d "{\\"type\\":\\"agent.status\\",\\"agent_id\\":\\"$GIT_PAW_AGENT_ID\\",\\"payload\\":{\\"status\\":\\"from-pane\\",\\"modified_files\\":[]}}" \\
      "$GIT_PAW_BROKER_URL/publish" 2>/dev/null)
  [ "$code" != 000 ] && break
  tries=$((tries + 1))
  [ "$tries" -ge 200 ] && break
  sleep 0.1
done
echo "FAKE-CLI $GIT_PAW_AGENT_ID token=\${GIT_PAW_BROKER_TOKEN:+set} publish=$code"
exec sleep 3600
`;

let sandbox: Sandbox;
let argvLog: string;
beforeEach(() => {
  sandbox = createSandbox();
  sandbox.fakeCli('claude', PUBLISHING_CLI);
  const realTmux = which('tmux', process.env.PATH ?? '');
  argvLog = join(sandbox.root, 'tmux-argv.log');
  // One line per invocation, arguments NUL-separated.
  sandbox.fakeCli(
    'tmux',
    `#!/bin/sh\n{ printf '%s\\0' "$@"; echo; } >> '${argvLog}'\nexec '${realTmux ?? 'tmux'}' "$@"\n`,
  );
});
afterEach(() => sandbox.cleanup());

/** Command lines (NUL-joined argv) of every process on the machine that contain `secret`. */
function commandLinesWith(secret: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    } catch {
      continue; // the process ended meanwhile
    }
    if (cmdline.includes(secret)) found.push(`${pid}: ${cmdline.replaceAll('\0', ' ')}`);
  }
  return found;
}

function tmuxInvocations(): string[][] {
  return readFileSync(argvLog, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\0').filter(Boolean));
}

async function expectPanesPublished(broker: SessionBroker): Promise<void> {
  const panes = listPanes(sandbox, 'paw-proj');
  for (const [index, agent] of ['feat-a', 'feat-b'].entries()) {
    await waitForPaneText(sandbox, panes[index + 1]?.id ?? '', `FAKE-CLI ${agent} token=set publish=202`);
  }
  const agents = (await brokerStatus(broker.port)).agents;
  expect(agents.map((agent) => [agent.agent_id, agent.status])).toEqual([
    ['feat-a', 'from-pane'],
    ['feat-b', 'from-pane'],
  ]);
}

function expectNoTokenOnAnyCommandLine(token: string): void {
  const invocations = tmuxInvocations();
  for (const argv of invocations) for (const arg of argv) expect(arg).not.toContain(token);
  expect(invocations.some((argv) => argv.includes('new-session'))).toBe(true);
  expect(commandLinesWith(token)).toEqual([]);
  // The file that carried the session environment is gone once tmux has read it.
  expect(readdirSync(sessionsDirOf(sandbox)).filter((name) => name.startsWith('.tmux-env-'))).toEqual([]);
}

describe.skipIf(skipWithoutTmux)('the broker token on command lines', () => {
  it('appears on none at launch, in recovery and after a broker restart, yet panes and broker use it', async () => {
    await enableBroker(sandbox);
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/b']);
    const broker = brokerOf(sandbox);
    expect(broker.token).toMatch(/^[0-9a-f]{64}$/);
    expectNoTokenOnAnyCommandLine(broker.token);
    await expectPanesPublished(broker);

    // The window's loop restarts a killed server with the token it inherited from the session.
    const before = await brokerStatus(broker.port);
    const serverPid = (before as { pid?: number }).pid ?? 0;
    process.kill(serverPid, 'SIGKILL');
    const after = await pollUntil(
      () => brokerStatus(broker.port).catch(() => undefined),
      (status) => status !== undefined && (status as { pid?: number }).pid !== serverPid,
      { timeoutMs: 5_000, what: 'the window loop to restart the broker server' },
    );
    const newPid = (after as { pid?: number } | undefined)?.pid ?? 0;
    expect(readFileSync(`/proc/${newPid}/environ`, 'latin1').split('\0')).toContain(
      `GIT_PAW_BROKER_TOKEN=${broker.token}`,
    );
    const status = {
      type: 'agent.status',
      agent_id: 'feat-a',
      payload: { status: 'after-restart', modified_files: [] },
    };
    expect((await publishTo(broker, status)).status).toBe(202);
    const anonymous = await httpRequest(broker.port, {
      method: 'POST',
      path: '/publish',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(status),
    });
    expect(anonymous.status).toBe(401);
    expect(commandLinesWith(broker.token)).toEqual([]);

    // Recovery keeps the token and passes it the same way.
    await pawOk(sandbox, ['stop']);
    await pawOk(sandbox, ['start']);
    expect(brokerOf(sandbox).token).toBe(broker.token);
    expectNoTokenOnAnyCommandLine(broker.token);
    await expectPanesPublished(broker);
  });
});
