// `git paw dashboard` (built dist) against a real broker process (the built server, started
// here as the launch would plan it) in a private tmux server: rows for every roster agent, a
// published message showing up, a second dashboard window showing the same, the unreachable
// banner, `q` closing only the view, the view exiting when its window goes away; and the
// command's refusals outside a usable session.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { planBroker, waitForBroker, type BrokerPlan } from '../../src/broker/client/session.js';
import type { SessionState } from '../../src/session/schema.js';
import { saveState } from '../../src/session/store.js';
import { pollUntil } from '../helpers/poll.js';
import { CLI_PATH, runCli } from '../helpers/run-cli.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { capturePane, skipWithoutTmux, waitForPaneText } from '../helpers/tmux.js';
import { randomFreePort } from '../helpers/broker-process.js';

const ROSTER = [
  { branch: 'feat/api', cli: 'claude' },
  { branch: 'feat/ui', cli: 'codex' },
];

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function sandbox(): Sandbox {
  const box = createSandbox();
  cleanups.push(() => box.cleanup());
  return box;
}

function sessionState(box: Sandbox, session: string, broker?: BrokerPlan): SessionState {
  return {
    session_name: session,
    repo_path: box.repo,
    project_name: 'proj',
    created_at: '2026-01-01T00:00:00Z',
    status: 'active',
    worktrees: ROSTER.map(({ branch, cli }) => ({
      branch,
      cli,
      worktree_path: `${box.root}/proj-${branch.replace('/', '-')}`,
      branch_created: true,
    })),
    ...(broker
      ? { broker_port: broker.port, broker_bind: broker.bind, broker_token: broker.token ?? undefined }
      : {}),
  };
}

/** Plans the broker of `session` with the sandbox's data dir (the plan reads it from process.env). */
async function planFor(box: Sandbox, session: string): Promise<BrokerPlan> {
  const previous = process.env.XDG_DATA_HOME;
  process.env.XDG_DATA_HOME = box.env.XDG_DATA_HOME;
  try {
    const port = await randomFreePort();
    return await planBroker({
      settings: { port, bind: '127.0.0.1', allowRemote: false, auth: 'token' },
      session,
      repoPath: box.repo,
      roster: ROSTER,
      cliPath: CLI_PATH,
    });
  } finally {
    process.env.XDG_DATA_HOME = previous;
  }
}

/** Starts the broker process of `plan`; stopped (by its pid) at the end of the test. */
async function startBroker(box: Sandbox, plan: BrokerPlan): Promise<ChildProcess> {
  const [program = process.execPath, ...args] = plan.command;
  const proc = spawn(program, args, { env: { ...box.env, ...plan.env }, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      await exited;
    }
  };
  cleanups.push(stop);
  await waitForBroker(plan);
  return proc;
}

function publish(plan: BrokerPlan, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${plan.url}/publish`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${plan.token}` },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

function statusAnswers(plan: BrokerPlan): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${plan.url}/status`, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const DASHBOARD = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI_PATH)} dashboard`;

