import { describe, expect, it } from 'vitest';
import { attachModeFor, attachHint } from '../../src/tmux/attach.js';
import { baseSessionName, pickSessionName } from '../../src/tmux/naming.js';
import { BORDER_FORMAT, buildFrameArgs, buildPanesArgs, buildStartArgs, escapeArgument, escapeFormat, escapeGlob, quoteConfigWord, sessionEnvScript, type PanePlan, type SessionPlan } from '../../src/tmux/plan.js';

/** Splits a chained argv back into its commands (the `;` separator arguments). */
function commands(argv: string[]): string[][] {
  const result: string[][] = [[]];
  for (const arg of argv) {
    if (arg === ';') result.push([]);
    else result.at(-1)?.push(arg);
  }
  return result;
}

const plan: SessionPlan = {
  name: 'paw-my-app',
  mouse: true,
  env: {},
  panes: [
    { cwd: '/w/my app-feat-a', label: 'feat/a → claude', command: "'/bin/my claude'", env: { GIT_PAW_AGENT_ID: 'feat-a' }, agentId: 'feat-a' },
    { cwd: '/w/#S;', label: 'feat/b → codex', command: 'codex --x;', env: { GIT_PAW_AGENT_ID: 'feat-b' }, logPath: "/w/logs/it's #1.log" },
  ],
};

describe('buildFrameArgs', () => {
  const frame = commands(buildFrameArgs(plan, '/w/my app'));

  it('creates a detached, sized session whose only pane is a silent placeholder, printing its id', () => {
    expect(frame[0]).toEqual(['new-session', '-d', '-P', '-F', '#{pane_id}', '-s', 'paw-my-app', '-x', '200', '-y', '50', '-c', '/w/my app', '--', 'cat']);
    expect(frame.filter((c) => c.includes('#{pane_id}'))).toHaveLength(1);
    expect(frame.some((c) => c[0] === 'split-window' || c[0] === 'send-keys')).toBe(false);
  });

  it('sets mouse, border status and a border showing @paw_label, all with exact targets', () => {
    expect(frame.slice(1)).toEqual([
      ['set-option', '-t', '=paw-my-app:', 'mouse', 'on'],
      ['set-option', '-w', '-t', '=paw-my-app:', 'pane-border-status', 'top'],
      ['set-option', '-w', '-t', '=paw-my-app:', 'pane-border-format', BORDER_FORMAT],
    ]);
    expect(BORDER_FORMAT).toBe(' #{@paw_label} ');
  });

  it('omits mouse when disabled and escapes formats in the placeholder directory', () => {
    const argv = commands(buildFrameArgs({ ...plan, mouse: false }, '/w/#S;'));
    expect(argv.some((c) => c.includes('mouse'))).toBe(false);
    expect(argv[0]).toContain('/w/##S\\;');
  });

  it('sets session variables from the sourced file only, right after the session exists', () => {
    const secret = 'ab'.repeat(32);
    const withEnv = { ...plan, env: { GIT_PAW_BROKER_URL: 'http://127.0.0.1:9119', GIT_PAW_BROKER_TOKEN: secret } };
    const argv = buildFrameArgs(withEnv, '/w', '/d/sessions/.tmux-env-x/session-env.conf');
    for (const arg of argv) expect(arg).not.toContain(secret);
    expect(commands(argv)[1]).toEqual(['source-file', '/d/sessions/.tmux-env-x/session-env.conf']);
    expect(commands(argv).some((c) => c[0] === 'set-environment')).toBe(false);
    expect(sessionEnvScript(withEnv)).toBe(
      "set-environment -t '=paw-my-app' 'GIT_PAW_BROKER_URL' 'http://127.0.0.1:9119'\n" +
        `set-environment -t '=paw-my-app' 'GIT_PAW_BROKER_TOKEN' '${secret}'\n`,
    );
    expect(() => buildFrameArgs(withEnv, '/w')).toThrow();
  });

  it('quotes config words and escapes glob patterns', () => {
    expect(quoteConfigWord("it's $HOME #x;")).toBe("'it'\\''s $HOME #x;'");
    expect(quoteConfigWord('')).toBe("''");
    expect(escapeGlob('/d/we[i]rd*?\\x')).toBe('/d/we\\[i\\]rd\\*\\?\\\\x');
  });

  it('creates hidden windows in the background right after the session, their argv passed as is', () => {
    const argv = commands(
      buildFrameArgs({ ...plan, windows: [{ name: 'broker', env: { CONFIG: '{"a":"b;"}' }, argv: ['/my node', '/x/cli.js', '__broker;'] }] }, '/w'),
    );
    expect(argv[1]).toEqual(['new-window', '-d', '-n', 'broker', '-t', '=paw-my-app:', '-e', 'CONFIG={"a":"b;"}', '--', '/my node', '/x/cli.js', '__broker\\;']);
  });
});

/** The commands invocation 2 runs for `plan`'s panes: each split, the re-tiling, the placeholder's removal. */
const SPLIT_A = ['split-window', '-t', '=paw-my-app:', '-P', '-F', '#{pane_id}', '-c', '/w/my app-feat-a', '-e', 'GIT_PAW_AGENT_ID=feat-a'];
const SPLIT_B = ['split-window', '-t', '=paw-my-app:', '-P', '-F', '#{pane_id}', '-c', '/w/##S\\;', '-e', 'GIT_PAW_AGENT_ID=feat-b'];
const TILE = ['select-layout', '-t', '=paw-my-app:', 'tiled'];
const KILL_PLACEHOLDER = ['kill-pane', '-t', '%0'];

