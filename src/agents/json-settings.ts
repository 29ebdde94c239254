// Reading the JSON settings files of other tools (Gemini CLI's allow comments), leniently: a file
// that is missing or unreadable counts as empty, since git-paw only adds to what it finds.
import { readFileSync } from 'node:fs';

/** Removes `//` and block comments that are outside strings, and trailing commas. */
export function stripJsonComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i] as string;
    if (inString) {
      out += char;
      if (char === '\\') {
        out += text[i + 1] ?? '';
        i += 1;
      } else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
      out += char;
    } else if (char === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i += 1;
      out += '\n';
    } else if (char === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 1;
    } else if (char === ',' && /^\s*[}\]]/.test(text.slice(i + 1))) {
      // A trailing comma: dropped.
    } else out += char;
  }
  return out;
}

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object in a settings file, or undefined when it is missing, unreadable or not an object. */
export function readJsonSettings(path: string): JsonObject | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(stripJsonComments(text));
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
