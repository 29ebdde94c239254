// Terminal display width of dashboard cell text: emoji and East Asian wide characters take two
// columns, combining marks none. Also makes agent-supplied text safe to print (no control or
// bidi characters) and fits it into a column with an ellipsis. Small on purpose: the table only
// needs to agree with the terminal for the characters it can contain.

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

const ELLIPSIS = '…';

/** Code point ranges that terminals draw two columns wide (East Asian Wide/Fullwidth). */
const WIDE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x20000, 0x3fffd],
];

const EMOJI_PRESENTATION = /\p{Emoji_Presentation}/u;
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const REGIONAL_INDICATOR = /\p{Regional_Indicator}/u;
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]+$/u;
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/u;

/** C0/C1 control characters, ESC included (so no escape sequence reaches the terminal). */
function isControl(codePoint: number): boolean {
  return codePoint < 0x20 || (codePoint >= 0x7f && codePoint < 0xa0);
}

function isWide(codePoint: number): boolean {
  return WIDE_RANGES.some(([low, high]) => codePoint >= low && codePoint <= high);
}

/** Columns one grapheme cluster occupies. */
function clusterWidth(cluster: string): number {
  const first = cluster.codePointAt(0) ?? 0;
  if (first >= 0x20 && first < 0x7f && cluster.length === 1) return 1;
  if (ZERO_WIDTH.test(cluster)) return 0;
  if (isControl(first)) return 0;
  if (EMOJI_PRESENTATION.test(cluster) || REGIONAL_INDICATOR.test(cluster)) return 2;
  if (PICTOGRAPHIC.test(cluster) && cluster.includes('\ufe0f')) return 2;
  return isWide(first) ? 2 : 1;
}

/** Printable ASCII: one column per character, no segmentation needed (the common case). */
const PLAIN_ASCII = /^[\x20-\x7e]*$/;
/** Characters that join code points into one cluster; without them every code point is a cluster. */
const JOINING =
  /\u200d|\p{Variation_Selector}|\p{M}|\p{Regional_Indicator}|\p{Emoji_Modifier}|[\u{e0020}-\u{e007f}]/u;

/**
 * The grapheme clusters of `text`. Intl.Segmenter is slow (the dashboard measures every cell
 * each second), so it is used only when something in the text can join code points.
 */
function clustersOf(text: string): Iterable<string> {
  if (!JOINING.test(text)) return text;
  return Array.from(graphemes.segment(text), ({ segment }) => segment);
}

/** Number of terminal columns `text` occupies. */
export function displayWidth(text: string): number {
  if (PLAIN_ASCII.test(text)) return text.length;
  let width = 0;
  for (const cluster of clustersOf(text)) width += clusterWidth(cluster);
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

/** `text` cut to at most `width` columns, ending in `…` when something was cut. */
export function truncateToWidth(text: string, width: number): string {
  if (width <= 0) return '';
  if (displayWidth(text) <= width) return text;
  if (PLAIN_ASCII.test(text)) return text.slice(0, width - 1) + ELLIPSIS;
  const room = width - displayWidth(ELLIPSIS);
  let used = 0;
  let kept = '';
  for (const cluster of clustersOf(text)) {
    const next = clusterWidth(cluster);
    if (used + next > room) break;
    kept += cluster;
    used += next;
  }
  return kept + ELLIPSIS;
}

/** `text` truncated and then padded with spaces to exactly `width` columns. */
export function fitToWidth(text: string, width: number): string {
  const fitted = truncateToWidth(text, width);
  return fitted + ' '.repeat(Math.max(0, width - displayWidth(fitted)));
}
