import { describe, expect, it } from 'vitest';
import {
  parseBrokerStatus,
  StatusUnavailable,
  type BrokerStatus,
} from '../../src/dashboard/broker-status.js';
import { columnWidths, frameKey, KEY_HINT, layoutFrame, type FrameInput } from '../../src/dashboard/frame.js';
import { formatAge } from '../../src/util/duration.js';
import {
  buildRows,
  countsLine,
  formatCoarseAge,
  formatCoarseDuration,
  stateCell,
  statusCell,
} from '../../src/dashboard/rows.js';
import { displayWidth, fitToWidth, sanitizeCell, truncateToWidth } from '../../src/dashboard/text-width.js';

describe('display width', () => {
  it('counts ASCII as one column and emoji / wide characters as two', () => {
    expect(displayWidth('feat-api')).toBe(8);
    expect(displayWidth('🔵 working')).toBe(10);
    expect(displayWidth('⚪ not started')).toBe(14);
    expect(displayWidth('🟢🟡')).toBe(4);
    expect(displayWidth('日本語')).toBe(6);
    expect(displayWidth('👩‍💻')).toBe(2);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('⚠')).toBe(1);
    expect(displayWidth('❤️')).toBe(2);
    expect(displayWidth('👍🏽')).toBe(2);
    expect(displayWidth('🇫🇷')).toBe(2);
    expect(displayWidth('a\u200bb')).toBe(2);
  });

  it('truncates to a width with an ellipsis, never splitting an emoji', () => {
    expect(truncateToWidth('short', 10)).toBe('short');
    expect(truncateToWidth('exactly10!', 10)).toBe('exactly10!');
    expect(truncateToWidth('a much longer text', 10)).toBe('a much lo…');
    expect(displayWidth(truncateToWidth('a much longer text', 10))).toBe(10);
    // "🔵🔵🔵" is 6 columns; in 4 columns only one emoji plus the ellipsis fits.
    expect(truncateToWidth('🔵🔵🔵', 4)).toBe('🔵…');
    expect(truncateToWidth('anything', 0)).toBe('');
    expect(truncateToWidth('anything', 1)).toBe('…');
  });

  it('pads to an exact width', () => {
    expect(fitToWidth('🟢 done', 10)).toBe('🟢 done   ');
    expect(displayWidth(fitToWidth('⚪ not started', 12))).toBe(12);
  });

  it('makes agent text safe: no escape sequences, newlines or bidi overrides', () => {
    expect(sanitizeCell('line one\nline two\tend')).toBe('line one line two end');
    expect(sanitizeCell('\u001b[2Jcleared?')).toBe('[2Jcleared?');
    expect(sanitizeCell('abc\u202edef')).toBe('abcdef');
  });
});

