// Poll-until helpers: wait for an observable state instead of sleeping a fixed time, and say
// what was there when it never appeared.

export interface PollOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Describes what was expected, for the timeout message. */
  what?: string;
}

/**
 * Calls `probe` until it returns a value accepted by `done`; returns that value. On timeout,
 * throws an error that shows the last value seen (or the last error thrown by `probe`).
 */
export async function pollUntil<T>(
  probe: () => T | Promise<T>,
  done: (value: T) => boolean,
  options: PollOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  const interval = options.intervalMs ?? 50;
  let last: { value?: T; error?: unknown } = {};
  for (;;) {
    try {
      const value = await probe();
      last = { value };
      if (done(value)) return value;
    } catch (error) {
      last = { error };
    }
    if (Date.now() > deadline) {
      const seen =
        last.error !== undefined
          ? `error ${last.error instanceof Error ? last.error.message : JSON.stringify(last.error)}`
          : JSON.stringify(last.value, null, 2);
      throw new Error(`timed out waiting for ${options.what ?? 'condition'}; last seen: ${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
