import { describe, expect, it } from 'vitest';
import { attentionOrder, nextNeedingAttention, type AttentionInput } from '../../src/attention/order.js';
import { matchAgent } from '../../src/attention/match.js';
import { moveSelection, selectedIn } from '../../src/dashboard/selection.js';

const agents = (...entries: [string, AttentionInput['state'], string?][]): AttentionInput[] =>
  entries.map(([agentId, state, label]) => ({ agentId, state, label }));

describe('attention order', () => {
  it('puts waiting, error, blocked, finished, working, not started first to last, roster order inside', () => {
    const order = attentionOrder(
      agents(
        ['a', 'working'],
        ['b', 'not_started'],
        ['c', 'idle'],
        ['d', 'working', 'blocked'],
        ['e', 'error'],
        ['f', 'waiting', 'done'],
        ['g', 'exited'],
        ['h', 'working', 'done'],
      ),
    );
    expect(order.map((entry) => entry.agentId)).toEqual(['f', 'e', 'd', 'c', 'g', 'h', 'a', 'b']);
  });

  it('moves an agent only when it changes group', () => {
    const before = attentionOrder(agents(['a', 'idle'], ['b', 'working'], ['c', 'exited']));
    const flapped = attentionOrder(agents(['a', 'exited'], ['b', 'working'], ['c', 'idle', 'done']));
    expect(flapped.map((entry) => entry.agentId)).toEqual(before.map((entry) => entry.agentId));
    const moved = attentionOrder(agents(['a', 'idle'], ['b', 'waiting'], ['c', 'exited']));
    expect(moved.map((entry) => entry.agentId)).toEqual(['b', 'a', 'c']);
  });

  it('next visits each agent that needs the human in turn and never a busy one', () => {
    const order = attentionOrder(agents(['a', 'working'], ['b', 'idle'], ['c', 'waiting']));
    expect(nextNeedingAttention(order)?.agentId).toBe('c');
    expect(nextNeedingAttention(order, 'c')?.agentId).toBe('b');
    expect(nextNeedingAttention(order, 'b')?.agentId).toBe('c');
    expect(nextNeedingAttention(order, 'a')?.agentId).toBe('c');
    expect(
      nextNeedingAttention(attentionOrder(agents(['a', 'working'], ['b', 'not_started']))),
    ).toBeUndefined();
  });
});

describe('dashboard selection', () => {
  it('stays on the same agent when the order changes and stops at the ends', () => {
    expect(selectedIn(['b', 'a', 'c'], 'a')).toBe('a');
    expect(selectedIn(['b', 'c'], 'a')).toBe('b');
    expect(moveSelection(['a', 'b', 'c'], 'b', 1)).toBe('c');
    expect(moveSelection(['c', 'a', 'b'], 'b', -1)).toBe('a');
    expect(moveSelection(['a', 'b'], 'b', 1)).toBe('b');
    expect(moveSelection(['a', 'b'], undefined, -1)).toBe('a');
  });
});

describe('jump targets', () => {
  const roster = [
    { agentId: 'feat-api', branch: 'feat/api' },
    { agentId: 'feat-ui', branch: 'feat/ui' },
  ];
  it('matches an exact id or branch, then a unique prefix, then a unique substring', () => {
    expect(matchAgent(roster, 'feat/ui', 's').agentId).toBe('feat-ui');
    expect(matchAgent(roster, 'feat-a', 's').agentId).toBe('feat-api');
    expect(matchAgent(roster, 'UI', 's').agentId).toBe('feat-ui');
  });
  it('names the agents when the target is ambiguous or unknown', () => {
    expect(() => matchAgent(roster, 'feat', 's')).toThrow(
      "'feat' matches more than one agent of session 's': feat-api (feat/api), feat-ui (feat/ui)",
    );
    expect(() => matchAgent(roster, 'zzz', 's')).toThrow("no agent matching 'zzz' in session 's'");
  });
});

describe('[tmux] jump_key', () => {
  it('is a config error naming file, line and key when it is not one tmux key', async () => {
    const { parseConfigText } = await import('../../src/config/validate.js');
    expect(() => parseConfigText('mouse = true\n[tmux]\njump_key = "NN"\n', '/x/config.toml')).toThrow(
      'Config error: /x/config.toml: line 3: tmux.jump_key: expected one tmux key such as "N", "C-n" or "F5"',
    );
    expect(parseConfigText('[tmux]\njump_key = "C-n"\n', '/x/config.toml').file.tmux?.jump_key).toBe('C-n');
  });
});
