// Comment-preserving edits of the global config for add-cli / remove-cli. Only the lines
// of the `[clis.<name>]` table change; comments, ordering, unknown keys and every other table
// stay byte-for-byte. (@decimalturn/toml-patch was tried and rejected: it wrote new entries as
// root-level dotted keys and dropped comments above unrelated tables.) Every edit is checked by
// re-parsing the result; an edit that would change anything else is refused, not written.
import { existsSync, statSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { parse, stringify } from 'smol-toml';
import { ConfigError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { readConfigText } from './load.js';
import type { CliEntry } from './schema.js';
import { isPrefix, scanTomlLines, type TomlLine } from './toml-lines.js';
import { formatKeyPath, parseConfigText } from './validate.js';

type Table = Record<string, unknown>;

/** An inclusive range of line indexes. */
interface LineRange {
  first: number;
  last: number;
}

/** The `[clis.<name>]` table: its header through its last key/value line. */
function findCliTable(lines: readonly TomlLine[], name: string): LineRange | undefined {
  const first = lines.findIndex((line) => line.kind === 'header' && line.path.length === 2 && isPrefix(['clis', name], line.path));
  if (first < 0) return undefined;
  let last = first;
  for (let i = first + 1; i < lines.length && lines[i]?.kind !== 'header'; i += 1) {
    const kind = lines[i]?.kind;
    if (kind === 'keyvalue' || kind === 'continuation') last = i;
  }
  return { first, last };
}

/** Key/value lines (with their continuation lines) that write `clis.<name>` as dotted keys. */
function findCliKeyLines(lines: readonly TomlLine[], name: string): LineRange[] {
  const ranges: LineRange[] = [];
  lines.forEach((line, i) => {
    if (line.kind !== 'keyvalue' || !isPrefix(['clis', name], line.path)) return;
    let last = i;
    while (lines[last + 1]?.kind === 'continuation') last += 1;
    ranges.push({ first: i, last });
  });
  return ranges;
}

function removeRanges(text: string, lines: readonly TomlLine[], ranges: readonly LineRange[]): string {
  let result = text;
  for (const { first, last } of [...ranges].sort((a, b) => b.first - a.first)) {
    result = result.slice(0, lines[first]?.start ?? 0) + result.slice(lines[last]?.end ?? result.length);
  }
  return result;
}

/** Where a new `[clis.*]` table goes: after the last `[clis…]` table's content, else at the end. */
function insertionLine(lines: readonly TomlLine[]): number | undefined {
  let after: number | undefined;
  let inClisTable = false;
  lines.forEach((line, i) => {
    if (line.kind === 'header') inClisTable = line.path[0] === 'clis';
    if (inClisTable && line.kind !== 'blank' && line.kind !== 'comment') after = i;
  });
  return after;
}

function renderBlock(name: string, entry: CliEntry, newline: string): string {
  const body = stringify(entry.display_name === undefined ? { command: entry.command } : entry);
  const text = `[${formatKeyPath(['clis', name])}]\n${body.endsWith('\n') ? body : `${body}\n`}`;
  return text.replaceAll('\n', newline);
}

function refuse(path: string, name: string): never {
  throw new ConfigError(`${path}: cannot edit ${formatKeyPath(['clis', name])} without rewriting other parts of the file`, {
    hint: `write it as a [${formatKeyPath(['clis', name])}] table, or edit the file by hand`,
  });
}

/** Parsed data in a comparable form, without an empty `clis` table. */
function comparable(text: string): unknown {
  const data = JSON.parse(JSON.stringify(parse(text))) as Table;
  if (data.clis !== undefined && Object.keys(data.clis as Table).length === 0) delete data.clis;
  return data;
}

/** Checks that `after` parses to `before` with only `clis.<name>` changed as intended. */
function verify(path: string, name: string, before: string, after: string, entry: Table | undefined): void {
  const expected = JSON.parse(JSON.stringify(parse(before))) as Table;
  const clis = { ...(expected.clis as Table | undefined) };
  if (entry === undefined) delete clis[name];
  else clis[name] = JSON.parse(JSON.stringify(entry));
  expected.clis = clis;
  if (Object.keys(clis).length === 0) delete expected.clis;
  let actual: unknown;
  try {
    actual = comparable(after);
  } catch {
    refuse(path, name);
  }
  if (!isDeepStrictEqual(actual, expected)) refuse(path, name);
}

/** `text` with `[clis.<name>]` set to `entry` (replaced in place, or added). */
export function withCliEntry(text: string, path: string, name: string, entry: CliEntry): string {
  parseConfigText(text, path);
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const block = renderBlock(name, entry, newline);
  let lines = scanTomlLines(text);
  const table = findCliTable(lines, name);
  let result: string;
  if (table) {
    result = text.slice(0, lines[table.first]?.start ?? 0) + block + text.slice(lines[table.last]?.end ?? text.length);
  } else {
    const base = removeRanges(text, lines, findCliKeyLines(lines, name));
    lines = scanTomlLines(base);
    const after = insertionLine(lines);
    if (after === undefined) {
      const head = base === '' || base.endsWith('\n') ? base : base + newline;
      result = (head === '' || /(\r?\n){2}$/.test(head) ? head : head + newline) + block;
    } else {
      const end = lines[after]?.end ?? base.length;
      const head = base.slice(0, end);
      result = (head.endsWith('\n') ? head : head + newline) + newline + block + base.slice(end);
    }
  }
  verify(path, name, text, result, (parse(block) as { clis: Table }).clis[name] as Table);
  return result;
}

/** `text` without `[clis.<name>]`, or undefined when it has no such entry. */
export function withoutCliEntry(text: string, path: string, name: string): string | undefined {
  const { file } = parseConfigText(text, path);
  if (!file.clis || !Object.hasOwn(file.clis, name)) return undefined;
  const lines = scanTomlLines(text);
  const table = findCliTable(lines, name);
  let ranges = findCliKeyLines(lines, name);
  if (table) {
    const isBlank = (i: number) => lines[i]?.kind === 'blank';
    let { first, last } = table;
    // Also drop the blank line that separated the table (the one add-cli writes before it), or
    // leading blanks at the start of the file, or trailing blanks at its end.
    if (first === 0) while (isBlank(last + 1)) last += 1;
    else if (isBlank(first - 1)) first -= 1;
    if (last === lines.length - 1) while (first > 0 && isBlank(first - 1)) first -= 1;
    ranges = [{ first, last }];
  }
  const result = removeRanges(text, lines, ranges);
  verify(path, name, text, result, undefined);
  return result;
}

export interface CliEntryEdit {
  /** Unknown-key warnings of the file as it is now. */
  warnings: string[];
  /** Adds or replaces the entry and writes the file (refused when the edit would touch more). */
  save(): void;
}

/** Reads and validates the config file at `path` once, for adding or replacing `[clis.<name>]`. */
export async function prepareCliEntry(path: string, name: string, entry: CliEntry): Promise<CliEntryEdit> {
  const text = (await readConfigText(path)) ?? '';
  const { warnings } = parseConfigText(text, path);
  return { warnings, save: () => writeConfigFile(path, withCliEntry(text, path, name, entry)) };
}

/** Adds or replaces `[clis.<name>]` in the config file at `path` (created when missing). */
export async function saveCliEntry(path: string, name: string, entry: CliEntry): Promise<void> {
  (await prepareCliEntry(path, name, entry)).save();
}

/** Removes `[clis.<name>]` from the config file at `path`; false when it had no such entry. */
export async function deleteCliEntry(path: string, name: string): Promise<boolean> {
  const text = await readConfigText(path);
  const result = text === undefined ? undefined : withoutCliEntry(text, path, name);
  if (result === undefined) return false;
  writeConfigFile(path, result);
  return true;
}

function writeConfigFile(path: string, content: string): void {
  try {
    const mode = existsSync(path) ? statSync(path).mode & 0o777 : 0o644;
    writeFileAtomic(path, content, { mode });
  } catch (error) {
    throw new ConfigError(`${path}: cannot write: ${(error as Error).message}`, {
      hint: 'make sure the file and its directory are writable',
    });
  }
}
