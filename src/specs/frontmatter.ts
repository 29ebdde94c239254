// YAML frontmatter of spec files: one splitter for both backends and a real YAML parser,
// so quoted values (`paw_status: "pending"`) mean what they say. Broken YAML is a Spec error
// naming the file and line, never silently ignored.
import { parseDocument } from 'yaml';
import { describeError, SpecError } from '../util/errors.js';

export interface SplitText {
  /** The YAML between the `---` lines (undefined: the text has no frontmatter). */
  yaml?: string;
  /** 1-based line number of the first YAML line in the file. */
  yamlLine: number;
  /** Everything after the closing `---` line (leading blank lines dropped), or the whole text. */
  body: string;
  /** True when an opening `---` line has no closing one. */
  unclosed: boolean;
}

/**
 * Splits LF-normalised text into frontmatter and body. Frontmatter is present when the first
 * non-blank line is `---` and a later line is `---` (surrounding whitespace ignored).
 */
export function splitFrontmatter(text: string): SplitText {
  const lines = text.split('\n');
  const open = lines.findIndex((line) => line.trim() !== '');
  if (open === -1 || lines[open]?.trim() !== '---') return { yamlLine: 0, body: text, unclosed: false };
  const close = lines.findIndex((line, index) => index > open && line.trim() === '---');
  if (close === -1) return { yamlLine: 0, body: text, unclosed: true };
  return {
    yaml: lines.slice(open + 1, close).join('\n'),
    yamlLine: open + 2,
    body: lines.slice(close + 1).join('\n').replace(/^\n+/, ''),
    unclosed: false,
  };
}

export type Fields = Record<string, unknown>;

/** Parses the frontmatter YAML into a mapping; `file` names the spec in errors. */
export function parseFields(split: SplitText, file: string): Fields {
  if (split.yaml === undefined) return {};
  const document = parseDocument(split.yaml, { prettyErrors: false });
  const [error] = document.errors;
  if (error) {
    const line = split.yamlLine + (split.yaml.slice(0, error.pos[0]).match(/\n/g)?.length ?? 0);
    throw new SpecError(`invalid frontmatter in ${file} (line ${line}): ${error.message}`, {
      hint: "frontmatter is YAML between two '---' lines, e.g. paw_status: pending",
    });
  }
  let value: unknown;
  try {
    value = document.toJS();
  } catch (error) {
    // The parser refuses some documents only while building values (e.g. too many aliases).
    throw new SpecError(`invalid frontmatter in ${file}: ${describeError(error)}`, {
      hint: "frontmatter is YAML between two '---' lines, e.g. paw_status: pending",
    });
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new SpecError(`invalid frontmatter in ${file}: expected 'key: value' lines`);
  }
  return value as Fields;
}

/** A text field: strings as given, numbers as written; null, missing or blank → undefined. */
export function textField(fields: Fields, key: string, file: string): string | undefined {
  const value = fields[key];
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') throw new SpecError(`invalid frontmatter in ${file}: ${key} must be a text value`);
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}
