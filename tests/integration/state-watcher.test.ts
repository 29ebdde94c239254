// The broker's state watcher against a real tmux server: fake CLIs in real panes show a dialog,
// a busy marker, then exit (or refuse a flag at once), and the watcher's signals follow; a
// closed pane, a vanished session and a session of the same name elsewhere are handled; and
// every tmux process it starts reads all panes at once, for 2 panes as for 20.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startStateWatcher,
  type StateSink,
  type StateWatcher,
  type TmuxLocation,
} from '../../src/broker/watcher.js';
import type { StateSignal } from '../../src/agents/state.js';
import { systemRunner, type CommandRunner } from '../../src/util/exec.js';
import { writeExecutable } from '../helpers/executable.js';
import { pollUntil } from '../helpers/poll.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { skipWithoutTmux, waitForPaneText } from '../helpers/tmux.js';
import { REFUSING_CLI, STEPPING_CLI } from '../helpers/state-fake-clis.js';

const SESSION = 'paw-watch';

let sandbox: Sandbox;
let watcher: StateWatcher | undefined;
afterEach(() => {
  watcher?.stop();
  watcher = undefined;
  sandbox.cleanup();
});

interface Seen {
  agent: string;
  text: string;
}

/** A sink that records each signal as `agent state/source[:detail]`, and takes each. */
function recorder(seen: Seen[]): StateSink {
  return {
    observe(agent, signal) {
      seen.push({
        agent,
        text: `${signal.state}/${signal.source}${signal.detail ? `:${signal.detail}` : ''}`,
      });
      return { ok: true, outcome: 'decided' };
    },
  };
}

/** A session whose windows each hold one pane; returns the pane ids in order. */
function openSession(windows: number): string[] {
  sandbox.tmux(['new-session', '-d', '-s', SESSION, '-x', '200', '-y', '50']);
  for (let index = 1; index < windows; index += 1) sandbox.tmux(['new-window', '-d', '-t', `=${SESSION}:`]);
  return sandbox.tmux(['list-panes', '-s', '-t', `=${SESSION}`, '-F', '#{pane_id}']).split('\n');
}

/** Tags a pane with its agent and types its command in one invocation, as the launch does. */
function startAgent(paneId: string, agent: string, command: string): void {
  sandbox.tmux([
    'set-option', '-p', '-t', paneId, '@paw_agent', agent,
    ';', 'send-keys', '-t', paneId, '-l', '--', command,
    ';', 'send-keys', '-t', paneId, 'Enter',
  ]); // prettier-ignore
}

function location(): TmuxLocation {
  return {
    socketPath: sandbox.tmux(['display-message', '-p', '#{socket_path}']),
    sessionId: sandbox.tmux(['display-message', '-p', '-t', `=${SESSION}:`, '#{session_id}']),
  };
}

function watch(
  seen: Seen[],
  roster: string[],
  extra: { runner?: CommandRunner; location?: TmuxLocation; onStop?: (reason: string) => void } = {},
): void {
  watcher = startStateWatcher({
    session: SESSION,
    location: extra.location ?? location(),
    roster: roster.map((agent_id) => ({ agent_id, cli: 'my-cli' })),
    sink: recorder(seen),
    runner: extra.runner ?? sandbox.runner,
    intervalMs: 100,
    ...(extra.onStop ? { onStop: extra.onStop } : {}),
  });
}

async function waitForSignals(seen: Seen[], count: number): Promise<string[]> {
  const texts = await pollUntil(
    () => seen.map((entry) => `${entry.agent} ${entry.text}`),
    (list) => list.length >= count,
    { what: `${count} signal(s)` },
  );
  return texts;
}

