// How durations and ages read wherever git-paw prints them (`status`, the dashboard): upstream's
// `45s`, `3m`, `1h 15m`.

/** A duration the way upstream prints ages: `45s`, `3m`, `1h 0m`, `1h 15m`. */
export function formatDuration(seconds: number): string {
  const whole = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m`;
  return `${Math.floor(whole / 3600)}h ${Math.floor((whole % 3600) / 60)}m`;
}

/** `0s ago`, `30s ago`, `3m ago`, `1h 0m ago`, `1h 15m ago`. */
export function formatAge(seconds: number): string {
  return `${formatDuration(seconds)} ago`;
}
