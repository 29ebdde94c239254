import { describe, expect, it } from 'vitest';
import { CancelledError, ConfigError, PawError, UsageError } from '../../src/util/errors.js';

describe('error model', () => {
  it('prefixes kind errors like upstream and keeps the hint', () => {
    const error = new ConfigError("preset 'x' not found", { hint: 'see [presets]' });
    expect(error.message).toBe("Config error: preset 'x' not found");
    expect(error.hint).toBe('see [presets]');
    expect(error.exitCode).toBe(1);
    expect(error).toBeInstanceOf(PawError);
  });

  it('gives cancellation and usage errors exit code 2', () => {
    expect(new CancelledError().message).toBe('Cancelled.');
    expect(new CancelledError().exitCode).toBe(2);
    expect(new UsageError('bad flag').exitCode).toBe(2);
  });
});
