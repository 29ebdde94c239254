import { describe, expect, it } from 'vitest';
import { attachModeFor, attachHint } from '../../src/tmux/attach.js';
import { baseSessionName, pickSessionName } from '../../src/tmux/naming.js';
import { BORDER_FORMAT, buildCreateArgs, buildSetupArgs, buildStartArgs, escapeArgument, escapeFormat, escapeGlob, quoteConfigWord, sessionEnvScript, type SessionPlan } from '../../src/tmux/plan.js';

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
    { cwd: '/w/my app-feat-a', label: 'feat/a → claude', command: "'/bin/my claude'", env: { GIT_PAW_AGENT_ID: 'feat-a' } },
    { cwd: '/w/#S;', label: 'feat/b → codex', command: 'codex --x;', env: { GIT_PAW_AGENT_ID: 'feat-b' }, logPath: "/w/logs/it's #1.log" },
  ],
};

describe('buildCreateArgs', () => {
  const create = commands(buildCreateArgs(plan));

  it('creates a detached, sized session printing pane ids, with the first pane in its worktree', () => {
    expect(create[0]).toEqual([
      'new-session', '-d', '-P', '-F', '#{pane_id}', '-s', 'paw-my-app', '-x', '200', '-y', '50',
      '-c', '/w/my app-feat-a', '-e', 'GIT_PAW_AGENT_ID=feat-a',
    ]);
  });

  it('keeps the first pane variables out of the session environment', () => {
    expect(create[1]).toEqual(['set-environment', '-t', '=paw-my-app', '-u', 'GIT_PAW_AGENT_ID']);
  });

  it('sets mouse, border status and a border showing @paw_label, all with exact targets', () => {
    expect(create).toContainEqual(['set-option', '-t', '=paw-my-app:', 'mouse', 'on']);
    expect(create).toContainEqual(['set-option', '-w', '-t', '=paw-my-app:', 'pane-border-status', 'top']);
    expect(create).toContainEqual(['set-option', '-w', '-t', '=paw-my-app:', 'pane-border-format', BORDER_FORMAT]);
    expect(BORDER_FORMAT).toBe(' #{@paw_label} ');
  });

  it('splits with -c (format-escaped), per-pane env and pane id output; never a pane index', () => {
    const split = create.find((c) => c[0] === 'split-window');
    expect(split).toEqual(['split-window', '-t', '=paw-my-app:', '-P', '-F', '#{pane_id}', '-c', '/w/##S\\;', '-e', 'GIT_PAW_AGENT_ID=feat-b']);
    expect(create.at(-1)).toEqual(['select-layout', '-t', '=paw-my-app:', 'tiled']);
    for (const arg of buildCreateArgs(plan)) expect(arg).not.toMatch(/:\d+\.\d+$/);
  });

  it('omits mouse when disabled', () => {
    expect(commands(buildCreateArgs({ ...plan, mouse: false })).some((c) => c.includes('mouse'))).toBe(false);
  });

  it('sets session variables from the sourced file only, before the first real pane exists', () => {
    const secret = 'ab'.repeat(32);
    const withEnv = { ...plan, env: { GIT_PAW_BROKER_URL: 'http://127.0.0.1:9119', GIT_PAW_BROKER_TOKEN: secret } };
    const argv = buildCreateArgs(withEnv, '/d/sessions/.tmux-env-x/session-env.conf');
    for (const arg of argv) expect(arg).not.toContain(secret);
    const create = commands(argv);
    expect(create.slice(0, 4)).toEqual([
      ['new-session', '-d', '-s', 'paw-my-app', '-x', '200', '-y', '50', '-c', '/w/my app-feat-a', '--', 'cat'],
      ['source-file', '/d/sessions/.tmux-env-x/session-env.conf'],
      ['split-window', '-t', '=paw-my-app:', '-P', '-F', '#{pane_id}', '-c', '/w/my app-feat-a', '-e', 'GIT_PAW_AGENT_ID=feat-a'],
      ['kill-pane', '-a', '-t', '=paw-my-app:'],
    ]);
    // Only the real panes print their ids.
    expect(create.filter((c) => c.includes('#{pane_id}'))).toHaveLength(2);
    expect(create.some((c) => c[0] === 'set-environment')).toBe(false);
    expect(sessionEnvScript(withEnv)).toBe(
      "set-environment -t '=paw-my-app' 'GIT_PAW_BROKER_URL' 'http://127.0.0.1:9119'\n" +
        `set-environment -t '=paw-my-app' 'GIT_PAW_BROKER_TOKEN' '${secret}'\n`,
    );
    expect(() => buildCreateArgs(withEnv)).toThrow();
  });

  it('keeps a session value that the first pane overrides in the session', () => {
    const withEnv = { ...plan, env: { GIT_PAW_AGENT_ID: 'session' } };
    const create = commands(buildCreateArgs(withEnv, '/f'));
    expect(create[2]).toContain('GIT_PAW_AGENT_ID=feat-a');
    expect(sessionEnvScript(withEnv)).toBe("set-environment -t '=paw-my-app' 'GIT_PAW_AGENT_ID' 'session'\n");
  });

  it('quotes config words and escapes glob patterns', () => {
    expect(quoteConfigWord("it's $HOME #x;")).toBe("'it'\\''s $HOME #x;'");
    expect(quoteConfigWord('')).toBe("''");
    expect(escapeGlob('/d/we[i]rd*?\\x')).toBe('/d/we\\[i\\]rd\\*\\?\\\\x');
  });

  it('refuses an empty plan', () => {
    expect(() => buildCreateArgs({ ...plan, panes: [] })).toThrow();
  });

  it('creates hidden windows in the background right after the session, their argv passed as is', () => {
    const argv = commands(
      buildCreateArgs({ ...plan, windows: [{ name: 'broker', env: { CONFIG: '{"a":"b;"}' }, argv: ['/my node', '/x/cli.js', '__broker;'] }] }),
    );
    const index = argv.findIndex((c) => c[0] === 'new-window');
    expect(argv[index]).toEqual(['new-window', '-d', '-n', 'broker', '-t', '=paw-my-app:', '-e', 'CONFIG={"a":"b;"}', '--', '/my node', '/x/cli.js', '__broker\\;']);
    // After the first pane's variables left the session environment, before any split.
    expect(index).toBe(2);
    expect(argv.findIndex((c) => c[0] === 'split-window')).toBeGreaterThan(index);
  });
});

describe('buildSetupArgs and buildStartArgs', () => {
  it('labels and pipes (quoted) each pane by id, typing nothing yet', () => {
    expect(commands(buildSetupArgs(plan, ['%3', '%7']))).toEqual([
      ['set-option', '-p', '-t', '%3', '@paw_label', 'feat/a → claude'],
      ['set-option', '-p', '-t', '%7', '@paw_label', 'feat/b → codex'],
      ['pipe-pane', '-t', '%7', "cat >> '/w/logs/it'\\''s ##1.log'"],
      ['select-pane', '-t', '%3'],
    ]);
  });

  it('then types each command literally, by pane id', () => {
    expect(commands(buildStartArgs(plan, ['%3', '%7']))).toEqual([
      ['send-keys', '-t', '%3', '-l', '--', "'/bin/my claude'"],
      ['send-keys', '-t', '%3', 'Enter'],
      ['send-keys', '-t', '%7', '-l', '--', 'codex --x\\;'],
      ['send-keys', '-t', '%7', 'Enter'],
    ]);
  });

  it('refuses a pane id count that does not match the plan', () => {
    expect(() => buildSetupArgs(plan, ['%1'])).toThrow();
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

describe('attachModeFor (TARGET §5)', () => {
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
