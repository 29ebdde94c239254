// The signals that end a command the user no longer wants — the terminal closing (SIGHUP), Ctrl-C,
// kill, Ctrl-\ — caught in nested scopes: only the innermost scope hears them, so a launch's
// rollback decides alone what happens while it has things to undo, and the scope around it (the
// repo lock, prompts) while nothing exists yet. Without a scope, a signal ends the process as
// usual.
import { CancelledError } from './errors.js';

export const INTERRUPTING_SIGNALS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGQUIT'] as const;

type Handler = (signal: NodeJS.Signals) => void;

const scopes: Handler[] = [];

function dispatch(signal: NodeJS.Signals): void {
  // A closed terminal turns every later write into an error; what is left to do matters more.
  if (signal === 'SIGHUP') {
    process.stdout.on('error', () => undefined);
    process.stderr.on('error', () => undefined);
  }
  scopes.at(-1)?.(signal);
}

/** Runs `work` with the signals caught; while no inner scope is open, `onSignal` hears each one. */
export async function catchingSignals<T>(onSignal: Handler, work: () => Promise<T>): Promise<T> {
  if (scopes.length === 0) for (const signal of INTERRUPTING_SIGNALS) process.on(signal, dispatch);
  scopes.push(onSignal);
  try {
    return await work();
  } finally {
    scopes.splice(scopes.lastIndexOf(onSignal), 1);
    if (scopes.length === 0) for (const signal of INTERRUPTING_SIGNALS) process.off(signal, dispatch);
  }
}

/**
 * Runs `work`, which creates nothing that needs undoing itself (an inner rollback scope guards
 * what it makes); a signal heard here abandons it at once — even a prompt waiting for a key —
 * with CancelledError, so the caller's `finally` (the repo lock) still runs.
 */
export function cancelledBySignal<T>(work: () => Promise<T>): Promise<T> {
  let cancel: (error: CancelledError) => void = () => undefined;
  const cancelled = new Promise<never>((_, reject) => (cancel = reject));
  return catchingSignals(
    () => cancel(new CancelledError()),
    () => Promise.race([work(), cancelled]),
  );
}