describe('rows', () => {
  it('uses the upstream symbols and labels', () => {
    expect(statusCell('working')).toBe('🔵 working');
    expect(statusCell('done')).toBe('🟢 done');
    expect(statusCell('verified')).toBe('🟢 verified');
    expect(statusCell('blocked')).toBe('🟡 blocked');
    expect(statusCell('idle')).toBe('⚪ idle');
    expect(statusCell('committed')).toBe('⚪ committed');
    expect(statusCell('')).toBe('⚪ not started');
    expect(statusCell(null)).toBe('⚪ not started');
  });

  it('formats ages as upstream', () => {
    expect(formatAge(0)).toBe('0s ago');
    expect(formatAge(30)).toBe('30s ago');
    expect(formatAge(59.9)).toBe('59s ago');
    expect(formatAge(180)).toBe('3m ago');
    expect(formatAge(3600)).toBe('1h 0m ago');
    expect(formatAge(4500)).toBe('1h 15m ago');
    expect(formatAge(-5)).toBe('0s ago');
  });

  it('shows durations that change at most once a minute, so an idle screen is not redrawn more often', () => {
    expect([0, 9, 59.9, 60, 119, 3700].map(formatCoarseDuration)).toEqual([
      '<1m',
      '<1m',
      '<1m',
      '1m',
      '1m',
      '1h 1m',
    ]);
    expect([3, 45, 60, 200].map(formatCoarseAge)).toEqual(['just now', 'just now', '1m ago', '3m ago']);
  });

  it('lists the roster in order, not-started agents included, then agents outside the roster', () => {
    const rows = buildRows(
      [
        { agent_id: 'feat-c', cli: 'claude' },
        { agent_id: 'feat-a', cli: 'codex' },
        { agent_id: 'feat-b', cli: 'gemini' },
      ],
      [
        { agent_id: 'feat-a', cli: '', last_seen_seconds: 72, status: 'working', summary: 'parsing config' },
        { agent_id: 'feat-b', cli: 'gemini', last_seen_seconds: null, status: '', summary: '' },
        { agent_id: 'stray', cli: '', last_seen_seconds: 200, status: 'done', summary: 'exports: X' },
      ],
    );
    expect(rows.map((row) => [row.agent, row.cli, row.status, row.lastUpdate, row.summary])).toEqual([
      ['feat-c', 'claude', '-', '-', ''],
      ['feat-a', 'codex', '🔵 working', '1m ago', 'parsing config'],
      ['feat-b', 'gemini', '-', '-', ''],
      ['stray', '', '🟢 done', '3m ago', 'exports: X'],
    ]);
  });

  it('treats an agent without last_seen_seconds as not started and ages rows by the time since the read', () => {
    const [silent, aged] = buildRows(
      [],
      [
        { agent_id: 'x', status: 'working' },
        { agent_id: 'y', status: 'done', last_seen_seconds: 50 },
      ],
      15,
    );
    expect([silent?.state, silent?.status]).toEqual(['⚪ not started', '-']);
    expect(aged?.lastUpdate).toBe('1m ago');
  });

  it('counts every observed state, then the reported done (incl. verified) and blocked', () => {
    const agents = [
      ['working', 'working'],
      ['working', 'done'],
      ['waiting', 'verified'],
      ['idle', 'blocked'],
      ['error', 'idle'],
      ['exited', ''],
      [undefined, ''],
    ].map(([state, status], index) => ({ agent_id: `a${index}`, state, status, last_seen_seconds: 1 }));
    expect(countsLine(buildRows([], agents))).toBe(
      '7 agents: 2 working, 1 waiting, 1 idle, 1 error, 1 exited, 1 not started · reported 2 done, 1 blocked',
    );
    expect(countsLine(buildRows([], agents.slice(0, 1)))).toBe('1 agents: 1 working');
    expect(countsLine([])).toBe('0 agents');
  });

  it('shows the observed state with one icon per state and its reason', () => {
    expect(stateCell('working', '')).toBe('⚙ working');
    expect(stateCell('waiting', 'permission: Bash')).toBe('⏳ waiting · permission: Bash');
    expect(stateCell('idle', null)).toBe('💤 idle');
    expect(stateCell('error', 'rate_limit\n')).toBe('✖ error · rate_limit');
    expect(stateCell('exited', '')).toBe('⏹ exited');
    expect(stateCell('not_started', undefined)).toBe('⚪ not started');
    // One column for the text-presentation icons, two for the emoji ones, as terminals draw them.
    expect(['⚙ working', '⏳ waiting', '💤 idle', '✖ error', '⏹ exited'].map(displayWidth)).toEqual([
      9, 10, 7, 7, 8,
    ]);
    const [row] = buildRows(
      [],
      [{ agent_id: 'a', state: 'sleeping', status: 'working', last_seen_seconds: 1 }],
    );
    expect(row?.state).toBe('⚪ not started');
  });
});

const status = (agents: BrokerStatus['agents'], uptime = 75): BrokerStatus => ({
  git_paw: true,
  agents,
  uptime_seconds: uptime,
  session: 'paw-proj',
});

function frame(overrides: Partial<FrameInput> = {}): string[] {
  return layoutFrame({
    session: 'paw-proj',
    brokerUrl: 'http://127.0.0.1:9119',
    roster: [],
    columns: 80,
    rows: 24,
    ...overrides,
  }).map((line) => line.text);
}