describe('buildPanesArgs', () => {
  const panes = commands(buildPanesArgs(plan, '%0'));

  it('splits the first pane off the placeholder, removes it, then splits each next pane after re-tiling', () => {
    expect(panes).toEqual([SPLIT_A, KILL_PLACEHOLDER, TILE, SPLIT_B, TILE]);
  });

  it('never addresses a pane by index', () => {
    for (const arg of buildPanesArgs(plan, '%0')) expect(arg).not.toMatch(/:\d+\.\d+$/);
  });

  it('refuses an empty plan', () => {
    expect(() => buildPanesArgs({ ...plan, panes: [] }, '%0')).toThrow();
  });
});

describe('a first pane that opens with the frame', () => {
  const dashboard = { cwd: '/w/my app', label: 'dashboard', command: 'git-paw dashboard', env: {}, opensWithFrame: true };
  const withDashboard: SessionPlan = { ...plan, env: { TOKEN: 'x' }, panes: [dashboard, ...plan.panes] };

  it('is split off the placeholder in the frame, after the session variables it inherits', () => {
    const frame = commands(buildFrameArgs(withDashboard, '/w/my app', '/d/env.conf'));
    const names = frame.map((command) => command[0]);
    expect(names.indexOf('split-window')).toBeGreaterThan(names.indexOf('source-file'));
    expect(frame).toContainEqual(['split-window', '-t', '=paw-my-app:', '-P', '-F', '#{pane_id}', '-c', '/w/my app']);
  });

  it('is not opened again: the other panes split off it, and the placeholder goes after the first', () => {
    // The same commands as without it, re-tiled first: two panes are there already.
    expect(commands(buildPanesArgs(withDashboard, '%0'))).toEqual([TILE, SPLIT_A, KILL_PLACEHOLDER, TILE, SPLIT_B, TILE]);
  });

  it('only as the first pane, and never as the only one', () => {
    const later: SessionPlan = { ...plan, panes: [plan.panes[0] as PanePlan, dashboard] };
    expect(commands(buildFrameArgs(later, '/w')).map((command) => command[0])).not.toContain('split-window');
    expect(() => buildPanesArgs({ ...plan, panes: [dashboard] }, '%0')).toThrow();
  });
});

describe('buildStartArgs', () => {
  it('labels, tags with its agent and pipes (quoted) each pane by id, selects the first, then types each command literally', () => {
    expect(commands(buildStartArgs(plan, ['%3', '%7']))).toEqual([
      ['set-option', '-p', '-t', '%3', '@paw_label', 'feat/a → claude'],
      ['set-option', '-p', '-t', '%3', '@paw_agent', 'feat-a'],
      ['set-option', '-p', '-t', '%7', '@paw_label', 'feat/b → codex'],
      ['pipe-pane', '-t', '%7', "cat >> '/w/logs/it'\\''s ##1.log'"],
      ['select-pane', '-t', '%3'],
      ['send-keys', '-t', '%3', '-l', '--', "'/bin/my claude'"],
      ['send-keys', '-t', '%3', 'Enter'],
      ['send-keys', '-t', '%7', '-l', '--', 'codex --x\\;'],
      ['send-keys', '-t', '%7', 'Enter'],
    ]);
  });

  it('refuses a pane id count that does not match the plan', () => {
    expect(() => buildStartArgs(plan, ['%1'])).toThrow();
  });
});

describe('escaping', () => {
  it('escapes a trailing semicolon only', () => {
    expect(escapeArgument('a;b')).toBe('a;b');
    expect(escapeArgument('ab;')).toBe('ab\\;');
    expect(escapeArgument(';')).toBe('\\;');
  });

  it('doubles # for format-expanded arguments', () => {
    expect(escapeFormat('/a/#{x}#S')).toBe('/a/##{x}##S');
  });
});

describe('session naming', () => {
  it('replaces the characters tmux rewrites', () => {
    expect(baseSessionName('proj')).toBe('paw-proj');
    expect(baseSessionName('my.app:v2')).toBe('paw-my-app-v2');
  });

  it('takes the first free name of base, -2 … -11', () => {
    expect(pickSessionName('paw-p', () => false)).toBe('paw-p');
    expect(pickSessionName('paw-p', (n) => n === 'paw-p' || n === 'paw-p-2')).toBe('paw-p-3');
    expect(() => pickSessionName('paw-p', () => true)).toThrow("Tmux error: too many session name collisions for 'paw-p'");
  });
});

describe('attachModeFor', () => {
  const tty = { noAttach: false, stdinIsTTY: true, stdoutIsTTY: true, insideTmux: false };
  it.each([
    [{}, 'attach'],
    [{ insideTmux: true }, 'switch'],
    [{ noAttach: true }, 'print'],
    [{ noAttach: true, insideTmux: true }, 'print'],
    [{ stdinIsTTY: false }, 'print'],
    [{ stdoutIsTTY: false, insideTmux: true }, 'print'],
  ])('%j → %s', (override, mode) => {
    expect(attachModeFor({ ...tty, ...override })).toBe(mode);
  });

  it('prints a copy-pastable attach command', () => {
    expect(attachHint('paw-proj')).toBe("Session 'paw-proj' is running. Attach with: tmux attach -t paw-proj");
    expect(attachHint('paw-my app')).toBe("Session 'paw-my app' is running. Attach with: tmux attach -t 'paw-my app'");
  });
});
