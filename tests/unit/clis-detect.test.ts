import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectClis } from '../../src/clis/detect.js';
import { defaultDisplayName, KNOWN_CLIS } from '../../src/clis/known.js';
import { formatCliTable } from '../../src/clis/table.js';
import { emptyConfig, type PawConfig } from '../../src/config/schema.js';
import { writeExecutable } from '../helpers/executable.js';

let root: string;
let bin: string;


function config(clis: PawConfig['clis']): PawConfig {
  return { ...emptyConfig(), clis };
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'paw-detect-'));
  bin = join(root, 'bin');
  mkdirSync(bin);
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('known CLIs', () => {
  it('lists the seven built-ins in upstream order with capitalised display names', () => {
    expect(KNOWN_CLIS).toEqual(['claude', 'codex', 'gemini', 'aider', 'vibe', 'qwen', 'amp']);
    expect(KNOWN_CLIS.map(defaultDisplayName)).toEqual(['Claude', 'Codex', 'Gemini', 'Aider', 'Vibe', 'Qwen', 'Amp']);
    expect(defaultDisplayName('my-agent')).toBe('My-agent');
  });
});

describe('detectClis', () => {
  it('finds built-ins on PATH, sorted by display name, with absolute quoted commands', () => {
    const claude = writeExecutable(bin, 'claude');
    const aider = writeExecutable(bin, 'aider');
    const { clis, warnings } = detectClis(emptyConfig(), bin);
    expect(warnings).toEqual([]);
    expect(clis).toEqual([
      { name: 'aider', displayName: 'Aider', path: aider, source: 'detected', command: aider },
      { name: 'claude', displayName: 'Claude', path: claude, source: 'detected', command: claude },
    ]);
  });

  it('takes the first match in PATH order and ignores non-executable files', () => {
    const first = writeExecutable(join(root, 'first'), 'codex');
    writeExecutable(bin, 'codex');
    writeFileSync(join(bin, 'gemini'), 'not executable');
    const { clis } = detectClis(emptyConfig(), `${join(root, 'first')}:${bin}`);
    expect(clis.map((cli) => [cli.name, cli.path])).toEqual([['codex', first]]);
  });

  it('returns nothing when PATH holds no known CLI', () => {
    expect(detectClis(emptyConfig(), bin)).toEqual({ clis: [], warnings: [] });
  });

  it('adds custom CLIs: absolute paths, names on PATH, and commands with arguments', () => {
    const spaced = writeExecutable(join(root, 'my tools'), 'agent');
    const onPath = writeExecutable(bin, 'helper');
    const { clis } = detectClis(
      config({
        spaced: { command: spaced },
        named: { command: 'helper', display_name: 'Named Helper' },
        args: { command: 'helper --model "big one"' },
        quoted: { command: `'${spaced}' -v` },
      }),
      bin,
    );
    const byName = Object.fromEntries(clis.map((cli) => [cli.name, cli]));
    expect(byName.spaced).toMatchObject({ displayName: 'Spaced', path: spaced, source: 'custom', command: `'${spaced}'` });
    expect(byName.named).toMatchObject({ displayName: 'Named Helper', path: onPath, command: onPath });
    expect(byName.args).toMatchObject({ path: onPath, command: `${onPath} --model "big one"` });
    expect(byName.quoted).toMatchObject({ path: spaced, command: `'${spaced}' -v` });
  });

  it('accepts an existing absolute path without the executable bit, as upstream', () => {
    const file = join(root, 'plain');
    writeFileSync(file, '');
    expect(detectClis(config({ plain: { command: file } }), bin).clis).toHaveLength(1);
  });

  it('drops a custom CLI that is not found, with upstream warning text', () => {
    const { clis, warnings } = detectClis(config({ ghost: { command: '/nonexistent/ghost' }, typo: { command: 'nope-xyz' } }), bin);
    expect(clis).toEqual([]);
    expect(warnings).toEqual([
      "custom CLI 'ghost' not found at '/nonexistent/ghost', skipping",
      "custom CLI 'typo' not found at 'nope-xyz', skipping",
    ]);
  });

  it('lets a custom entry replace the detected CLI of the same name', () => {
    writeExecutable(bin, 'claude');
    const mine = writeExecutable(join(root, 'mine'), 'claude-wrapper');
    const { clis } = detectClis(config({ claude: { command: mine, display_name: 'My Claude' } }), bin);
    expect(clis).toEqual([{ name: 'claude', displayName: 'My Claude', path: mine, source: 'custom', command: mine }]);
  });

  it('sorts case-insensitively by display name across sources', () => {
    writeExecutable(bin, 'qwen');
    writeExecutable(bin, 'aider');
    const zebra = writeExecutable(join(root, 'z'), 'zebra');
    const { clis } = detectClis(config({ zebra: { command: zebra }, lower: { command: zebra, display_name: 'beta' } }), bin);
    expect(clis.map((cli) => cli.name)).toEqual(['aider', 'lower', 'qwen', 'zebra']);
  });
});

describe('formatCliTable', () => {
  it('prints upstream columns, overflowing long names', () => {
    const lines = formatCliTable([
      { name: 'aider', displayName: 'Aider', path: '/b/aider', source: 'detected', command: '/b/aider' },
      { name: 'a-very-long-cli-name', displayName: 'X', path: '/b/x', source: 'custom', command: '/b/x' },
    ]);
    expect(lines).toEqual([
      'NAME            SOURCE     PATH',
      'aider           detected   /b/aider',
      'a-very-long-cli-name custom     /b/x',
    ]);
  });

  it('says how to get a CLI when there is none', () => {
    expect(formatCliTable([])).toEqual(['No AI CLIs found.', 'Install one or use `git paw add-cli` to register a custom CLI.']);
  });
});
