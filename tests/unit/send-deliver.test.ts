// Delivering a prompt: Enter once the text shows and again only while it still shows, the text
// never typed twice, `delivered` only on the agent's signal; and which agents are refused.
import { describe, expect, it } from 'vitest';
import { deliver, refusalOf, type DeliveryClock, type DeliveryTarget } from '../../src/send/deliver.js';

/** A pane whose CLI ignores the first `ignoredEnters` Enters (still starting), then submits. */
function fakePane(ignoredEnters: number, signals = true) {
  const log: string[] = [];
  let input = '';
  let submittedAt: number | undefined;
  let ignored = 0;
  let time = 0;
  const clock: DeliveryClock = {
    now: () => time,
    sleep: async (ms) => {
      time += ms;
    },
  };
  const target: DeliveryTarget = {
    screen: async () => `> ${input}`,
    paste: async (text) => {
      log.push('paste');
      input = text;
    },
    enter: async () => {
      log.push('enter');
      if (input === '') return;
      if (ignored < ignoredEnters) {
        ignored += 1;
        return;
      }
      input = '';
      submittedAt = time;
    },
    submitted: async (since) => signals && submittedAt !== undefined && submittedAt >= since,
  };
  return { target, clock, log };
}

describe('deliver', () => {
  it('presses Enter once when the CLI takes it', async () => {
    const pane = fakePane(0);
    expect(await deliver(pane.target, 'Say hello', { timeoutMs: 10_000, clock: pane.clock })).toBe(true);
    expect(pane.log).toEqual(['paste', 'enter']);
  });

  it('presses Enter again while the text is still in the input, never pastes twice', async () => {
    const pane = fakePane(2);
    expect(await deliver(pane.target, 'Say hello', { timeoutMs: 10_000, clock: pane.clock })).toBe(true);
    expect(pane.log).toEqual(['paste', 'enter', 'enter', 'enter']);
  });

  it('is not delivered without the agent’s signal, and stops pressing Enter once the text is gone', async () => {
    const pane = fakePane(0, false);
    expect(await deliver(pane.target, 'Say hello', { timeoutMs: 5_000, clock: pane.clock })).toBe(false);
    expect(pane.log).toEqual(['paste', 'enter']);
  });
});

describe('refusals', () => {
  it('a waiting agent or a pane without its CLI is not typed into', () => {
    expect(refusalOf({ state: 'waiting', detail: 'permission: Bash' }, true)).toBe(
      'it is waiting on a dialog (permission: Bash), which typing would answer',
    );
    expect(refusalOf({ state: 'idle', detail: '' }, false)).toBe('its CLI is not running in its pane');
    expect(refusalOf({ state: 'exited', detail: '' }, true)).toBe('its CLI is not running in its pane');
    expect(refusalOf({ state: 'working', detail: '' }, true)).toBeUndefined();
  });
});
