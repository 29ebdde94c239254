import { describe, expect, it } from 'vitest';
import { adapterFor } from '../../src/agents/adapters/index.js';
import { bottomOfScreen, classifyScreen, SCREEN_LINES, unknownFlagLine } from '../../src/agents/screen.js';

describe('classifyScreen', () => {
  const claude = adapterFor('claude').screenRules;
  const codex = adapterFor('codex').screenRules;
  const gemini = adapterFor('gemini').screenRules;
  const custom = adapterFor('my-own-cli').screenRules;

  it('names the dialog each CLI shows when it waits for the human', () => {
    expect(classifyScreen('Bash(rm -rf build)\n Do you want to proceed?\n ❯ 1. Yes', claude)).toEqual({
      state: 'waiting',
      detail: 'permission dialog',
    });
    expect(classifyScreen('Would you like to run the following command?\n  $ ls', codex).state).toBe(
      'waiting',
    );
    expect(classifyScreen('Allow execution of [Shell]?', gemini)).toEqual({
      state: 'waiting',
      detail: 'permission dialog',
    });
    expect(classifyScreen('Allow the github MCP server to run tool "create_issue"?', codex)).toEqual({
      state: 'waiting',
      detail: 'approval: MCP tool',
    });
    expect(
      classifyScreen('Allow execution of MCP tool "create_issue" from server "github"?', gemini),
    ).toEqual({
      state: 'waiting',
      detail: 'permission dialog',
    });
    expect(classifyScreen('Do you trust the files in this folder?', gemini)).toEqual({
      state: 'waiting',
      detail: 'trust screen',
    });
  });

  it('sees the busy marker of Claude, Codex and Gemini', () => {
    expect(classifyScreen('✻ Thinking… (12s · esc to interrupt)', claude)).toEqual({
      state: 'working',
      detail: 'busy',
    });
    expect(classifyScreen('• Working (3s • esc to interrupt)', codex).state).toBe('working');
    expect(classifyScreen('⠏ Reading files (esc to cancel, 4s)', gemini).state).toBe('working');
  });

  it('lets a dialog win over a busy marker on the same screen', () => {
    expect(classifyScreen('esc to interrupt\nDo you want to proceed?', custom).state).toBe('waiting');
  });

  it('calls a running CLI with neither idle', () => {
    expect(classifyScreen('> \n  ? for shortcuts', claude)).toEqual({ state: 'idle', detail: '' });
    expect(classifyScreen('', custom)).toEqual({ state: 'idle', detail: '' });
  });
});

describe('bottomOfScreen', () => {
  it('drops the blank rows below the cursor and keeps the last lines with text', () => {
    const rows = Array.from({ length: 45 }, (_, index) => `line ${index}   `);
    const capture = [...rows, '', '', ''].join('\n');
    const bottom = bottomOfScreen(capture).split('\n');
    expect(bottom).toHaveLength(SCREEN_LINES);
    expect(bottom.at(-1)).toBe('line 44');
    expect(bottom[0]).toBe(`line ${45 - SCREEN_LINES}`);
  });

  it('forgets a dialog that scrolled out of the last lines', () => {
    const capture = ['Do you want to proceed?', ...Array.from({ length: SCREEN_LINES }, () => 'output')].join(
      '\n',
    );
    expect(classifyScreen(bottomOfScreen(capture), adapterFor('claude').screenRules).state).toBe('idle');
  });
});

describe('unknownFlagLine', () => {
  it.each([
    ['Claude Code (commander)', "error: unknown option '--settings'"],
    ['Codex (clap)', "error: unexpected argument '--foo' found"],
    [
      'Codex (older clap)',
      "error: Found argument '--foo' which wasn't expected, or isn't valid in this context",
    ],
    ['Gemini CLI (yargs)', 'Unknown arguments: settings-file, x'],
    ['Gemini CLI (yargs, one)', 'Unknown argument: foo'],
    ['Aider (argparse)', 'aider: error: unrecognized arguments: --read'],
    ['getopt', "mycli: invalid option -- 'z'"],
    ['getopt long', "mycli: unrecognized option '--zz'"],
    ['BSD getopt', 'mycli: illegal option -- z'],
  ])('recognises the refusal wording of %s', (_, line) => {
    expect(unknownFlagLine(`$ cli --flags\n${line}\n(Did you mean --setting?)\n$ `)).toBe(line);
  });

  it("starts at the message's `error:` when the CLI printed onto the shell's prompt line", () => {
    expect(unknownFlagLine("# error: unknown option '--settings'\n# ")).toBe(
      "error: unknown option '--settings'",
    );
    expect(unknownFlagLine("user@host:~/wt$ Error: unknown option '--x'")).toBe(
      "Error: unknown option '--x'",
    );
  });

  it('takes the bottom-most refusal, trimmed, and ignores an ordinary screen', () => {
    expect(unknownFlagLine("  error: unknown option '--a'  \nx\n  error: unknown option '--b'  ")).toBe(
      "error: unknown option '--b'",
    );
    expect(unknownFlagLine('$ claude\nbye\n$ ')).toBeUndefined();
  });

  it('keeps a long line short enough for a status line', () => {
    const line = unknownFlagLine(`error: unknown option '--${'x'.repeat(500)}'`);
    expect(line?.length).toBeLessThanOrEqual(160);
  });
});
