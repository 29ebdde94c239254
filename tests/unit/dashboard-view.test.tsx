import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { StatusUnavailable, type BrokerStatus } from '../../src/dashboard/broker-status.js';
import type { Scheduler } from '../../src/dashboard/poller.js';
import { DashboardView } from '../../src/dashboard/view.js';
import { pollUntil } from '../helpers/poll.js';

/** Timers under the test's control: nothing runs until `fire()`. */
class ManualScheduler implements Scheduler {
  private pending: (() => void)[] = [];
  after(_ms: number, task: () => void): () => void {
    this.pending.push(task);
    return () => (this.pending = this.pending.filter((entry) => entry !== task));
  }
  get waiting(): number {
    return this.pending.length;
  }
  fire(): void {
    const tasks = this.pending;
    this.pending = [];
    for (const task of tasks) task();
  }
}

/** A broker stand-in: answers each poll with whatever the test set last. */
class FakeBroker {
  calls = 0;
  answer: BrokerStatus | Error = { git_paw: true, agents: [], uptime_seconds: 5, session: 'paw-proj' };
  fetch = async (): Promise<BrokerStatus> => {
    this.calls += 1;
    if (this.answer instanceof Error) throw this.answer;
    return this.answer;
  };
}

let unmount: (() => void) | undefined;
afterEach(() => unmount?.());

function setup(
  roster = [
    { agent_id: 'feat-api', cli: 'claude' },
    { agent_id: 'feat-ui', cli: 'codex' },
  ],
) {
  const broker = new FakeBroker();
  const scheduler = new ManualScheduler();
  const clock = { ms: 1_000_000 };
  let closed = 0;
  const app = render(
    <DashboardView
      session="paw-proj"
      brokerUrl="http://127.0.0.1:9119"
      roster={roster}
      fetchStatus={broker.fetch}
      scheduler={scheduler}
      now={() => clock.ms}
      size={{ columns: 80, rows: 24 }}
      onClose={() => (closed += 1)}
    />,
  );
  unmount = app.unmount;
  const screen = (what: string, done: (frame: string) => boolean) =>
    pollUntil(() => app.lastFrame() ?? '', done, { timeoutMs: 5_000, intervalMs: 5, what });
  /** Lets the next poll run and waits until it finished (the loop re-armed its timer). */
  const nextPoll = async () => {
    await pollUntil(() => scheduler.waiting === 1, Boolean, {
      timeoutMs: 5_000,
      intervalMs: 5,
      what: 'the loop to wait',
    });
    const before = broker.calls;
    scheduler.fire();
    await pollUntil(() => broker.calls > before && scheduler.waiting === 1, Boolean, {
      timeoutMs: 5_000,
      intervalMs: 5,
      what: 'the poll to finish',
    });
  };
  return { app, broker, scheduler, clock, screen, nextPoll, closedCount: () => closed };
}

describe('dashboard view', () => {
  it('shows every roster agent, not-started ones included, with status, age and summary', async () => {
    const { broker, screen, nextPoll } = setup();
    await screen('first answer', (frame) => frame.includes('2 agents'));
    broker.answer = {
      git_paw: true,
      uptime_seconds: 90,
      session: 'paw-proj',
      agents: [
        {
          agent_id: 'feat-api',
          cli: 'claude',
          status: 'working',
          last_seen_seconds: 4,
          summary: 'adding routes',
          state: 'working',
          state_detail: '',
        },
        { agent_id: 'feat-ui', cli: 'codex', status: '', last_seen_seconds: null, summary: '' },
      ],
    };
    await nextPoll();
    const frame = await screen('rows', (text) => text.includes('🔵 working'));
    expect(frame).toContain('git-paw dashboard · paw-proj');
    expect(frame).toContain('broker http://127.0.0.1:9119 · up 1m');
    expect(frame).toContain('2 agents: 1 working, 1 not started');
    expect(frame).toMatch(/feat-api\s+claude\s+⚙ working\s+🔵 working\s+just now\s+adding rout/);
    expect(frame).toMatch(/feat-ui\s+codex\s+⚪ not started\s+-\s+-/);
    expect(frame).toContain('q close view');
  });

  it('shows a warning while the broker is unreachable and clears it when it answers again', async () => {
    const { broker, clock, screen, nextPoll } = setup();
    await screen('first answer', (frame) => frame.includes('2 agents'));
    broker.answer = new StatusUnavailable('connection refused');
    clock.ms += 1_000;
    await nextPoll();
    await screen('the banner', (frame) => frame.includes('⚠ broker unreachable (connection refused) for 0s'));
    clock.ms += 3_000;
    await nextPoll();
    const during = await screen('the banner to count', (frame) => frame.includes('for 3s'));
    expect(during).toContain('2 agents');
    broker.answer = {
      git_paw: true,
      agents: [{ agent_id: 'feat-api', status: 'done', last_seen_seconds: 0 }],
      uptime_seconds: 9,
      session: 'paw-proj',
    };
    await nextPoll();
    const after = await screen('the banner to clear', (frame) => frame.includes('🟢 done'));
    expect(after).not.toContain('unreachable');
  });

  it('redraws only when something on screen changed', async () => {
    const { app, broker, clock, screen, nextPoll } = setup();
    broker.answer = {
      git_paw: true,
      uptime_seconds: 10,
      session: 'paw-proj',
      agents: [{ agent_id: 'feat-api', status: 'working', last_seen_seconds: 2 }],
    };
    await nextPoll();
    await screen('first answer', (frame) => frame.includes('just now'));
    const drawn = app.frames.length;
    for (let poll = 0; poll < 3; poll += 1) {
      clock.ms += 1_000;
      await nextPoll();
    }
    expect(app.frames.length).toBe(drawn);
    broker.answer = {
      ...broker.answer,
      agents: [{ agent_id: 'feat-api', status: 'working', last_seen_seconds: 63 }],
    };
    await nextPoll();
    await screen('the new age', (frame) => frame.includes('1m ago'));
    expect(app.frames.length).toBe(drawn + 1);
  });

  it('closes on q at once; other keys (Q, x, arrows) do nothing', async () => {
    const { app, screen, closedCount } = setup();
    await screen('first answer', (frame) => frame.includes('2 agents'));
    for (const key of ['Q', 'x', '\u001b[A', ' ']) app.stdin.write(key);
    expect(closedCount()).toBe(0);
    // Input is handled synchronously, so the count above was taken after those keys were seen.
    app.stdin.write('q');
    expect(closedCount()).toBe(1);
  });

  it('closes on Ctrl+C too', async () => {
    const { app, screen, closedCount } = setup();
    await screen('first answer', (frame) => frame.includes('2 agents'));
    app.stdin.write('\u0003');
    await pollUntil(closedCount, (count) => count > 0, {
      timeoutMs: 5_000,
      intervalMs: 5,
      what: 'Ctrl+C to close the view',
    });
  });
});
