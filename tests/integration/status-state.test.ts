// `git paw status` with observed agent state, against a real broker process of the session
// (started the way the launch starts it, without tmux or panes): the text counts every state and
// shows each agent's, `--json` carries the state fields, and `--why <agent>` prints the agent's
// last signals with the deciding one marked (and a one-line error for an agent not in the session).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrokerProcess, type RunningBroker } from '../helpers/broker-process.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { httpRequest } from '../helpers/broker-harness.js';
import { paw, worktreeDir } from '../helpers/lifecycle.js';

let sandbox: Sandbox;
let broker: RunningBroker;

const ROSTER = [
  { branch: 'feat/a', cli: 'claude' },
  { branch: 'feat/b', cli: 'codex' },
  { branch: 'feat/c', cli: 'claude' },
];

function postEvent(agentId: string, body: unknown) {
  return httpRequest(broker.plan.port, {
    method: 'POST',
    path: `/events/${agentId}`,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${broker.plan.token}` },
    body: JSON.stringify(body),
  });
}

beforeAll(async () => {
  sandbox = createSandbox();
  broker = await startBrokerProcess('paw-proj', { repoPath: sandbox.repo, roster: ROSTER });
  sandbox.writeFile(
    'home/.local/share/git-paw/sessions/paw-proj.json',
    JSON.stringify({
      session_name: 'paw-proj',
      repo_path: sandbox.repo,
      project_name: 'proj',
      created_at: '2026-04-10T12:34:56Z',
      status: 'active',
      worktrees: ROSTER.map(({ branch, cli }) => ({
        branch,
        worktree_path: worktreeDir(sandbox, branch.replace('/', '-')),
        cli,
        branch_created: true,
      })),
      broker_port: broker.plan.port,
      broker_bind: '127.0.0.1',
      broker_token: broker.plan.token,
      broker_log_path: broker.plan.logPath,
    }),
  );
  const hook = (event: string, extra: Record<string, unknown> = {}) => ({
    session_id: 's',
    cwd: '/w',
    hook_event_name: event,
    ...extra,
  });
  for (const [agent, body] of [
    ['feat-a', hook('UserPromptSubmit', { prompt: 'go' })],
    ['feat-a', hook('PreToolUse', { tool_name: 'Bash' })],
    ['feat-a', hook('PermissionRequest', { tool_name: 'Bash' })],
    ['feat-b', { type: 'agent-turn-complete', 'input-messages': ['fix it'] }],
  ] as const) {
    const reply = await postEvent(agent, body);
    if (reply.status !== 202) throw new Error(`event for ${agent} answered ${reply.status}: ${reply.body}`);
  }
});

afterAll(async () => {
  await broker.stop();
  sandbox.cleanup();
});

describe('status with observed agent state', () => {
  it('counts every state and shows each agent’s', async () => {
    const result = await paw(sandbox, ['status']);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    expect(lines).toContain('Agents:  3 (1 waiting, 1 idle, 1 not started)');
    expect(lines.find((line) => line.startsWith('  feat-a'))).toMatch(
      /^ {2}feat-a +claude +waiting \(permission: Bash\) +- +-$/,
    );
    expect(lines.find((line) => line.startsWith('  feat-b'))).toMatch(
      /^ {2}feat-b +codex +idle \(turn finished\)/,
    );
    expect(lines.find((line) => line.startsWith('  feat-c'))).toMatch(/^ {2}feat-c +claude +not started/);
  });

  it('--json carries state, state_since, state_source and state_detail per agent', async () => {
    const json = JSON.parse((await paw(sandbox, ['status', '--json'])).stdout) as {
      broker: { agents: Record<string, unknown>[] };
    };
    const [a, b, c] = json.broker.agents;
    expect(a).toMatchObject({
      agent_id: 'feat-a',
      status: null,
      summary: '',
      state: 'waiting',
      state_source: 'hook',
      state_detail: 'permission: Bash',
    });
    expect(Number.isNaN(Date.parse(a?.state_since as string))).toBe(false);
    expect(b).toMatchObject({ state: 'idle', state_source: 'hook', state_detail: 'turn finished' });
    expect(c).toMatchObject({
      state: 'not_started',
      state_since: null,
      state_source: null,
      state_detail: '',
    });
  });

  it('--why prints the last signals and marks the one that decided the state', async () => {
    const result = await paw(sandbox, ['status', '--why', 'feat-a']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const time = '\\d\\d:\\d\\d:\\d\\d';
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      new RegExp(`^feat-a: waiting since ${time}, decided by hook \\(permission: Bash\\)$`),
    );
    expect(lines[1]).toMatch(new RegExp(`^ {2}${time} {2}hook {2}working {2}prompt submitted {2}decided$`));
    expect(lines[2]).toMatch(new RegExp(`^ {2}${time} {2}hook {2}working {2}tool: Bash +confirmed$`));
    expect(lines[3]).toMatch(new RegExp(`^→ ${time} {2}hook {2}waiting {2}permission: Bash +decided$`));

    const silent = await paw(sandbox, ['status', '--why', 'feat-c']);
    expect(silent.stdout).toBe('feat-c: not started (no signal yet)\n');

    const json = JSON.parse((await paw(sandbox, ['status', '--why', 'feat-a', '--json'])).stdout) as {
      state: string;
      signals: { outcome: string }[];
    };
    expect(json.state).toBe('waiting');
    expect(json.signals.map((entry) => entry.outcome)).toEqual(['decided', 'confirmed', 'decided']);
  });

  it('--why names the agents when asked about one that is not in the session', async () => {
    const result = await paw(sandbox, ['status', '--why', 'feat-zz']);
    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr:
        "error: Session error: no agent 'feat-zz' in session paw-proj\nhint: this session's agents: feat-a, feat-b, feat-c\n",
    });
  });

  it('--why says so in one line when the broker is not running', async () => {
    await broker.stop();
    const result = await paw(sandbox, ['status', '--why', 'feat-a']);
    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `error: Broker error: the session's broker at ${broker.plan.url} is not running\nhint: run \`git paw start\` to bring the session back\n`,
    });
  });
});
