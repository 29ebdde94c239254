// What a `[broker] bind` address means, in one place for the broker that listens on it and the
// clients that reach it: loopback only, or every interface (then reached over loopback).

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

/** True when `bind` only accepts connections from this machine. */
export function isLoopbackBind(bind: string): boolean {
  const bare = bind.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** True when `bind` listens on every interface. */
export function isWildcardBind(bind: string): boolean {
  return WILDCARDS.has(bind.toLowerCase());
}
