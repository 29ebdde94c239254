// Running independent steps concurrently while still reporting their failures in a fixed order:
// start everything with Promise.allSettled, then read the results one by one with settledValue.

/** The value of a settled promise, or its rejection thrown. */
export function settledValue<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason as Error;
  return result.value;
}
