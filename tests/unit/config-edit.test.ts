import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteCliEntry, saveCliEntry, withCliEntry, withoutCliEntry } from '../../src/config/edit.js';
import { ConfigError } from '../../src/util/errors.js';

const PATH = '/home/u/.config/git-paw/config.toml';

const COMMENTED = `# my global git-paw config
default_cli = "claude"  # the usual one

# broker settings
[broker]
enabled = true
brokr = 1               # a typo kept as written

[clis.one]
command = "/bin/true"   # first
display_name = "One"
# about the presets below

[presets.be]
branches = [
  "feat/a", # [not.a.header]
  "feat/b",
]
cli = "claude"
`;

/** Splits COMMENTED right after `marker` (a whole line). */
function splitAfter(text: string, marker: string): [string, string] {
  const at = text.indexOf(marker) + marker.length;
  return [text.slice(0, at), text.slice(at)];
}

describe('withCliEntry', () => {
  it('adds a table after the last [clis.*] table and leaves every other byte alone', () => {
    const result = withCliEntry(COMMENTED, PATH, 'my-agent', { command: '/opt/my agent', display_name: 'My "Agent"' });
    const [head, tail] = splitAfter(COMMENTED, 'display_name = "One"\n');
    expect(result).toBe(`${head}\n[clis.my-agent]\ncommand = "/opt/my agent"\ndisplay_name = "My \\"Agent\\""\n${tail}`);
  });

  it('replaces an existing table in place, whatever its header spelling', () => {
    const text = 'a = 1\n\n[ clis . "one" ]  # old\ncommand = "/old"\ndisplay_name = "Old"\n\n[clis.two]\ncommand = "/two"\n';
    expect(withCliEntry(text, PATH, 'one', { command: '/new' })).toBe('a = 1\n\n[clis.one]\ncommand = "/new"\n\n[clis.two]\ncommand = "/two"\n');
  });

  it('writes only the table into an empty file, and no [broker] table', () => {
    expect(withCliEntry('', PATH, 'x', { command: '/bin/x' })).toBe('[clis.x]\ncommand = "/bin/x"\n');
    expect(withCliEntry('# only a comment', PATH, 'x', { command: '/bin/x' })).toBe('# only a comment\n\n[clis.x]\ncommand = "/bin/x"\n');
  });

  it('appends at the end when there is no [clis.*] table yet', () => {
    expect(withCliEntry('mouse = false\n\n[broker]\nenabled = true\n', PATH, 'x', { command: '/bin/x' })).toBe(
      'mouse = false\n\n[broker]\nenabled = true\n\n[clis.x]\ncommand = "/bin/x"\n',
    );
  });

  it('quotes names that are not bare keys and keeps CRLF line endings', () => {
    expect(withCliEntry('a = 1\r\n', PATH, 'my.agent', { command: '/x' })).toBe('a = 1\r\n\r\n[clis."my.agent"]\r\ncommand = "/x"\r\n');
  });

  it('never inserts a table between root keys written as dotted clis keys', () => {
    expect(withCliEntry('clis.one.command = "/a"\nmouse = true\n', PATH, 'two', { command: '/b' })).toBe(
      'clis.one.command = "/a"\nmouse = true\n\n[clis.two]\ncommand = "/b"\n',
    );
  });

  it('rewrites an entry written as dotted keys as a table', () => {
    const result = withCliEntry('[clis]\none = { command = "/a" }\ntwo = { command = "/b" }\n', PATH, 'one', { command: '/c' });
    expect(result).toBe('[clis]\ntwo = { command = "/b" }\n\n[clis.one]\ncommand = "/c"\n');
    expect(parse(result)).toEqual({ clis: { one: { command: '/c' }, two: { command: '/b' } } });
  });

  it('refuses, changing nothing, when the entry lives in an inline table', () => {
    expect(() => withCliEntry('clis = { one = { command = "/a" } }\n', PATH, 'two', { command: '/b' })).toThrow(
      `Config error: ${PATH}: cannot edit clis.two without rewriting other parts of the file`,
    );
  });

  it('refuses to edit a file that does not parse', () => {
    expect(() => withCliEntry('this is not [valid toml', PATH, 'x', { command: '/x' })).toThrow(ConfigError);
  });
});

describe('withoutCliEntry', () => {
  it('removes only the table and the blank line before it, keeping comments around it', () => {
    const withTwo = withCliEntry(COMMENTED, PATH, 'two', { command: '/bin/two' });
    expect(withoutCliEntry(withTwo, PATH, 'two')).toBe(COMMENTED);
    const [head, tail] = splitAfter(COMMENTED, 'brokr = 1               # a typo kept as written\n');
    expect(withoutCliEntry(COMMENTED, PATH, 'one')).toBe(head + tail.slice(tail.indexOf('# about the presets below')));
  });

  it('leaves no blank gap at the start or end of the file', () => {
    expect(withoutCliEntry('[clis.a]\ncommand = "/a"\n\n[clis.b]\ncommand = "/b"\n', PATH, 'a')).toBe('[clis.b]\ncommand = "/b"\n');
    expect(withoutCliEntry('[clis.a]\ncommand = "/a"\n\n[clis.b]\ncommand = "/b"\n', PATH, 'b')).toBe('[clis.a]\ncommand = "/a"\n');
  });

  it('removes an entry written as a key of [clis]', () => {
    expect(withoutCliEntry('[clis]\none = { command = "/a" }\ntwo = { command = "/b" }\n', PATH, 'one')).toBe('[clis]\ntwo = { command = "/b" }\n');
  });

  it('returns undefined when there is no such entry', () => {
    expect(withoutCliEntry(COMMENTED, PATH, 'nothing')).toBeUndefined();
    expect(withoutCliEntry('', PATH, 'nothing')).toBeUndefined();
  });
});

describe('saveCliEntry / deleteCliEntry', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'paw-edit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the file and its directories, then removes the entry again', async () => {
    const file = join(dir, 'git-paw', 'config.toml');
    await saveCliEntry(file, 'x', { command: '/bin/x' });
    expect(readFileSync(file, 'utf8')).toBe('[clis.x]\ncommand = "/bin/x"\n');
    expect(await deleteCliEntry(file, 'x')).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('');
    expect(await deleteCliEntry(file, 'x')).toBe(false);
  });

  it('reports a missing file as nothing to remove, without creating it', async () => {
    const file = join(dir, 'absent.toml');
    expect(await deleteCliEntry(file, 'x')).toBe(false);
    expect(existsSync(file)).toBe(false);
  });

  it('keeps the file mode of an existing file', async () => {
    const file = join(dir, 'config.toml');
    writeFileSync(file, 'mouse = true\n');
    chmodSync(file, 0o600);
    await saveCliEntry(file, 'x', { command: '/bin/x' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
