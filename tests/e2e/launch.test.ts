// End to end through a real terminal (util-linux `script` provides the PTY): attach and detach,
// the purge confirmation, and a repo whose path has a dot and a space.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pollUntil } from '../helpers/poll.js';
import { CLI_PATH } from '../helpers/run-cli.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { listPanes, skipWithoutTmux, waitForPaneText } from '../helpers/tmux.js';
import { canListen } from '../../src/broker/client.js';
import { shellJoin } from '../../src/util/shell.js';
import { localBranches, paw, pawOk, readState, sessionAlive, sessionFiles } from '../helpers/lifecycle.js';

function hasScript(): boolean {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Terminal {
  output: () => string;
  type: (keys: string) => void;
  exit: Promise<number>;
}

/** Runs git-paw on a pseudo-terminal; keys can be typed and the screen text read. */
function inTerminal(sandbox: Sandbox, args: string[], cwd = sandbox.repo): Terminal {
  return inTerminalCommand(sandbox, shellJoin([process.execPath, CLI_PATH, ...args]), cwd);
}

/** Runs a shell command on a pseudo-terminal. */
function inTerminalCommand(sandbox: Sandbox, shellCommand: string, cwd = sandbox.repo): Terminal {
  // The PTY `script` creates has no size until one is set; prompts wrap at its width.
  const command = `stty cols 120 rows 40; exec ${shellCommand}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd,
    env: sandbox.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return {
    output: () => text,
    type: (keys) => void child.stdin.write(keys),
    exit: new Promise((resolve) =>
      child.on('close', (code) => {
        clearTimeout(timer);
        child.stdin.end();
        resolve(code ?? 128);
      }),
    ),
  };
}

// In CI `script` is installed (.ci/run), so a missing one fails there instead of skipping.
describe.skipIf(skipWithoutTmux || (!hasScript() && !process.env.CI))('launch on a terminal', () => {
  let sandbox: Sandbox;
  beforeEach(() => {
    sandbox = createSandbox({ broker: false });
    sandbox.fakeCli('claude');
  });
  afterEach(() => sandbox.cleanup());

  it('attaches, and returns 0 when the client detaches; a second start reattaches', async () => {
    const term = inTerminal(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    await pollUntil(
      () => sandbox.tmux(['list-clients', '-F', '#{client_session}']),
      (clients) => clients === 'paw-proj',
      {
        what: 'a client attached to paw-proj',
      },
    );
    sandbox.tmux(['detach-client', '-s', '=paw-proj']);
    expect(await term.exit).toBe(0);
    expect(readState(sandbox).status).toBe('active');

    const again = inTerminal(sandbox, ['start']);
    await pollUntil(
      () => sandbox.tmux(['list-clients', '-F', '#{client_session}']),
      (clients) => clients === 'paw-proj',
      {
        what: 'the reattached client',
      },
    );
    sandbox.tmux(['detach-client', '-s', '=paw-proj']);
    expect(await again.exit).toBe(0);
    // Read once the terminal has closed: the client can be up before the line reaches us.
    expect(again.output()).toContain("Reattaching to session 'paw-proj'...");
  });

  it('inside tmux, switches the client to the new session', async () => {
    const client = inTerminalCommand(sandbox, 'tmux new-session -s work');
    const attachedTo = () => sandbox.tmux(['list-clients', '-F', '#{client_session}']);
    await pollUntil(attachedTo, (session) => session === 'work', { what: 'a client on the work session' });
    const command = `cd ${shellJoin([sandbox.repo])} && PATH=${shellJoin([sandbox.env.PATH ?? ''])} ${shellJoin([process.execPath, CLI_PATH])} start --cli claude --branches feat/a`;
    sandbox.tmux(['send-keys', '-t', '=work:', '-l', command]);
    sandbox.tmux(['send-keys', '-t', '=work:', 'Enter']);
    await pollUntil(attachedTo, (session) => session === 'paw-proj', {
      what: 'the client to switch to paw-proj',
    });
    expect(sessionAlive(sandbox, 'work')).toBe(true);
    sandbox.tmux(['detach-client', '-s', '=paw-proj']);
    expect(await client.exit).toBe(0);
  });

  it('--no-attach on a terminal does not attach', async () => {
    const term = inTerminal(sandbox, ['start', '--no-attach', '--cli', 'claude', '--branches', 'feat/a']);
    expect(await term.exit).toBe(0);
    expect(term.output()).toContain("Session 'paw-proj' is running. Attach with: tmux attach -t paw-proj");
    expect(sandbox.tmux(['list-clients'])).toBe('');
  });

  it('purge asks, listing what would be lost; Enter or n cancels, y purges', async () => {
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/new']);
    execFileSync('sh', ['-c', 'echo wip > wip.txt'], { cwd: join(sandbox.root, 'proj-feat-new') });

    for (const answer of ['\r', 'n']) {
      const declined = inTerminal(sandbox, ['purge']);
      await pollUntil(declined.output, (text) => text.includes('Continue?'), { what: 'the purge question' });
      declined.type(answer);
      expect(await declined.exit).toBe(2);
      expect(declined.output()).toContain(
        'Uncommitted or untracked changes in these worktrees will be lost:',
      );
      expect(declined.output()).toContain(`${join(sandbox.root, 'proj-feat-new')} (1 changed file)`);
      expect(sessionAlive(sandbox)).toBe(true);
    }

    const accepted = inTerminal(sandbox, ['purge']);
    await pollUntil(accepted.output, (text) => text.includes('Continue?'), { what: 'the purge question' });
    accepted.type('y');
    expect(await accepted.exit).toBe(0);
    expect(accepted.output()).toContain("Purged session 'paw-proj'.");
    expect(sessionFiles(sandbox)).toEqual([]);
    expect(localBranches(sandbox)).toEqual(['main']);
  });
});

describe.skipIf(skipWithoutTmux)('a repo path with a dot and a space', () => {
  let sandbox: Sandbox;
  beforeEach(() => {
    sandbox = createSandbox({ repoName: 'my.proj x' });
    sandbox.fakeCli('claude');
  });
  afterEach(() => sandbox.cleanup());

  it('launches under a tmux-safe name with the default broker and dashboard, runs each CLI in its worktree, and stops and purges', async () => {
    const result = await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,b']);
    expect(result.stdout).toBe(
      "Session 'paw-my-proj x' is running. Attach with: tmux attach -t 'paw-my-proj x'\n",
    );
    const panes = listPanes(sandbox, 'paw-my-proj x');
    const wtA = join(sandbox.root, 'my.proj x-feat-a');
    const wtB = join(sandbox.root, 'my.proj x-b');
    expect(panes.map((p) => p.path)).toEqual([sandbox.repo, wtA, wtB]);
    await waitForPaneText(sandbox, panes[0]?.id ?? '', 'git-paw dashboard · paw-my-proj x');
    await waitForPaneText(sandbox, panes[1]?.id ?? '', `FAKE-CLI claude cwd=${wtA}`);
    await waitForPaneText(sandbox, panes[2]?.id ?? '', `FAKE-CLI claude cwd=${wtB}`);
    const port = readState(sandbox, 'paw-my-proj x').broker_port as number;
    expect(await canListen('127.0.0.1', port)).toBe(false);

    await pawOk(sandbox, ['stop']);
    expect(sessionAlive(sandbox, 'paw-my-proj x')).toBe(false);
    expect(await canListen('127.0.0.1', port)).toBe(true);
    await pawOk(sandbox, ['start']);
    expect(sessionAlive(sandbox, 'paw-my-proj x')).toBe(true);
    expect((await paw(sandbox, ['purge', '--force'])).stdout).toBe("Purged session 'paw-my-proj x'.\n");
    expect(existsSync(wtA)).toBe(false);
  });
});
