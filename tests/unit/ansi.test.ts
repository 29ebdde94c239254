import { describe, expect, it } from 'vitest';
import { collapseOverwrites, decodeLenient, logToPlainText, stripEscapes } from '../../src/logs/ansi.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');
const plain = (text: string) => logToPlainText(bytes(text));

describe('stripEscapes', () => {
  it('removes SGR and other CSI sequences', () => {
    expect(stripEscapes('\x1b[31mred\x1b[0m plain')).toBe('red plain');
    expect(stripEscapes('\x1b[38;5;196mcolor\x1b[0m')).toBe('color');
    expect(stripEscapes('\x1b[Hhello\x1b[2J\x1b[?25l\x1b[?2004h')).toBe('hello');
    expect(stripEscapes('\x1b[5Aup\x1b[3Bdown\x1b[K')).toBe('updown');
    expect(stripEscapes('\x1b[>4;1m\x1b[ q\x1b[!p')).toBe('');
  });

  it('removes OSC sequences terminated by BEL or ST', () => {
    expect(stripEscapes('\x1b]0;t\x07')).toBe('');
    expect(stripEscapes('\x1b]0;my title\x1b\\hello')).toBe('hello');
    expect(stripEscapes('\x1b]7;file:///home/me\x07prompt$ ')).toBe('prompt$ ');
  });

  it('keeps the text of an OSC 8 hyperlink', () => {
    expect(stripEscapes('\x1b]8;;u\x1b\\x\x1b]8;;\x1b\\')).toBe('x');
    expect(stripEscapes('see \x1b]8;id=1;https://e.x/a?b=c\x07the docs\x1b]8;;\x07.')).toBe('see the docs.');
  });

  it('removes DCS, SOS, PM and APC strings up to ST', () => {
    expect(stripEscapes('a\x1bP1$r0;1m\x1b\\b')).toBe('ab');
    expect(stripEscapes('a\x1bXsos\x1b\\b\x1b^pm\x1b\\c\x1b_Gf=100;AAAA\x1b\\d')).toBe('abcd');
  });

  it('removes charset selects and other nF escapes without leaving remnants', () => {
    expect(stripEscapes('\x1b(Bplain\x1b)0\x1b(0x\x1b(B')).toBe('plainx');
    expect(stripEscapes('\x1b#8\x1b%Gok')).toBe('ok');
    expect(stripEscapes('(B')).toBe('(B');
  });

  it('removes two-byte escapes', () => {
    expect(stripEscapes('\x1b7saved\x1b8\x1b=\x1b>\x1bM\x1bcend')).toBe('savedend');
  });

  it('drops incomplete sequences at the end of the input', () => {
    expect(stripEscapes('hello\x1b')).toBe('hello');
    expect(stripEscapes('hello\x1b[')).toBe('hello');
    expect(stripEscapes('hello\x1b[31;4')).toBe('hello');
    expect(stripEscapes('hello\x1b]0;partial title')).toBe('hello');
    expect(stripEscapes('hello\x1b]0;title\x1b')).toBe('hello');
    expect(stripEscapes('hello\x1bP1$r')).toBe('hello');
    expect(stripEscapes('hello\x1b(')).toBe('hello');
  });

  it('ends a malformed CSI at a control character and keeps what follows', () => {
    expect(stripEscapes('a\x1b[31\nb')).toBe('a\nb');
    expect(stripEscapes('a\x1b[3\x1b[0mb')).toBe('ab');
  });

  it('lets a new ESC abort an unterminated string', () => {
    expect(stripEscapes('\x1b]0;title\x1b[31mred')).toBe('red');
  });

  it('removes invisible control characters but keeps tabs, newlines, CR and backspace', () => {
    expect(stripEscapes('a\x07b\x00c\x0ed\x7fe\tf\ng\rh\bi')).toBe('abcde\tf\ng\rh\bi');
  });

  it('leaves non-ASCII text alone', () => {
    expect(stripEscapes('\x1b[1mgrüße → 日本 🐾\x1b[0m')).toBe('grüße → 日本 🐾');
  });
});

describe('collapseOverwrites', () => {
  it('keeps the last redraw of a progress line', () => {
    expect(collapseOverwrites('Downloading 10%\rDownloading 55%\rDownloading 100%\nDone\n')).toBe(
      'Downloading 100%\nDone\n',
    );
  });

  it('treats CRLF as a plain newline', () => {
    expect(collapseOverwrites('one\r\ntwo\r\n')).toBe('one\ntwo\n');
  });

  it('keeps the text before a trailing bare CR', () => {
    expect(collapseOverwrites('text\r\r\nnext')).toBe('text\nnext');
    expect(collapseOverwrites('spinner\r')).toBe('spinner');
  });

  it('applies backspaces to the preceding character', () => {
    expect(collapseOverwrites('abc\b\bxy')).toBe('axy');
    expect(collapseOverwrites('\b\bstart')).toBe('start');
    expect(collapseOverwrites('x\b \b')).toBe('');
    expect(collapseOverwrites('🐾\bok')).toBe('ok');
  });
});

describe('decodeLenient and logToPlainText', () => {
  it('replaces invalid UTF-8 with U+FFFD instead of failing', () => {
    const raw = Buffer.concat([bytes('ok '), Buffer.from([0xff, 0xc3]), bytes(' \x1b[1mbold\x1b[0m')]);
    expect(decodeLenient(raw)).toContain('\uFFFD');
    expect(logToPlainText(raw)).toBe('ok \uFFFD\uFFFD bold');
  });

  it('does not mistake UTF-8 continuation bytes for C1 controls', () => {
    // U+00DB encodes as C3 9B; 0x9B alone would be an 8-bit CSI.
    expect(plain('Û[31m')).toBe('Û[31m');
  });

  it('cleans a typical CLI transcript', () => {
    const log =
      '\x1b]0;claude\x07\x1b[?25l\x1b(B\x1b[1mWorking\x1b[0m \x1b[32m⠋\x1b[0m\r\x1b[KWorking ⠙\r\x1b[KDone.\r\n' +
      'Wrote \x1b]8;;file:///x\x1b\\x\x1b]8;;\x1b\\\r\n';
    expect(plain(log)).toBe('Done.\nWrote x\n');
  });

  it('returns nothing for an empty log', () => {
    expect(logToPlainText(new Uint8Array())).toBe('');
  });
});
