// NODE_EXTRA_CA_CERTS makes Node read and parse the named CA bundle at every start, before any
// code runs (~50 ms on a slow machine), whether or not the process ever opens a TLS connection.
// git-paw's own processes — the CLI and the broker — never do, but what they start may (the AI
// CLIs, a notification command). So the sh lines at the top of the built CLI, the broker
// window's loop and the broker server (for its watchdog) move the variable aside before they
// start a git-paw Node process, and that process puts it back first thing, for everything it
// starts.

/** Where NODE_EXTRA_CA_CERTS waits while a git-paw process starts. */
export const SAVED_EXTRA_CA_CERTS_ENV = 'GIT_PAW_NODE_EXTRA_CA_CERTS';

/**
 * One line of POSIX sh that moves NODE_EXTRA_CA_CERTS (when set) aside, for the scripts that then
 * start a git-paw Node process: the bin's prologue and the broker window's loop.
 */
export const SET_EXTRA_CA_CERTS_ASIDE_SH = `[ -z "\${NODE_EXTRA_CA_CERTS+set}" ] || { export ${SAVED_EXTRA_CA_CERTS_ENV}="$NODE_EXTRA_CA_CERTS"; unset NODE_EXTRA_CA_CERTS; }`;

/** Puts NODE_EXTRA_CA_CERTS back from where the starting script moved it (when it did). */
export function restoreExtraCaCerts(env: NodeJS.ProcessEnv = process.env): void {
  const saved = env[SAVED_EXTRA_CA_CERTS_ENV];
  if (saved === undefined) return;
  env.NODE_EXTRA_CA_CERTS = saved;
  delete env[SAVED_EXTRA_CA_CERTS_ENV];
}

/** `env` for starting another git-paw Node process: NODE_EXTRA_CA_CERTS moved aside. */
export function withExtraCaCertsAside(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: certs, ...rest } = env;
  return certs === undefined ? env : { ...rest, [SAVED_EXTRA_CA_CERTS_ENV]: certs };
}
