// A line-level view of a TOML document: which lines are table headers, key/value pairs,
// continuations of multi-line values, comments or blanks, and the full key path of each.
// Used to point errors at a line and to edit `[clis.<name>]` tables without re-rendering the
// file. It expects text that smol-toml already accepted, so it never reports syntax errors.
import { parse } from 'smol-toml';

export type TomlLineKind = 'blank' | 'comment' | 'header' | 'keyvalue' | 'continuation';

export interface TomlLine {
  /** Offset of the line's first character. */
  start: number;
  /** Offset just past the line ending (or the end of the text). */
  end: number;
  kind: TomlLineKind;
  /** header: the table's path; keyvalue: table path + dotted key; others: the current table. */
  path: string[];
}

type OpenString = '"""' | "'''" | undefined;

interface ScanState {
  open: OpenString;
  depth: number;
}

/** Index just past a basic string whose opening quote is at `from - 1`. */
function skipBasicString(s: string, from: number): number {
  let i = from;
  while (i < s.length) {
    if (s[i] === '\\') i += 2;
    else if (s[i] === '"') return i + 1;
    else i += 1;
  }
  return s.length;
}

/** Index just past the closing delimiter of an open multi-line string, or -1 if not on this line. */
function findMultilineClose(s: string, from: number, delimiter: '"""' | "'''"): number {
  let i = from;
  while (i < s.length) {
    if (delimiter === '"""' && s[i] === '\\') {
      i += 2;
      continue;
    }
    if (s.startsWith(delimiter, i)) {
      // Up to two quotes right before the closing delimiter belong to the content.
      let j = i;
      while (j < s.length && s[j] === delimiter[0] && j - i < 5) j += 1;
      return j;
    }
    i += 1;
  }
  return -1;
}

/** Scans value text from `from`, updating open strings and bracket depth across lines. */
function scanValue(s: string, from: number, state: ScanState): void {
  let i = from;
  while (i < s.length) {
    if (state.open) {
      const close = findMultilineClose(s, i, state.open);
      if (close < 0) return;
      state.open = undefined;
      i = close;
      continue;
    }
    const c = s[i];
    if (c === '#') return;
    if (c === '"' || c === "'") {
      const triple = c.repeat(3);
      if (s.startsWith(triple, i)) {
        state.open = triple as OpenString;
        i += 3;
      } else if (c === '"') {
        i = skipBasicString(s, i + 1);
      } else {
        const close = s.indexOf("'", i + 1);
        i = close < 0 ? s.length : close + 1;
      }
      continue;
    }
    if (c === '[' || c === '{') state.depth += 1;
    else if (c === ']' || c === '}') state.depth -= 1;
    i += 1;
  }
}

/** Index of `stop` outside quoted key parts, or the line length. */
function scanKey(s: string, from: number, stop: string): number {
  let i = from;
  while (i < s.length) {
    const c = s[i];
    if (c === stop) return i;
    if (c === '"') i = skipBasicString(s, i + 1);
    else if (c === "'") {
      const close = s.indexOf("'", i + 1);
      i = close < 0 ? s.length : close + 1;
    } else i += 1;
  }
  return s.length;
}

/** The key path written as `keyText` (bare, quoted and dotted keys), decoded by the real parser. */
export function parseKeyPath(keyText: string): string[] {
  const trimmed = keyText.trim();
  try {
    const path: string[] = [];
    let node: unknown = parse(`${trimmed} = 0`);
    while (node !== null && typeof node === 'object') {
      const [key] = Object.keys(node);
      if (key === undefined) break;
      path.push(key);
      node = (node as Record<string, unknown>)[key];
    }
    return path;
  } catch {
    return [trimmed];
  }
}

/** Splits text into lines (offsets include the line ending). */
function splitLines(text: string): { start: number; end: number; content: string }[] {
  const lines: { start: number; end: number; content: string }[] = [];
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline + 1;
    const content = text.slice(start, newline < 0 ? text.length : newline).replace(/\r$/, '');
    lines.push({ start, end, content });
    start = end;
  }
  return lines;
}

/** Classifies every line of a (valid) TOML document. */
export function scanTomlLines(text: string): TomlLine[] {
  const state: ScanState = { open: undefined, depth: 0 };
  let table: string[] = [];
  return splitLines(text).map(({ start, end, content: s }) => {
    if (state.open || state.depth > 0) {
      scanValue(s, 0, state);
      return { start, end, kind: 'continuation', path: table };
    }
    const first = s.search(/\S/);
    if (first < 0) return { start, end, kind: 'blank', path: table };
    if (s[first] === '#') return { start, end, kind: 'comment', path: table };
    if (s[first] === '[') {
      const keyStart = first + (s[first + 1] === '[' ? 2 : 1);
      table = parseKeyPath(s.slice(keyStart, scanKey(s, keyStart, ']')));
      return { start, end, kind: 'header', path: table };
    }
    const equals = scanKey(s, first, '=');
    const path = [...table, ...parseKeyPath(s.slice(first, equals))];
    scanValue(s, equals + 1, state);
    return { start, end, kind: 'keyvalue', path };
  });
}

/** True when `path` starts with every key of `prefix`. */
export function isPrefix(prefix: readonly string[], path: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((key, i) => key === path[i]);
}

/**
 * 1-based number of the line that defines `path`: the exact key or header if present, else the
 * line defining its longest written ancestor (e.g. the `[clis.x]` header for a missing key).
 */
export function lineOfKey(lines: readonly TomlLine[], path: readonly string[]): number | undefined {
  let best: { index: number; length: number } | undefined;
  lines.forEach((line, index) => {
    if (line.kind !== 'header' && line.kind !== 'keyvalue') return;
    if (!isPrefix(line.path, path) || line.path.length === 0) return;
    if (!best || line.path.length > best.length) best = { index, length: line.path.length };
  });
  return best && best.index + 1;
}
