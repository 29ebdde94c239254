// `tmux kill-server` in the middle of a broker session (issue 7): `status` says stopped, and one
// `start` brings back everything at once — the dashboard and agent panes in their worktrees, the
// uncommitted, staged and untracked work in those worktrees, and the broker on the same URL and
// token with every message, agent state and the sequence counter.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { listPanes, skipWithoutTmux, waitForPaneText } from '../helpers/tmux.js';
import { artifactMsg, statusMsg } from '../helpers/broker-harness.js';
import {
  brokerOf,
  brokerStatus,
  enableBroker,
  pollInbox,
  publishTo,
  waitForPortFree,
} from '../helpers/broker-session.js';
import { paw, pawOk, readState, sessionAlive, worktreeDir } from '../helpers/lifecycle.js';

describe.skipIf(skipWithoutTmux)('tmux kill-server during a session', () => {
  let sandbox: Sandbox;
  beforeEach(() => {
    sandbox = createSandbox();
    sandbox.fakeCli('claude');
    sandbox.git(['branch', 'feat/a']);
  });
  afterEach(() => sandbox.cleanup());

  it('status says stopped; start recovers panes, uncommitted work and the broker with its messages', async () => {
    await enableBroker(sandbox);
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/b']);
    const broker = brokerOf(sandbox);

    // Work in progress of every kind, in both worktrees.
    const a = worktreeDir(sandbox, 'feat-a');
    const b = worktreeDir(sandbox, 'feat-b');
    writeFileSync(join(a, 'README.md'), '# edited, not committed\n');
    writeFileSync(join(a, 'staged.txt'), 'staged\n');
    sandbox.git(['add', 'staged.txt'], a);
    writeFileSync(join(b, 'notes.txt'), 'untracked\n');
    const dirtyA = sandbox.git(['status', '--porcelain'], a);
    const dirtyB = sandbox.git(['status', '--porcelain'], b);
    expect(dirtyA.split('\n')).toHaveLength(2);

    // Messages: feat-a reports and exports; feat-b is told.
    const acknowledged: number[] = [];
    for (const body of [
      statusMsg('feat-a', 'working'),
      artifactMsg('feat-a', ['UserApi']),
      statusMsg('feat-b', 'blocked'),
    ]) {
      const reply = await publishTo(broker, body);
      expect(reply.status).toBe(202);
      acknowledged.push((JSON.parse(reply.body) as { seq: number }).seq);
    }

    sandbox.tmux(['kill-server']);
    await waitForPortFree(broker.port);
    const stopped = await paw(sandbox, ['status']);
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain('Status:  🟡 stopped\nTmux:    not running\n');

    const recovered = await paw(sandbox, ['start']);
    expect(recovered.code).toBe(0);
    expect(recovered.stdout).toContain("Recovering session 'paw-proj'...");
    expect(sessionAlive(sandbox)).toBe(true);
    expect(readState(sandbox).status).toBe('active');

    // Panes: dashboard first, then each agent in its own worktree running its CLI again.
    const panes = listPanes(sandbox, 'paw-proj');
    expect(panes.map((pane) => pane.label)).toEqual([
      'dashboard → git paw dashboard',
      'feat/a → claude',
      'feat/b → claude',
    ]);
    await waitForPaneText(sandbox, panes[0]?.id ?? '', 'git-paw dashboard · paw-proj');
    await waitForPaneText(sandbox, panes[1]?.id ?? '', `FAKE-CLI claude cwd=${a}`);
    await waitForPaneText(sandbox, panes[2]?.id ?? '', `FAKE-CLI claude cwd=${b}`);

    // The work in progress is exactly as it was.
    expect(sandbox.git(['status', '--porcelain'], a)).toBe(dirtyA);
    expect(sandbox.git(['status', '--porcelain'], b)).toBe(dirtyB);
    expect(readFileSync(join(a, 'README.md'), 'utf8')).toBe('# edited, not committed\n');
    expect(readFileSync(join(b, 'notes.txt'), 'utf8')).toBe('untracked\n');

    // The broker: same URL and token, the agents' states, the inbox, and a continuing seq.
    expect(brokerOf(sandbox)).toEqual(broker);
    const status = await brokerStatus(broker.port);
    expect(status.session).toBe('paw-proj');
    expect(status.agents.map((agent) => [agent.agent_id, agent.status])).toEqual([
      ['feat-a', 'done'],
      ['feat-b', 'blocked'],
    ]);
    const inbox = JSON.parse((await pollInbox(broker, 'feat-b')).body) as { messages: { seq: number }[] };
    // Status messages only update the registry; the artifact was delivered to feat-b.
    expect(inbox.messages.map((message) => message.seq)).toEqual([acknowledged[1]]);
    const next = JSON.parse((await publishTo(broker, statusMsg('feat-a', 'working'))).body) as {
      seq: number;
    };
    expect(next.seq).toBe(Math.max(...acknowledged) + 1);
    expect((await paw(sandbox, ['status'])).stdout).toContain('Status:  🟢 active\nTmux:    running\n');
  });
});
