import { describe, expect, it } from 'vitest';
import { shellQuote } from '../../src/util/shell.js';

describe('shellQuote', () => {
  it('leaves plain words alone and quotes everything else so sh reads it back', () => {
    expect(shellQuote('/usr/bin/claude')).toBe('/usr/bin/claude');
    expect(shellQuote("it's a $path with spaces")).toBe(`'it'\\''s a $path with spaces'`);
    expect(shellQuote('')).toBe("''");
  });
});
