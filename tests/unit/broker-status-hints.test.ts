import { describe, expect, it } from 'vitest';
import { integrationFailureLines } from '../../src/broker/client/status-hints.js';

describe('integrationFailureLines', () => {
  it("names the agent, quotes the CLI's refusal and hints at the per-CLI switch", () => {
    expect(
      integrationFailureLines([
        { agent_id: 'feat-a', cli: 'claude', state: 'idle', state_detail: '' },
        {
          agent_id: 'feat-b',
          cli: 'claude',
          state: 'exited',
          state_detail: "integration failed: error: unknown option '--settings'",
        },
      ]),
    ).toEqual([
      "feat-b: integration failed, claude refused a flag git-paw passed: error: unknown option '--settings'",
      'hint: set [clis.claude] integrate = false in .git-paw/config.toml',
    ]);
  });

  it('gives the hint once per CLI, after the agents', () => {
    const failed = (agent_id: string, cli: string) => ({
      agent_id,
      cli,
      state: 'exited',
      state_detail: "integration failed: error: unexpected argument '-c' found",
    });
    const lines = integrationFailureLines([
      failed('a', 'codex'),
      failed('b', 'codex'),
      failed('c', 'gemini'),
    ]);
    expect(lines.map((line) => line.split(':')[0])).toEqual(['a', 'b', 'c', 'hint', 'hint']);
    expect(lines.slice(3)).toEqual([
      'hint: set [clis.codex] integrate = false in .git-paw/config.toml',
      'hint: set [clis.gemini] integrate = false in .git-paw/config.toml',
    ]);
  });

  it('says nothing for an ordinary exit or a 0.3.0 broker without state', () => {
    expect(
      integrationFailureLines([
        { agent_id: 'a', cli: 'codex', state: 'exited', state_detail: 'back at the shell' },
        { agent_id: 'b', cli: 'codex' },
      ]),
    ).toEqual([]);
  });

  it('quotes a CLI name that is not a bare TOML key and keeps control characters off the screen', () => {
    const lines = integrationFailureLines([
      { agent_id: 'a', cli: 'my.cli', state: 'exited', state_detail: 'integration failed: bad\u001b[2Jflag' },
    ]);
    expect(lines[0]).not.toContain('\u001b');
    expect(lines[1]).toBe('hint: set [clis."my.cli"] integrate = false in .git-paw/config.toml');
  });
});
