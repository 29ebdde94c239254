import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveCommandLine, splitFirstWord } from '../../src/clis/command.js';
import type { CliInfo } from '../../src/clis/known.js';
import { commandToStore, validateCliName } from '../../src/clis/register.js';
import { requireKnownCli, resolveCliChoice } from '../../src/clis/resolve.js';
import { CliNotFoundError, ConfigError, PawError, UsageError } from '../../src/util/errors.js';
import { writeExecutable } from '../helpers/executable.js';

let root: string;
let bin: string;


beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'paw-resolve-'));
  bin = join(root, 'bin');
  mkdirSync(bin);
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

const CLAUDE: CliInfo = { name: 'claude', displayName: 'Claude', path: '/x/claude', source: 'detected', command: '/x/claude' };
const CUSTOM: CliInfo = { name: 'mine', displayName: 'Mine', path: '/x/my agent', source: 'custom', command: "'/x/my agent' --fast" };

describe('splitFirstWord', () => {
  it('splits off the first shell word, honouring quotes and backslashes', () => {
    expect(splitFirstWord('aider --model x')).toEqual({ word: 'aider', rest: '--model x' });
    expect(splitFirstWord("  '/opt/my tools/a' -v ")).toEqual({ word: '/opt/my tools/a', rest: '-v' });
    expect(splitFirstWord('"/opt/say \\"hi\\""')).toEqual({ word: '/opt/say "hi"', rest: '' });
    expect(splitFirstWord('/opt/my\\ tool x')).toEqual({ word: '/opt/my tool', rest: 'x' });
  });
});

describe('resolveCommandLine', () => {
  it('runs an existing absolute path with spaces as one word', () => {
    const spaced = writeExecutable(join(root, 'a b'), "it's");
    expect(resolveCommandLine(spaced, bin)).toEqual({ path: spaced, command: `'${spaced.replace("'", "'\\''")}'` });
  });

  it('returns undefined when the first word is nowhere', () => {
    expect(resolveCommandLine('nope-xyz --x', bin)).toBeUndefined();
    expect(resolveCommandLine('', bin)).toBeUndefined();
  });
});

describe('resolveCliChoice', () => {
  it('maps a known name to its command', () => {
    expect(resolveCliChoice('claude', [CLAUDE, CUSTOM], bin)).toEqual({ name: 'claude', command: '/x/claude' });
    expect(resolveCliChoice('mine', [CLAUDE, CUSTOM], bin)).toEqual({ name: 'mine', command: "'/x/my agent' --fast" });
  });

  it('runs an unknown value as given when its first word is on PATH', () => {
    const aider = writeExecutable(bin, 'aider');
    expect(resolveCliChoice('aider --model "x y"', [CLAUDE], bin)).toEqual({ name: 'aider --model "x y"', command: `${aider} --model "x y"` });
  });

  it('fails with a hint when nothing matches', () => {
    let error: unknown;
    try {
      resolveCliChoice('ghost', [CLAUDE], bin);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PawError);
    expect((error as PawError).message).toBe("CLI 'ghost' not found");
    expect((error as PawError).hint).toBe('run `git paw list-clis` to see available CLIs, or `git paw add-cli` to register one');
    expect(() => resolveCliChoice('  ', [CLAUDE], bin)).toThrow("CLI '  ' not found");
  });
});

describe('requireKnownCli', () => {
  it('returns a detected or custom CLI and rejects anything else with the upstream message', () => {
    expect(requireKnownCli('mine', [CLAUDE, CUSTOM])).toBe(CUSTOM);
    expect(() => requireKnownCli('aider', [CLAUDE])).toThrow(CliNotFoundError);
    expect(() => requireKnownCli('aider', [CLAUDE])).toThrow("CLI 'aider' not found in config");
  });
});

describe('add-cli command resolution', () => {
  it('stores a name found on PATH as its absolute path', () => {
    const agent = writeExecutable(bin, 'my-agent');
    expect(commandToStore('my-agent', bin)).toEqual({ command: agent, warnings: [] });
  });

  it('resolves the first word of a command with arguments and keeps the arguments', () => {
    const spaced = writeExecutable(join(root, 'x y'), 'agent');
    expect(commandToStore('agent --fast', `${join(root, 'x y')}`)).toEqual({ command: `'${spaced}' --fast`, warnings: [] });
  });

  it('stores an absolute path verbatim, warning when it does not exist or cannot run', () => {
    expect(commandToStore('/does/not/exist', bin)).toEqual({ command: '/does/not/exist', warnings: ["'/does/not/exist' does not exist (stored anyway)"] });
    const plain = join(root, 'plain');
    writeFileSync(plain, '');
    expect(commandToStore(plain, bin).warnings).toEqual([`'${plain}' is not executable (stored anyway)`]);
    expect(commandToStore(root, bin).warnings).toEqual([`'${root}' is not a file (stored anyway)`]);
    const ok = writeExecutable(bin, 'ok');
    expect(commandToStore(ok, bin)).toEqual({ command: ok, warnings: [] });
  });

  it('fails with the upstream message when a name is not on PATH', () => {
    expect(() => commandToStore('surely-not-on-path-xyz', bin)).toThrow(ConfigError);
    expect(() => commandToStore('surely-not-on-path-xyz', bin)).toThrow("Config error: command 'surely-not-on-path-xyz' not found on PATH");
    expect(() => commandToStore('nope-xyz --flag', bin)).toThrow("command 'nope-xyz' not found on PATH");
    expect(() => commandToStore(' ', bin)).toThrow(UsageError);
  });

  it('rejects empty names and names with spaces', () => {
    expect(() => validateCliName('')).toThrow(UsageError);
    expect(() => validateCliName('my agent')).toThrow("invalid CLI name 'my agent'");
    expect(() => validateCliName('my-agent')).not.toThrow();
  });
});
