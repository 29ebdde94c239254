import { describe, expect, it } from 'vitest';
import { lineOfKey, parseKeyPath, scanTomlLines } from '../../src/config/toml-lines.js';

function summary(text: string): string[] {
  return scanTomlLines(text).map((line) => `${line.kind} ${line.path.join('/')}`);
}

describe('scanTomlLines', () => {
  it('classifies headers, keys, comments and blanks with full key paths', () => {
    expect(summary('# top\nmouse = true\n\n[clis."my agent"]  # c\ncommand = "x"\n[[odd.array]]\nbroker.port = 1\n')).toEqual([
      'comment ',
      'keyvalue mouse',
      'blank ',
      'header clis/my agent',
      'keyvalue clis/my agent/command',
      'header odd/array',
      'keyvalue odd/array/broker/port',
    ]);
  });

  it('does not mistake lines inside multi-line arrays and strings for headers', () => {
    const text = [
      '[presets.x]',
      'branches = [',
      '  "a", # [not.a.header]',
      '  ["nested"],',
      ']',
      'cli = """',
      '[also.not.a.header]',
      'ends here"""',
      "note = '''",
      "# not a comment'''",
      'after = "a # b [c]"',
    ].join('\n');
    expect(summary(text)).toEqual([
      'header presets/x',
      'keyvalue presets/x/branches',
      'continuation presets/x',
      'continuation presets/x',
      'continuation presets/x',
      'keyvalue presets/x/cli',
      'continuation presets/x',
      'continuation presets/x',
      'keyvalue presets/x/note',
      'continuation presets/x',
      'keyvalue presets/x/after',
    ]);
  });

  it('handles escaped quotes and extra quotes before a closing delimiter', () => {
    expect(summary('a = "x \\" [y"\nb = """q""""\n[t]\n')).toEqual(['keyvalue a', 'keyvalue b', 'header t']);
  });

  it('records offsets that cover the text, CRLF included', () => {
    const text = 'a = 1\r\n[t]\r\nb = 2';
    const lines = scanTomlLines(text);
    expect(lines.map((line) => text.slice(line.start, line.end))).toEqual(['a = 1\r\n', '[t]\r\n', 'b = 2']);
  });
});

describe('parseKeyPath and lineOfKey', () => {
  it('decodes bare, quoted and dotted keys', () => {
    expect(parseKeyPath(' clis . "a.b" . \'c\' ')).toEqual(['clis', 'a.b', 'c']);
  });

  it('finds the exact key, else its closest written ancestor', () => {
    const lines = scanTomlLines('mouse = 1\n[clis.x]\ndisplay_name = "X"\n[broker]\nport = 7\n');
    expect(lineOfKey(lines, ['mouse'])).toBe(1);
    expect(lineOfKey(lines, ['clis', 'x', 'command'])).toBe(2);
    expect(lineOfKey(lines, ['broker', 'port'])).toBe(5);
    expect(lineOfKey(lines, ['presets'])).toBeUndefined();
  });
});
