// A broker session as a person meets it, end to end (built CLI, private tmux server, real broker):
// pane 0's dashboard follows what agents publish, `git paw dashboard` in a second window shows the
// same rows, `q` closes only the view (the broker keeps answering); and the rendered skill's bash
// blocks typed into an agent pane work as written.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLOSED_MESSAGE } from '../../src/dashboard/app.js';
import { pollUntil } from '../helpers/poll.js';
import { CLI_PATH } from '../helpers/run-cli.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { listPanes, skipWithoutTmux, waitForPaneText } from '../helpers/tmux.js';
import { statusMsg } from '../helpers/broker-harness.js';
import {
  brokerOf,
  brokerStatus,
  enableBroker,
  loggedSeqs,
  publishTo,
} from '../helpers/broker-session.js';
import { pawOk, worktreeDir } from '../helpers/lifecycle.js';

let sandbox: Sandbox;
beforeEach(() => {
  sandbox = createSandbox();
});
afterEach(() => sandbox.cleanup());

/** Visible text plus scrollback, wrapped lines joined. */
function paneHistory(paneId: string): string {
  return sandbox.tmux(['capture-pane', '-p', '-J', '-S', '-500', '-t', paneId]);
}

describe.skipIf(skipWithoutTmux)('dashboard pane of a broker session', () => {
  it('shows what agents publish, matches a second `git paw dashboard`, and q closes only the view', async () => {
    sandbox.fakeCli('claude');
    const port = await enableBroker(sandbox);
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/b']);
    const broker = brokerOf(sandbox);
    const [dashboard] = listPanes(sandbox, 'paw-proj');
    const pane0 = dashboard?.id ?? '';
    // The broker's watcher sees each fake CLI (a line, then waiting) idle on its screen.
    await waitForPaneText(sandbox, pane0, '2 agents: 2 idle');

    expect(
      (await publishTo(broker, statusMsg('feat-a', 'working', { message: 'hello from feat-a' }))).status,
    ).toBe(202);
    const screen = await waitForPaneText(sandbox, pane0, 'hello from feat-a');
    expect(screen).toMatch(/feat-a +claude +⚙ working +🔵 working +(just now|\d+s ago) +hello from feat-a/);
    expect(screen).toMatch(/feat-b +claude +💤 idle +- +-/);
    expect(screen).toContain('2 agents: 1 working, 1 idle');

    const second = sandbox.tmux([
      'new-window',
      '-d',
      '-P',
      '-F',
      '#{pane_id}',
      '-t',
      '=paw-proj:',
      '-c',
      sandbox.repo,
      '--',
      process.execPath,
      CLI_PATH,
      'dashboard',
    ]);
    const secondScreen = await waitForPaneText(sandbox, second, 'hello from feat-a');
    expect(secondScreen).toMatch(/feat-a +claude +⚙ working +🔵 working +(just now|\d+s ago) +hello from feat-a/);
    expect(secondScreen).toMatch(/feat-b +claude +💤 idle +- +-/);

    sandbox.tmux(['send-keys', '-t', pane0, 'q']);
    await waitForPaneText(sandbox, pane0, CLOSED_MESSAGE);
    expect((await brokerStatus(port)).session).toBe('paw-proj');
    expect((await pawOk(sandbox, ['status'])).stdout).toContain(
      `Broker:  http://127.0.0.1:${port} (running)\n`,
    );
    // The other view carries on.
    expect(
      (await publishTo(broker, statusMsg('feat-b', 'working', { message: 'second view still live' }))).status,
    ).toBe(202);
    await waitForPaneText(sandbox, second, 'second view still live');
  });
});

function bashBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```bash\n([\s\S]*?)```/g)].map((match) => (match[1] ?? '').trimEnd());
}

describe.skipIf(skipWithoutTmux)('coordination skill inside an agent pane', () => {
  it('every bash block of the rendered AGENTS.md works as written in the pane', async () => {
    // The CLI exits at once, leaving the pane at its shell with the pane's environment.
    sandbox.fakeCli('claude', '#!/bin/sh\necho "FAKE-CLI ready"\n');
    const port = await enableBroker(sandbox, '', { curlOnly: true });
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    const broker = brokerOf(sandbox);
    const agentPane = listPanes(sandbox, 'paw-proj')[1]?.id ?? '';
    await waitForPaneText(sandbox, agentPane, 'FAKE-CLI ready');

    const blocks = bashBlocks(readFileSync(join(worktreeDir(sandbox, 'feat-a'), 'AGENTS.md'), 'utf8'));
    expect(blocks).toHaveLength(5);
    const type = (text: string) => {
      sandbox.tmux(['send-keys', '-t', agentPane, '-l', '--', text]);
      sandbox.tmux(['send-keys', '-t', agentPane, 'Enter']);
    };
    type('exec bash --norc --noprofile');
    blocks.forEach((block, index) => {
      type(block);
      type(`echo "block-${index + 1} exit=$?"`);
    });
    const history = await pollUntil(
      () => paneHistory(agentPane),
      (text) => text.includes('block-5 exit=0'),
      { timeoutMs: 20_000, what: 'all five blocks to run' },
    );
    for (let index = 1; index <= 5; index += 1) expect(history).toContain(`block-${index} exit=0`);
    // Three publishes (status, artifact, blocked) answered with their seq; the poll and /status with JSON.
    expect(history).toContain('{"seq":1}');
    expect(history).toContain('{"seq":2}');
    expect(history).toContain('{"seq":3}');
    expect(history).toContain('{"messages":[],"last_seq":0}');
    expect(history).toContain(`"session":"paw-proj"`);
    expect(loggedSeqs(broker.logPath)).toEqual([1, 2, 3]);
    const agent = (await brokerStatus(port)).agents.find((entry) => entry.agent_id === 'feat-a');
    expect(agent?.status).toBe('blocked');
  });
});
