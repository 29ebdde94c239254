import { describe, expect, it } from 'vitest';
import { ignoredFlags, rejectConflictingFlags } from '../../src/commands/start.js';

describe('start flag rules', () => {
  it('rejects conflicting combinations as usage errors', () => {
    expect(() => rejectConflictingFlags({ attach: true, preset: 'p', cli: 'x' })).toThrow(
      '--preset cannot be combined with --cli or --branches',
    );
    expect(() => rejectConflictingFlags({ attach: true, preset: 'p', branches: ['a'] })).toThrow('--preset');
    expect(() => rejectConflictingFlags({ attach: true, fromSpecs: true, branches: ['a'] })).toThrow(
      '--from-specs cannot be combined',
    );
    expect(() => rejectConflictingFlags({ attach: true, fromSpecs: true, preset: 'p' })).toThrow(
      '--from-specs cannot be combined',
    );
    expect(() => rejectConflictingFlags({ attach: true, fromSpecs: true, cli: 'x' })).not.toThrow();
  });

  it('names the flags an existing session ignores', () => {
    expect(ignoredFlags({ attach: true, cli: 'x', branches: ['a'], dryRun: false })).toEqual([
      '--cli',
      '--branches',
    ]);
    expect(ignoredFlags({ attach: false })).toEqual([]);
  });
});