describe('frame layout', () => {
  it('shows header, counts, table and key hint', () => {
    const lines = frame({
      latest: {
        ageSeconds: 0,
        status: status([
          {
            agent_id: 'feat-api',
            cli: 'claude',
            status: 'working',
            last_seen_seconds: 3,
            summary: 'writing handlers',
            state: 'waiting',
            state_detail: 'permission: Bash',
          },
        ]),
      },
    });
    expect(lines[0]).toBe('git-paw dashboard · paw-proj');
    expect(lines[1]).toBe('broker http://127.0.0.1:9119 · up 1m');
    expect(lines[2]).toBe('1 agents: 1 waiting');
    expect(lines).toContain('  Agent      CLI     State                 Status      Last Update  Summary');
    expect(lines).toContain(
      '› feat-api   claude  ⏳ waiting · permis…  🔵 working  just now     writing han…',
    );
    expect(lines.at(-1)).toBe(KEY_HINT);
  });

  it("adds a Port column when the agents have ports, showing each one's PORT", () => {
    const lines = frame({
      roster: [
        { agent_id: 'feat-a', cli: 'claude', ports: [3100] },
        { agent_id: 'feat-b', cli: 'codex', ports: [3101, 3102] },
      ],
      latest: { ageSeconds: 0, status: status([]) },
      columns: 100,
    });
    expect(lines).toContain(
      '  Agent            CLI     Port  State           Status      Last Update  Summary',
    );
    expect(lines).toContain('› feat-a           claude  3100  ⚪ not started  -           -');
    expect(lines).toContain('  feat-b           codex   3101  ⚪ not started  -           -');
  });

  it('says so when there are no agents, and when the broker never answered', () => {
    expect(frame({ latest: { ageSeconds: 0, status: status([]) } })).toContain('No agents connected yet');
    expect(frame()).toContain('No answer from the broker at http://127.0.0.1:9119 yet.');
  });

  it('shows a warning while the broker is unreachable, keeping the last known rows', () => {
    const lines = frame({
      latest: { ageSeconds: 20, status: status([{ agent_id: 'a', status: 'done', last_seen_seconds: 45 }]) },
      outage: { reason: 'connection refused', seconds: 20 },
    });
    expect(lines[3]).toBe('⚠ broker unreachable (connection refused) for 20s — retrying');
    expect(lines.some((line) => line.includes('🟢 done') && line.includes('1m ago'))).toBe(true);
  });

  it('fits an 80×24 pane with many agents and long text', () => {
    const agents = Array.from({ length: 30 }, (_, index) => ({
      agent_id: `feature-with-a-rather-long-branch-name-${index}`,
      cli: 'some-very-long-cli-name',
      status: 'working',
      last_seen_seconds: 4500,
      summary: 'x'.repeat(200),
    }));
    const lines = frame({
      latest: { ageSeconds: 0, status: status(agents) },
      outage: { reason: 'no answer within 2s', seconds: 3 },
    });
    expect(lines.length).toBeLessThan(24);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(80);
    expect(lines.some((line) => /^… and \d+ more agents/.test(line))).toBe(true);
    expect(lines.some((line) => line.includes('1h 15m ago'))).toBe(true);
  });

  it('keeps Summary usable in narrow panes by giving up Agent width', () => {
    const rows = buildRows(
      [],
      [{ agent_id: 'a'.repeat(30), cli: 'claude', status: 'working', last_seen_seconds: 1 }],
    );
    expect(columnWidths(rows, 120).agent).toBe(24);
    const narrow = columnWidths(rows, 60);
    expect(narrow.summary).toBeGreaterThanOrEqual(12);
    expect(narrow.agent).toBeLessThan(24);
    expect(narrow.state).toBeGreaterThanOrEqual(10);
    // The narrowest panes drop the self-reported Status; the observed State stays.
    const tiny = columnWidths(rows, 60);
    expect([tiny.agent, tiny.status, tiny.state]).toEqual([8, 0, 14]);
    expect(columnWidths(rows, 50).state).toBe(10);
    const lines = frame({ columns: 60, latest: { ageSeconds: 0, status: status([{ agent_id: 'a' }]) } });
    // The selection gutter takes two columns from State here.
    expect(lines).toContain('  Agent     CLI     State          Last Update  Summary');
    expect(lines).toContain('› a                 ⚪ not start…  -');
  });

  it('gives the same key for the same screen and a different one when anything changes', () => {
    const input = {
      latest: { ageSeconds: 0, status: status([{ agent_id: 'a', status: 'working', last_seen_seconds: 5 }]) },
    };
    const same = layoutFrame({ session: 's', brokerUrl: 'u', roster: [], columns: 80, rows: 24, ...input });
    const again = layoutFrame({ session: 's', brokerUrl: 'u', roster: [], columns: 80, rows: 24, ...input });
    const later = layoutFrame({
      session: 's',
      brokerUrl: 'u',
      roster: [],
      columns: 80,
      rows: 24,
      latest: { ...input.latest, ageSeconds: 60 },
    });
    expect(frameKey(same)).toBe(frameKey(again));
    expect(frameKey(later)).not.toBe(frameKey(same));
  });
});

describe('broker status answers', () => {
  it('accepts a git-paw broker with missing optional fields', () => {
    const parsed = parseBrokerStatus(
      { agents: [{ agent_id: 'a' }], git_paw: true, uptime_seconds: 0, version: '0.3.0' },
      'paw-proj',
    );
    expect(parsed.agents).toEqual([{ agent_id: 'a' }]);
  });

  it('rejects something that is not a git-paw broker, or the broker of another session', () => {
    expect(() => parseBrokerStatus({ hello: 'world' }, 'paw-proj')).toThrow(StatusUnavailable);
    expect(() => parseBrokerStatus({ agents: [], git_paw: true, session: 'paw-other' }, 'paw-proj')).toThrow(
      "the port is held by the broker of session 'paw-other'",
    );
  });
});