describe.skipIf(skipWithoutTmux)('state watcher on a real tmux server', () => {
  it('follows a CLI from its dialog to busy to exited, one signal per change', async () => {
    sandbox = createSandbox({ noRepo: true });
    const stepping = sandbox.fakeCli('stepping-cli', STEPPING_CLI);
    const [pane = ''] = openSession(1);
    startAgent(pane, 'feat-a', stepping);
    await waitForPaneText(sandbox, pane, 'Do you want to proceed?');
    const seen: Seen[] = [];
    watch(seen, ['feat-a']);
    expect(await waitForSignals(seen, 1)).toEqual(['feat-a waiting/screen:permission dialog']);
    sandbox.tmux(['send-keys', '-t', pane, 'Enter']);
    await waitForSignals(seen, 2);
    sandbox.tmux(['send-keys', '-t', pane, 'Enter']);
    expect(await waitForSignals(seen, 3)).toEqual([
      'feat-a waiting/screen:permission dialog',
      'feat-a working/screen:busy',
      'feat-a exited/process:back at the shell',
    ]);
  });

  /**
   * The stepping CLI at its permission dialog, watched on a clock where every tick is three
   * seconds later (so a hook's shield passes in two ticks), until `ticks` ticks have run.
   */
  async function watchDialogFor(ticks: number, sink: StateSink): Promise<void> {
    sandbox = createSandbox({ noRepo: true });
    const stepping = sandbox.fakeCli('stepping-cli', STEPPING_CLI);
    const [pane = ''] = openSession(1);
    startAgent(pane, 'feat-a', stepping);
    await waitForPaneText(sandbox, pane, 'Do you want to proceed?');
    let ticked = 0;
    watcher = startStateWatcher({
      session: SESSION,
      location: location(),
      roster: [{ agent_id: 'feat-a', cli: 'my-cli' }],
      sink,
      runner: sandbox.runner,
      intervalMs: 50,
      now: () => (ticked += 1) * 3000,
    });
    await pollUntil(
      () => ticked,
      (count) => count >= ticks,
      { what: `${ticks} ticks` },
    );
  }

  it('sends an overruled reading once more when a hook no longer shields the state, then no more', async () => {
    const sent: StateSignal[] = [];
    await watchDialogFor(8, {
      observe(_, signal) {
        sent.push(signal);
        return { ok: true, outcome: sent.length === 1 ? 'overruled' : 'confirmed' };
      },
    });
    expect(sent.map((signal) => [signal.state, signal.detail, signal.at])).toEqual([
      ['waiting', 'permission dialog', 6000],
      ['waiting', 'permission dialog', 12000],
    ]);
  });

  it('repeats a dialog on screen after a later hook said idle, until the broker holds it again', async () => {
    const sent: StateSignal[] = [];
    await watchDialogFor(10, {
      observe(_, signal) {
        sent.push(signal);
        return { ok: true, outcome: 'decided' };
      },
      // A late end-of-turn hook took the state to idle after the first reading; the second
      // reading puts the dialog back.
      currentState: () => ({ state: sent.length >= 2 ? 'waiting' : 'idle' }),
    });
    expect(sent.map((signal) => [signal.state, signal.detail])).toEqual([
      ['waiting', 'permission dialog'],
      ['waiting', 'permission dialog'],
    ]);
    expect((sent[1]?.at ?? 0) - (sent[0]?.at ?? 0)).toBeGreaterThan(5000);
  });

  it('says integration failed when the CLI refuses an injected flag at once', async () => {
    sandbox = createSandbox({ noRepo: true });
    const refusing = sandbox.fakeCli('refusing-cli', REFUSING_CLI);
    const [, pane = ''] = openSession(2);
    const seen: Seen[] = [];
    watch(seen, ['feat-b']);
    startAgent(pane, 'feat-b', `${refusing} --settings x`);
    const signals = await pollUntil(
      () => seen.map((entry) => `${entry.agent} ${entry.text}`),
      (list) => list.some((text) => text.includes('exited')),
      { what: 'feat-b to exit' },
    );
    expect(signals.at(-1)).toBe(
      "feat-b exited/process:integration failed: error: unknown option '--settings'",
    );
    // A tick may catch the CLI in the instant it runs, before it prints.
    expect(signals.slice(0, -1).every((text) => text === 'feat-b idle/screen')).toBe(true);
  });

  it('reports a closed pane as exited and ignores panes of no roster agent', async () => {
    sandbox = createSandbox({ noRepo: true });
    const idleCli = sandbox.fakeCli('idle-cli');
    const [first = '', second = ''] = openSession(2);
    startAgent(first, 'feat-a', idleCli);
    startAgent(second, 'stranger', idleCli);
    await waitForPaneText(sandbox, first, 'FAKE-CLI idle-cli');
    const seen: Seen[] = [];
    watch(seen, ['feat-a']);
    expect(await waitForSignals(seen, 1)).toEqual(['feat-a idle/screen']);
    sandbox.tmux(['kill-pane', '-t', first]);
    expect(await waitForSignals(seen, 2)).toEqual([
      'feat-a idle/screen',
      'feat-a exited/process:pane closed',
    ]);
  });

  it('stops quietly when the session goes away', async () => {
    sandbox = createSandbox({ noRepo: true });
    openSession(1);
    const stops: string[] = [];
    const seen: Seen[] = [];
    const where = location();
    sandbox.tmux(['kill-session', '-t', `=${SESSION}`]);
    watch(seen, ['feat-a'], { location: where, onStop: (reason) => stops.push(reason) });
    const reasons = await pollUntil(
      () => stops,
      (list) => list.length > 0,
      { what: 'the watcher to stop' },
    );
    expect(reasons).toHaveLength(1);
    expect(seen).toEqual([]);
  });

  it('keeps watching after one failed start of tmux (a busy machine)', async () => {
    sandbox = createSandbox({ noRepo: true });
    const idleCli = sandbox.fakeCli('idle-cli');
    const [pane = ''] = openSession(1);
    startAgent(pane, 'feat-a', idleCli);
    await waitForPaneText(sandbox, pane, 'FAKE-CLI idle-cli');
    let calls = 0;
    const flaky: CommandRunner = {
      run: (program, args, options) => {
        calls += 1;
        if (calls === 2)
          return Promise.reject(Object.assign(new Error('spawn tmux EAGAIN'), { code: 'EAGAIN' }));
        return sandbox.runner.run(program, args, options);
      },
    };
    const stops: string[] = [];
    const seen: Seen[] = [];
    watch(seen, ['feat-a'], { runner: flaky, onStop: (reason) => stops.push(reason) });
    expect(await waitForSignals(seen, 1)).toEqual(['feat-a idle/screen']);
    expect(calls).toBeGreaterThan(2);
    expect(stops).toEqual([]);
  });

  it('never reads a session of the same name that is not its own', async () => {
    sandbox = createSandbox({ noRepo: true });
    const idleCli = sandbox.fakeCli('idle-cli');
    const [pane = ''] = openSession(1);
    startAgent(pane, 'feat-a', idleCli);
    await waitForPaneText(sandbox, pane, 'FAKE-CLI idle-cli');
    const stops: string[] = [];
    const seen: Seen[] = [];
    watch(seen, ['feat-a'], {
      location: { ...location(), sessionId: '$999' },
      onStop: (reason) => stops.push(reason),
    });
    await pollUntil(
      () => stops,
      (list) => list.length > 0,
      { what: 'the watcher to stop' },
    );
    expect(stops[0]).toContain('not the broker');
    expect(seen).toEqual([]);
  });

  it.each([2, 20])('starts one tmux process per tick that reads all %i agent panes', async (count) => {
    sandbox = createSandbox({ noRepo: true });
    const idleCli = sandbox.fakeCli('idle-cli');
    const panes = openSession(count);
    panes.forEach((pane, index) => startAgent(pane, `agent-${index}`, idleCli));
    const logPath = join(sandbox.root, 'tmux-calls.log');
    writeFileSync(logPath, '');
    const realTmux = (await systemRunner.run('sh', ['-c', 'command -v tmux'])).stdout.trim();
    const shimDir = join(sandbox.root, 'shim');
    writeExecutable(shimDir, 'tmux', `#!/bin/sh\necho "$*" >> '${logPath}'\nexec '${realTmux}' "$@"\n`);
    const shimmed: CommandRunner = {
      run: (program, args, options = {}) =>
        sandbox.runner.run(program, args, {
          ...options,
          env: { PATH: `${shimDir}:${sandbox.env.PATH ?? ''}` },
        }),
    };
    const seen: Seen[] = [];
    watch(
      seen,
      panes.map((_, index) => `agent-${index}`),
      { runner: shimmed },
    );
    // Every agent's screen is read: each one is seen idle.
    await pollUntil(
      () => seen.length,
      (signals) => signals === count,
      { what: `${count} idle agents` },
    );
    expect(new Set(seen.map((entry) => `${entry.agent} ${entry.text}`)).size).toBe(count);
    expect(seen.every((entry) => entry.text === 'idle/screen')).toBe(true);
    const calls = readFileSync(logPath, 'utf8').split('\n').filter(Boolean);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    watcher?.stop();
    for (const [index, call] of calls.entries()) {
      expect(call).toMatch(/^-S \S+ list-panes -s -t =paw-watch /);
      // The first tick learns the panes; every later one reads them all in the same process.
      const captures = call.split(' ; ').filter((command) => command.startsWith('capture-pane')).length;
      expect(captures).toBe(index === 0 ? 0 : count);
    }
  });
});
