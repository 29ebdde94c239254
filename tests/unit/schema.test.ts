import { describe, expect, it } from 'vitest';
import { literal, nullable, number, object, optional, safeParse, string } from '../../src/util/schema.js';

describe('schema building blocks of the broker documents', () => {
  it('literal accepts exactly its value and names it otherwise', () => {
    expect(safeParse(literal(true), true)).toEqual({ success: true, data: true });
    expect(safeParse(literal(true), 'true')).toEqual({
      success: false,
      issues: [
        { code: 'invalid_value', path: [], values: ['true'], message: 'Invalid input: expected true' },
      ],
    });
  });

  it('an optional nullable member may be absent, null or of its type, nothing else', () => {
    const schema = object({ id: string(), pid: optional(nullable(number())) });
    expect(safeParse(schema, { id: 'a' })).toEqual({ success: true, data: { id: 'a' } });
    expect(safeParse(schema, { id: 'a', pid: null })).toEqual({
      success: true,
      data: { id: 'a', pid: null },
    });
    expect(safeParse(schema, { id: 'a', pid: 7, extra: 1 })).toEqual({
      success: true,
      data: { id: 'a', pid: 7 },
    });
    const wrong = safeParse(schema, { id: 'a', pid: '7' });
    expect(wrong.success).toBe(false);
    expect(wrong.success ? [] : wrong.issues.map((issue) => issue.path)).toEqual([['pid']]);
  });
});
