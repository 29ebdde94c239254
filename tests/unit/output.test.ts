import { afterEach, describe, expect, it } from 'vitest';
import { colorAllowed } from '../../src/util/output.js';

const saved = process.env.NO_COLOR;
afterEach(() => {
  if (saved === undefined) delete process.env.NO_COLOR;
  else process.env.NO_COLOR = saved;
});

function stream(isTTY: boolean): NodeJS.WriteStream {
  return { isTTY } as NodeJS.WriteStream;
}

describe('colorAllowed', () => {
  it('allows colour only on a terminal without NO_COLOR', () => {
    delete process.env.NO_COLOR;
    expect(colorAllowed(stream(true))).toBe(true);
    expect(colorAllowed(stream(false))).toBe(false);
    process.env.NO_COLOR = '';
    expect(colorAllowed(stream(true))).toBe(false);
  });
});
