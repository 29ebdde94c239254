// Dashboard cell text: made safe to print (no control or bidi characters) and fitted into a
// column with an ellipsis. Widths come from string-width, the measure Ink itself lays text out
// with, so a cell fitted here is never wrapped or cut differently by Ink.
import stringWidth from 'string-width';

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

const ELLIPSIS = '…';

/** Printable ASCII: one column per character, no segmentation needed (the common case). */
const PLAIN_ASCII = /^[\x20-\x7e]*$/;
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/u;

/** C0/C1 control characters, ESC included (so no escape sequence reaches the terminal). */
function isControl(codePoint: number): boolean {
  return codePoint < 0x20 || (codePoint >= 0x7f && codePoint < 0xa0);
}

/** Widths already measured: the dashboard lays out the same cells every second. */
const measured = new Map<string, number>();
const MEASURED_LIMIT = 4096;

/**
 * Number of terminal columns `text` occupies. string-width tests every grapheme against emoji
 * patterns, several milliseconds per screen; plain ASCII needs none of it, and other text is
 * measured once.
 */
export function displayWidth(text: string): number {
  if (PLAIN_ASCII.test(text)) return text.length;
  let width = measured.get(text);
  if (width === undefined) {
    if (measured.size >= MEASURED_LIMIT) measured.clear();
    width = stringWidth(text);
    measured.set(text, width);
  }
  return width;
}

/**
 * Agent-supplied text made printable on one line: control characters (newlines, tabs, escape
 * sequences) become spaces, bidi overrides vanish, runs of spaces collapse.
 */
export function sanitizeCell(text: string): string {
  let clean = '';
  for (const char of text) {
    if (BIDI_CONTROL.test(char)) continue;
    clean += isControl(char.codePointAt(0) ?? 0) ? ' ' : char;
  }
  return clean.replace(/ {2,}/g, ' ').trim();
}

/** `text` cut to at most `width` columns, ending in `…` when something was cut (never inside a grapheme). */
export function truncateToWidth(text: string, width: number): string {
  if (width <= 0) return '';
  if (displayWidth(text) <= width) return text;
  if (PLAIN_ASCII.test(text)) return text.slice(0, width - 1) + ELLIPSIS;
  const room = width - displayWidth(ELLIPSIS);
  let used = 0;
  let kept = '';
  for (const { segment } of graphemes.segment(text)) {
    const next = displayWidth(segment);
    if (used + next > room) break;
    kept += segment;
    used += next;
  }
  return kept + ELLIPSIS;
}

/** `text` truncated and then padded with spaces to exactly `width` columns. */
export function fitToWidth(text: string, width: number): string {
  const fitted = truncateToWidth(text, width);
  return fitted + ' '.repeat(Math.max(0, width - displayWidth(fitted)));
}
