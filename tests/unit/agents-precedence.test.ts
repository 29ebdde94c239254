import { describe, expect, it } from 'vitest';
import {
  decidedBy,
  HOOK_SHIELD_MS,
  judge,
  NOT_STARTED,
  type ObservedState,
  type Verdict,
} from '../../src/agents/precedence.js';
import type { AgentState, SignalSource, StateSignal } from '../../src/agents/state.js';

const T0 = 1_700_000_000_000;
const signal = (state: AgentState, source: SignalSource, at: number, detail = ''): StateSignal => ({
  state,
  source,
  detail,
  at,
});

/** Feeds signals in order, keeping whatever each verdict leaves; returns the verdicts too. */
function run(signals: StateSignal[], start: ObservedState = NOT_STARTED) {
  let current = start;
  const verdicts: Verdict[] = [];
  for (const next of signals) {
    const verdict = judge(current, next);
    verdicts.push(verdict);
    if (verdict.outcome !== 'overruled') current = verdict.next;
  }
  return { current, outcomes: verdicts.map((verdict) => verdict.outcome) };
}

describe('agent state precedence', () => {
  it('starts as not_started, and the first signal of any source decides', () => {
    expect(NOT_STARTED).toMatchObject({ state: 'not_started', since: null, source: null });
    for (const source of ['hook', 'screen', 'process', 'agent'] as const) {
      const { current, outcomes } = run([signal('working', source, T0, 'busy')]);
      expect(outcomes).toEqual(['decided']);
      expect(current).toMatchObject({ state: 'working', since: T0, source, detail: 'busy' });
    }
  });

  it('lets the newest signal win and refuses one older than the current state', () => {
    const { current, outcomes } = run([
      signal('working', 'hook', T0),
      signal('idle', 'process', T0 + 10),
      signal('waiting', 'agent', T0 + 5),
    ]);
    expect(outcomes).toEqual(['decided', 'decided', 'overruled']);
    expect(current).toMatchObject({ state: 'idle', source: 'process', since: T0 + 10 });
  });

  it('a signal with the same state confirms it: start time and reason stay', () => {
    const { current, outcomes } = run([
      signal('waiting', 'hook', T0, 'permission: Bash'),
      signal('waiting', 'hook', T0 + 7_000, 'permission'),
      signal('waiting', 'screen', T0 + 20_000, 'permission dialog'),
    ]);
    expect(outcomes).toEqual(['decided', 'confirmed', 'confirmed']);
    expect(current).toMatchObject({
      state: 'waiting',
      since: T0,
      source: 'hook',
      detail: 'permission: Bash',
    });
  });

  it('exited holds against the screen and the agent, and ends with a hook or the process', () => {
    const exited = decidedBy(signal('exited', 'process', T0, 'shell'));
    expect(run([signal('working', 'screen', T0 + 60_000)], exited).outcomes).toEqual(['overruled']);
    expect(run([signal('working', 'agent', T0 + 60_000)], exited).outcomes).toEqual(['overruled']);
    const hook = run([signal('idle', 'hook', T0 + 60_000, 'session started')], exited);
    expect(hook.current).toMatchObject({ state: 'idle', source: 'hook' });
    const process = run([signal('working', 'process', T0 + 60_000, 'claude')], exited);
    expect(process.current).toMatchObject({ state: 'working', source: 'process' });
  });

  it(`a screen reading cannot override a hook state younger than ${HOOK_SHIELD_MS} ms`, () => {
    const { current, outcomes } = run([
      signal('waiting', 'hook', T0, 'permission: Bash'),
      signal('working', 'screen', T0 + HOOK_SHIELD_MS - 1),
      signal('working', 'screen', T0 + HOOK_SHIELD_MS),
    ]);
    expect(outcomes).toEqual(['decided', 'overruled', 'decided']);
    expect(current).toMatchObject({ state: 'working', source: 'screen', since: T0 + HOOK_SHIELD_MS });
  });

  it('a hook confirmation renews the shield; a screen confirmation does not', () => {
    const renewed = run([
      signal('working', 'hook', T0),
      signal('working', 'hook', T0 + 4_000),
      signal('idle', 'screen', T0 + 8_000),
    ]);
    expect(renewed.outcomes).toEqual(['decided', 'confirmed', 'overruled']);
    const notRenewed = run([
      signal('working', 'hook', T0),
      signal('working', 'screen', T0 + 4_000),
      signal('idle', 'screen', T0 + 6_000),
    ]);
    expect(notRenewed.outcomes).toEqual(['decided', 'confirmed', 'decided']);
  });

  it('the shield holds only against the screen', () => {
    const { outcomes } = run([signal('working', 'hook', T0), signal('exited', 'process', T0 + 100)]);
    expect(outcomes).toEqual(['decided', 'decided']);
  });

  it('says why a signal was overruled, and never takes not_started as a signal', () => {
    expect(judge(NOT_STARTED, signal('not_started', 'screen', T0))).toMatchObject({ outcome: 'overruled' });
    const exited = decidedBy(signal('exited', 'hook', T0));
    expect(judge(exited, signal('idle', 'screen', T0 + 1))).toEqual({
      outcome: 'overruled',
      reason: 'exited holds until the CLI starts again',
    });
  });
});
