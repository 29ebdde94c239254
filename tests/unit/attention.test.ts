// The pure side of attention: the counts every view shows, the status line text, the pane label
// with its state icon, the events of a change, and the gate that keeps notifications few.
import { describe, expect, it } from 'vitest';
import { countAgents, stateCountsText, statusLineText } from '../../src/attention/counts.js';
import {
  eventsBetween,
  NotifyGate,
  type AgentView,
  type AttentionEvent,
} from '../../src/attention/events.js';
import { baseLabel, labelWithState, startAttention } from '../../src/attention/monitor.js';
import type { AgentStatus } from '../../src/broker/server/state.js';
import { literalText, type AttentionTmux } from '../../src/attention/tmux-io.js';
import { notificationText } from '../../src/attention/notifier.js';

const AGENT = { agentId: 'feat-a', branch: 'feat/a', cli: 'claude' };
const view = (state: AgentView['state'], reported: string | null = null): AgentView => ({
  state,
  reported,
  detail: state === 'waiting' ? 'permission: Bash' : '',
  summary: 'all tests pass',
});
const event = (kind: AttentionEvent['kind'], agentId = 'feat-a'): AttentionEvent => ({
  ...AGENT,
  agentId,
  kind,
  summary: '',
});

describe('counts', () => {
  it('counts every state once per agent and the reported labels apart', () => {
    const counts = countAgents([
      { state: 'waiting', reported: 'working' },
      { state: 'error', reported: null },
      { state: 'idle', reported: 'done' },
      { state: 'idle', reported: 'verified' },
      { state: 'exited', reported: 'blocked' },
      { state: 'not_started', reported: undefined },
    ]);
    expect(counts.total).toBe(6);
    expect(stateCountsText(counts)).toBe('1 waiting, 2 idle, 1 error, 1 exited, 1 not started');
    expect(statusLineText(counts)).toBe('⏳ 1 waiting · ✖ 1 error · ✋ 1 blocked · ✓ 2 done');
  });

  it('the status line is empty when nothing asks for the user', () => {
    expect(statusLineText(countAgents([{ state: 'idle', reported: null }]))).toBe('');
  });
});

describe('pane labels', () => {
  it('carry one state icon, replaced on each change', () => {
    expect(labelWithState('feat/a → claude', 'waiting')).toBe('feat/a → claude ⏳');
    expect(labelWithState('feat/a → claude ⏳', 'working')).toBe('feat/a → claude ⚙');
    expect(baseLabel('feat/a → claude ⚙')).toBe('feat/a → claude');
    expect(baseLabel('feat/a → my cli')).toBe('feat/a → my cli');
  });
});

describe('events of a change', () => {
  it('entering waiting or error, and reporting done, are events; staying is not', () => {
    expect(eventsBetween(view('working'), view('waiting'), AGENT)).toEqual([
      { kind: 'waiting', ...AGENT, summary: 'permission: Bash' },
    ]);
    expect(eventsBetween(view('waiting'), view('waiting'), AGENT)).toEqual([]);
    expect(eventsBetween(view('working', 'working'), view('idle', 'done'), AGENT).map((e) => e.kind)).toEqual(
      ['idle', 'done'],
    );
    expect(eventsBetween(view('idle', 'done'), view('idle', 'verified'), AGENT)).toEqual([]);
  });
});

describe('the notification gate', () => {
  it('sends only the kinds asked for', () => {
    const gate = new NotifyGate(new Set(['waiting']));
    expect(gate.offer(event('idle'), 0)).toBe(false);
    expect(gate.offer(event('waiting'), 0)).toBe(true);
  });

  it('twenty flaps are one notification, and the same state again is quiet for a while', () => {
    const gate = new NotifyGate(new Set(['waiting', 'error']), 30_000);
    for (let at = 0; at < 1_000; at += 50) gate.offer(event('waiting'), at);
    expect(gate.take(1_000)).toHaveLength(1);
    for (let at = 1_000; at < 2_000; at += 50) gate.offer(event('waiting'), at);
    expect(gate.take(2_000)).toEqual([]);
    expect(gate.offer(event('waiting'), 31_001)).toBe(true);
  });

  it('many agents at once are one batch, one event per agent', () => {
    const gate = new NotifyGate(new Set(['waiting', 'error']));
    gate.offer(event('waiting', 'a'), 0);
    gate.offer(event('error', 'a'), 1);
    gate.offer(event('waiting', 'b'), 2);
    expect(gate.take(3).map((each) => `${each.agentId} ${each.kind}`)).toEqual(['a error', 'b waiting']);
  });
});

describe('notification text', () => {
  it('names the agent, or lists several', () => {
    expect(notificationText([{ ...event('waiting'), summary: 'permission: Bash' }])).toBe(
      'git-paw: feat/a → claude ⏳ waiting · permission: Bash',
    );
    expect(notificationText([event('waiting'), { ...event('error', 'feat-b'), branch: 'feat/b' }])).toBe(
      'git-paw: feat/a ⏳ waiting · feat/b ✖ error',
    );
  });

  it('reaches tmux as written', () => {
    expect(literalText('100% #{x};')).toBe('100%% ##{x}; ');
  });
});

describe('the monitor of a server that has just started', () => {
  const status = (state: AgentStatus['state']): AgentStatus => ({
    agent_id: 'feat-a',
    cli: 'claude',
    last_seen_seconds: null,
    status: null,
    summary: '',
    state,
    state_since: state === 'not_started' ? null : '2026-01-01T00:00:00.000Z',
    state_source: state === 'not_started' ? null : 'hook',
    state_detail: state === 'waiting' ? 'permission: Bash' : '',
  });
  const recordingTmux = (shown: string[]): AttentionTmux => ({
    setUpStatusLine: async () => undefined,
    agentPanes: async () => [],
    write: async () => undefined,
    clients: async () => [{ name: '/dev/pts/9', tty: '', paneId: '%9', termType: '' }],
    display: async (_clients, text) => void shown.push(text),
  });
  const start = (current: AgentStatus, startingPoint: AgentStatus[], shown: string[]) =>
    startAttention({
      source: { agents: () => [current], onAgentChange: () => undefined },
      session: 'paw-proj',
      repoPath: '/',
      roster: [{ agent_id: 'feat-a', branch: 'feat/a', cli: 'claude' }],
      settings: { on: ['waiting'], desktop: false, bell: false },
      tmux: recordingTmux(shown),
      log: () => undefined,
      startingPoint,
    });

  it('notifies what changed between its first answer and its start, but not what the replay rebuilt', async () => {
    // The monitor starts a moment after the server first answers; an agent that began to wait in
    // between must not be taken as already notified.
    const shown: string[] = [];
    const monitor = await start(status('waiting'), [status('working')], shown);
    const replayedShown: string[] = [];
    const replayed = await start(status('waiting'), [status('waiting')], replayedShown);
    try {
      await expect
        .poll(() => shown, { timeout: 5_000 })
        .toEqual(['git-paw: feat/a → claude ⏳ waiting · permission: Bash']);
      expect(replayedShown).toEqual([]);
    } finally {
      monitor.stop();
      replayed.stop();
    }
  });
});
