// Parsing and validating the text of one config file: TOML syntax and schema errors become a
// one-line Config error naming the file, line and key; unknown keys become warnings.
import { parse, TomlError } from 'smol-toml';
import { isKnownCli } from '../clis/known.js';
import { ConfigError } from '../util/errors.js';
import { isObjectSchema, isOptionalSchema, isRecordSchema, safeParse, type Issue, type Schema } from '../util/schema.js';
import { configFileSchema, type ConfigFile } from './schema.js';
import { lineOfKey, scanTomlLines } from './toml-lines.js';

type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}

/** `a.b."c d"`: a key path the way TOML would write it. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  return path.map((key) => (/^[A-Za-z0-9_-]+$/.test(String(key)) ? String(key) : JSON.stringify(String(key)))).join('.');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (!isTable(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function tomlTypeName(value: unknown): string {
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return 'a boolean';
  if (typeof value === 'number' || typeof value === 'bigint') return Number.isInteger(value) ? 'an integer' : 'a float';
  if (value instanceof Date) return 'a date/time';
  if (Array.isArray(value)) return 'an array';
  return 'a table';
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  boolean: 'a boolean',
  number: 'a number',
  int: 'an integer',
  array: 'an array',
  object: 'a table',
  record: 'a table',
};

/** `key: what is wrong`, for one schema issue against the raw TOML data. */
function describeIssue(issue: Issue, raw: unknown): string {
  const key = formatKeyPath(issue.path);
  const value = valueAt(raw, issue.path);
  if (issue.code === 'invalid_type') {
    if (value === undefined) {
      const parent = formatKeyPath(issue.path.slice(0, -1));
      return `${parent ? `${parent}: ` : ''}missing required key '${String(issue.path.at(-1))}'`;
    }
    return `${key}: expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${tomlTypeName(value)}`;
  }
  if (issue.code === 'invalid_value') {
    return `${key}: expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${JSON.stringify(value)}`;
  }
  if (issue.code === 'too_big' || issue.code === 'too_small') return `${key}: ${issue.message}, got ${String(value)}`;
  return `${key}: ${issue.message}`;
}

/** Paths of keys in `value` that `schema` does not know. */
function unknownKeys(schema: Schema<unknown>, value: unknown, path: string[] = []): string[][] {
  const inner = isOptionalSchema(schema) ? schema.inner : schema;
  if (!isTable(value)) return [];
  if (isObjectSchema(inner)) {
    const { shape } = inner;
    return Object.entries(value).flatMap(([key, child]) => {
      const childSchema = Object.hasOwn(shape, key) ? shape[key] : undefined;
      return childSchema ? unknownKeys(childSchema, child, [...path, key]) : [[...path, key]];
    });
  }
  if (isRecordSchema(inner)) return Object.entries(value).flatMap(([key, child]) => unknownKeys(inner.values, child, [...path, key]));
  return [];
}

function tomlErrorDetail(error: TomlError): string {
  const firstLine = error.message.split('\n')[0] ?? error.message;
  return `line ${error.line}: ${firstLine.replace(/^Invalid TOML document: /, '')}`;
}

/** A `[clis.<name>]` entry may leave out `command` only to set options of a built-in CLI. */
function requireCustomCommands(file: ConfigFile, text: string, path: string): void {
  const name = Object.entries(file.clis ?? {}).find(([cli, entry]) => entry.command === undefined && !isKnownCli(cli))?.[0];
  if (name === undefined) return;
  const line = lineOfKey(scanTomlLines(text), ['clis', name]);
  throw new ConfigError(`${path}: ${line === undefined ? '' : `line ${line}: `}clis.${name}: missing required key 'command'`, {
    hint: `add command = "<program>" to [clis.${name}] (only built-in CLIs such as claude may have a table without one)`,
  });
}

/**
 * Parses and validates the text of the config file at `path`. Throws a ConfigError such as
 * `Config error: <path>: line 3: mouse: expected a boolean, got a string`.
 */
export function parseConfigText(text: string, path: string): { file: ConfigFile; warnings: string[] } {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    const detail = error instanceof TomlError ? tomlErrorDetail(error) : String(error);
    throw new ConfigError(`${path}: ${detail}`, { hint: 'fix the TOML syntax there (strings need quotes, tables [brackets])' });
  }
  const result = safeParse(configFileSchema, raw);
  if (!result.success) {
    // Report the problem that comes first in the file; count the rest.
    const lines = scanTomlLines(text);
    const located = result.issues.map((issue) => ({ issue, line: lineOfKey(lines, issue.path.map(String)) }));
    located.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
    const [first] = located;
    const where = first?.line === undefined ? '' : `line ${first.line}: `;
    const more = located.length > 1 ? ` (and ${located.length - 1} more)` : '';
    const key = first ? formatKeyPath(first.issue.path.map(String)) : undefined;
    throw new ConfigError(`${path}: ${where}${first ? describeIssue(first.issue, raw) : 'invalid config'}${more}`, {
      hint: `${key ? `fix or remove '${key}'` : 'fix the file'}; the README's configuration section lists every key and its type`,
    });
  }
  requireCustomCommands(result.data, text, path);
  const warnings = unknownKeys(configFileSchema, raw).map((key) => `unknown key '${formatKeyPath(key)}' in ${path}`);
  return { file: result.data, warnings };
}