describe.skipIf(skipWithoutTmux)('git paw dashboard in tmux with a real broker', () => {
  it('shows every agent, follows publishes, warns while the broker is down, and q closes only the view', async () => {
    const box = sandbox();
    const session = 'paw-proj';
    const plan = await planFor(box, session);
    let broker = await startBroker(box, plan);
    saveState(sessionState(box, session, plan), box.env);

    // Window 0 keeps a shell-like tail after the view, as pane 0 of a session does.
    box.tmux([
      'new-session',
      '-d',
      '-s',
      'view',
      '-x',
      '80',
      '-y',
      '24',
      '-c',
      box.repo,
      `${DASHBOARD}; echo "exit=$?"; exec sleep 600`,
    ]);
    let screen = await waitForPaneText(box, '=view:0', '2 agents: 2 not started');
    expect(screen).toContain(`git-paw dashboard · ${session}`);
    expect(screen).toContain(`broker ${plan.url}`);
    expect(screen).toMatch(/feat-api\s+claude\s+⚪ not started\s+-/);
    expect(screen).toMatch(/feat-ui\s+codex\s+⚪ not started\s+-/);
    expect(screen).toContain('q close view');

    expect(
      await publish(plan, {
        type: 'agent.status',
        agent_id: 'feat-api',
        payload: { status: 'working', modified_files: [], message: 'adding routes' },
      }),
    ).toBe(202);
    expect(
      await publish(plan, {
        type: 'agent.blocked',
        agent_id: 'feat-ui',
        payload: { needs: 'UserApi types', from: 'feat-api' },
      }),
    ).toBe(202);
    const counts = '2 agents: 1 working, 1 not started · reported 0 done, 1 blocked';
    screen = await waitForPaneText(box, '=view:0', counts);
    expect(screen).toMatch(
      /feat-api\s+claude\s+⚙ working\s+🔵 working\s+(?:just now|\d+s ago)\s+adding rout/,
    );
    expect(screen).toMatch(/feat-ui\s+codex\s+⚪ not started\s+🟡 blocked\s+(?:just now|\d+s ago)\s+\S/);

    // A second dashboard in another window of any terminal shows the same rows.
    box.tmux(['new-window', '-d', '-t', '=view:', '-n', 'second', '-c', box.repo, DASHBOARD]);
    const second = await waitForPaneText(box, '=view:second', counts);
    expect(second).toMatch(/feat-api\s+claude\s+⚙ working\s+🔵 working/);

    // Broker down: a visible warning, last rows kept; back up: the warning clears.
    broker.kill('SIGTERM');
    await new Promise((resolve) => broker.once('exit', resolve));
    await waitForPaneText(box, '=view:second', '⚠ broker unreachable');
    expect(capturePane(box, '=view:second')).toMatch(/feat-api\s+claude\s+⚙ working\s+🔵 working/);
    broker = await startBroker(box, plan);
    await pollUntil(
      () => capturePane(box, '=view:second'),
      (text) => !text.includes('unreachable') && text.includes('🔵 working'),
      {
        what: 'the warning to clear',
      },
    );

    // q closes the view at once; the broker keeps answering.
    box.tmux(['send-keys', '-t', '=view:0', 'q']);
    const closed = await waitForPaneText(box, '=view:0', 'exit=0');
    expect(closed).toContain(
      'Dashboard closed; the broker and agents keep running. Reopen with: git paw dashboard',
    );
    expect(await statusAnswers(plan)).toBe(true);

    // The view exits when its terminal goes away.
    const pid = Number(box.tmux(['display-message', '-p', '-t', '=view:second', '#{pane_pid}']));
    expect(alive(pid)).toBe(true);
    box.tmux(['kill-window', '-t', '=view:second']);
    await pollUntil(
      () => alive(pid),
      (running) => !running,
      { what: 'the dashboard to exit after its window closed' },
    );
  });
});

describe('git paw dashboard refusals', () => {
  it('says there is no session for this repo', async () => {
    const box = sandbox();
    const result = await runCli(['dashboard'], { cwd: box.repo, env: box.env });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'error: Dashboard error: no git-paw session for this repo\nhint: start one with `git paw start`\n',
    );
  });

  it('says how to enable the broker when the session has none', async () => {
    const box = sandbox();
    saveState(sessionState(box, 'paw-proj'), box.env);
    const result = await runCli(['dashboard'], { cwd: box.repo, env: box.env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: Dashboard error: session 'paw-proj' runs without a broker\n");
    expect(result.stderr).toContain('hint: the broker is on unless `[broker] enabled = false`');
  });

  it('needs a terminal', async () => {
    const box = sandbox();
    saveState({ ...sessionState(box, 'paw-proj'), broker_port: 9, broker_bind: '127.0.0.1' }, box.env);
    const result = await runCli(['dashboard'], { cwd: box.repo, env: box.env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'error: Dashboard error: the dashboard needs a terminal (stdin and stdout must be a TTY)\n',
    );
    expect(result.stdout).toBe('');
  });

  it('refuses outside a git repository', async () => {
    const box = sandbox();
    const result = await runCli(['dashboard'], { cwd: box.home, env: box.env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: Not a git repository.');
  });
});
