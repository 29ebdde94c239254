import { describe, expect, it } from 'vitest';
import { whyLines, type AgentSignalsDocument } from '../../src/broker/client/why.js';

const at = (second: number) => `2026-01-01T10:00:${String(second).padStart(2, '0')}.000Z`;
/** Shows the seconds only, so the lines do not depend on the machine's time zone. */
const seconds = (iso: string) => `:${iso.slice(17, 19)}`;
const once = (second: number) => ({ count: 1, last_at: at(second) });

describe('status --why lines', () => {
  it('marks the deciding signal and says why an overruled one did not count', () => {
    const doc: AgentSignalsDocument = {
      agent_id: 'feat-a',
      state: 'waiting',
      state_since: at(2),
      state_source: 'hook',
      state_detail: 'permission: Bash',
      signals: [
        {
          state: 'working',
          source: 'hook',
          detail: 'prompt submitted',
          at: at(1),
          outcome: 'decided',
          ...once(1),
        },
        {
          state: 'waiting',
          source: 'hook',
          detail: 'permission: Bash',
          at: at(2),
          outcome: 'decided',
          ...once(2),
        },
        {
          state: 'working',
          source: 'screen',
          detail: '',
          at: at(3),
          outcome: 'overruled',
          reason: 'a hook reported the state less than 5 s before',
          ...once(3),
        },
        {
          state: 'waiting',
          source: 'screen',
          detail: 'permission dialog',
          at: at(8),
          outcome: 'confirmed',
          count: 4,
          last_at: at(11),
        },
      ],
    };
    expect(whyLines(doc, seconds)).toEqual([
      'feat-a: waiting since :02, decided by hook (permission: Bash)',
      '  :01  hook    working  prompt submitted   decided',
      '→ :02  hook    waiting  permission: Bash   decided',
      '  :03  screen  working  -                  overruled: a hook reported the state less than 5 s before',
      '  :08  screen  waiting  permission dialog  confirmed ×4 until :11',
    ]);
  });

  it('says so when the deciding signal has left the ring, and when there was no signal', () => {
    const confirmations = Array.from({ length: 2 }, (_, index) => ({
      state: 'working' as const,
      source: 'hook' as const,
      detail: 'tool: Edit',
      at: at(10 + index),
      outcome: 'confirmed' as const,
      ...once(10 + index),
    }));
    const lines = whyLines(
      {
        agent_id: 'feat-a',
        state: 'working',
        state_since: at(1),
        state_source: 'agent',
        state_detail: '',
        signals: confirmations,
      },
      seconds,
    );
    expect(lines.slice(0, 2)).toEqual([
      'feat-a: working since :01, decided by agent',
      '  (the deciding signal is older than the ones below)',
    ]);
    expect(lines.slice(2).every((line) => line.startsWith('  :1'))).toBe(true);
    expect(
      whyLines({
        agent_id: 'feat-b',
        state: 'not_started',
        state_since: null,
        state_source: null,
        state_detail: '',
        signals: [],
      }),
    ).toEqual(['feat-b: not started (no signal yet)']);
  });
});
