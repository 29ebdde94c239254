// Turning a raw pane log (bytes a terminal would interpret) into plain readable text: lenient
// UTF-8 decoding, removal of every escape-sequence family a CLI emits, and collapsing of `\r`
// redraws and backspaces the way they looked on screen. Pure functions, no I/O.
//
// Only 7-bit escape sequences are recognised: in UTF-8 text the bytes 0x80–0x9F are
// continuation bytes, so treating them as C1 controls would eat real characters.

const ESC = 0x1b;
const BEL = 0x07;
const BACKSPACE = 0x08;
const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const CANCEL = 0x18; // CAN and SUB abort a sequence in progress (ECMA-48)
const SUBSTITUTE = 0x1a;
const DELETE = 0x7f;

/** Decodes bytes as UTF-8; invalid sequences become U+FFFD instead of failing. */
export function decodeLenient(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

function isControlStringIntroducer(code: number): boolean {
  // DCS `ESC P`, SOS `ESC X`, PM `ESC ^`, APC `ESC _`: payload runs until ST (`ESC \`).
  return code === 0x50 || code === 0x58 || code === 0x5e || code === 0x5f;
}

/** Index just after a control string (OSC, DCS, SOS, PM, APC) whose payload starts at `start`. */
function skipControlString(text: string, start: number, belTerminates: boolean): number {
  for (let i = start; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (belTerminates && code === BEL) return i + 1;
    if (code === CANCEL || code === SUBSTITUTE) return i + 1;
    if (code === ESC) {
      // `ESC \` is the string terminator; any other ESC aborts the string and starts anew.
      return text.charCodeAt(i + 1) === 0x5c ? i + 2 : i;
    }
  }
  return text.length; // unterminated at end of input: drop it
}

/** Index just after a CSI sequence whose parameters start at `start` (after `ESC [`). */
function skipCsi(text: string, start: number): number {
  for (let i = start; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x40 && code <= 0x7e) return i + 1; // final byte
    if (code >= 0x20 && code <= 0x3f) continue; // parameter and intermediate bytes
    if (code === CANCEL || code === SUBSTITUTE) return i + 1;
    // Anything else (a control char, a new ESC, text): the sequence is malformed; stop here
    // and let the caller interpret that character normally.
    return i;
  }
  return text.length;
}

/** Index just after the escape sequence that starts with the ESC at `escIndex`. */
function skipEscape(text: string, escIndex: number): number {
  const next = escIndex + 1;
  if (next >= text.length) return text.length;
  const code = text.charCodeAt(next);
  if (code === 0x5b) return skipCsi(text, next + 1); // `ESC [`
  if (code === 0x5d) return skipControlString(text, next + 1, true); // `ESC ]` (OSC)
  if (isControlStringIntroducer(code)) return skipControlString(text, next + 1, false);
  if (code >= 0x20 && code <= 0x2f) {
    // nF escapes: intermediates then one final byte, e.g. charset select `ESC ( B`, `ESC # 8`.
    let i = next;
    while (i < text.length && text.charCodeAt(i) >= 0x20 && text.charCodeAt(i) <= 0x2f) i++;
    if (i >= text.length) return text.length;
    const final = text.charCodeAt(i);
    return final >= 0x30 && final <= 0x7e ? i + 1 : i;
  }
  if (code >= 0x30 && code <= 0x7e) return next + 1; // two-byte escapes: `ESC 7`, `ESC M`, `ESC =`…
  return next; // ESC followed by a control character: drop the lone ESC
}

/**
 * Removes escape sequences (CSI, OSC, DCS/SOS/PM/APC, nF/charset and two-byte escapes) and
 * invisible control characters. Keeps text, `\t`, `\n`, and the `\r`/backspace characters that
 * `collapseOverwrites` interprets. Incomplete sequences at the end of the input are dropped.
 */
export function stripEscapes(text: string): string {
  let out = '';
  let runStart = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    const kept = code >= 0x20 ? code !== DELETE : code === TAB || code === LINE_FEED || code === CARRIAGE_RETURN || code === BACKSPACE;
    if (kept) {
      i++;
      continue;
    }
    out += text.slice(runStart, i);
    i = code === ESC ? skipEscape(text, i) : i + 1;
    runStart = i;
  }
  return out + text.slice(runStart);
}

/** Applies backspaces to one `\r`-free segment: each removes the character before it. */
function applyBackspaces(segment: string): string {
  if (!segment.includes('\b')) return segment;
  const chars: string[] = [];
  for (const char of segment) {
    if (char === '\b') chars.pop();
    else chars.push(char);
  }
  return chars.join('');
}

/**
 * Collapses terminal redraws within each line: `\r\n` is a newline; after a bare `\r` the text
 * that follows replaced what was there, so the last non-empty `\r`-separated segment wins
 * (progress bars, spinners). Backspaces delete the previous character of their segment.
 */
export function collapseOverwrites(text: string): string {
  if (!text.includes('\r') && !text.includes('\b')) return text;
  return text
    .split('\n')
    .map((line) => line.split('\r').map(applyBackspaces).findLast((segment) => segment !== '') ?? '')
    .join('\n');
}

/** Plain text of a raw pane log: lenient decode, strip escapes, collapse redraws. */
export function logToPlainText(bytes: Uint8Array): string {
  return collapseOverwrites(stripEscapes(decodeLenient(bytes)));
}
