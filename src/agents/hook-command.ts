// The shell command a CLI runs as a hook (Claude Code and Gemini CLI hooks, Codex's notify): it
// posts the hook's JSON to the agent's `/events` route of the broker and nothing else. It must
// never slow down or break the agent: every byte of output is discarded, an unreachable broker is
// silent, and the command always exits 0. It writes the request itself through bash's /dev/tcp
// without waiting for the answer (a few milliseconds; the broker's reply says nothing the CLI
// needs), and falls back to curl, bounded to one second, where there is no bash. bash runs with
// --norc: CLIs written in Node give their hooks a socket as standard input, and bash then reads
// ~/.bashrc as if started by sshd, which is slow and may print. The panes' programs start once
// the broker answers, but a server that restarts in a session's first seconds (its window's loop
// brings it back within about two seconds) would lose a CLI's first events, which say the most:
// during the first EARLY_WINDOW_SECONDS after the launch, a refused connection is tried again for
// one and a half seconds at most; later a broker that is gone costs a hook nothing.
import { shellQuote } from '../util/shell.js';

/** The pane variable holding the broker token (empty under `auth = "none"`). */
export const TOKEN_ENV = 'GIT_PAW_BROKER_TOKEN';

/** The session variable holding the launch time (epoch seconds), which tells early hooks from late ones. */
export const LAUNCHED_AT_ENV = 'GIT_PAW_LAUNCHED_AT';

/** How long after the launch a hook waits for a broker that refuses connections. */
const EARLY_WINDOW_SECONDS = 20;
/** Tries 100 ms apart: a broker that starts within 1.5 s still gets the event (Claude Code gives a hook 2 s). */
const EARLY_TRIES = 15;

/** `<broker>/events/<agent id>`: where an agent's hook payloads go. */
export function eventsUrl(brokerUrl: string, agentId: string): string {
  return `${brokerUrl.replace(/\/+$/, '')}/events/${encodeURIComponent(agentId)}`;
}

/** bash: one HTTP request written straight to the broker's socket, its answer never read. */
function bashRequest(url: URL, payloadFrom: 'stdin' | 'arg'): string {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const head =
    `POST ${url.pathname} HTTP/1.1\\r\\nHost: ${url.host}\\r\\nAuthorization: Bearer %s\\r\\n` +
    'Content-Type: application/json\\r\\nContent-Length: %d\\r\\nConnection: close\\r\\n\\r\\n%s';
  return [
    payloadFrom === 'stdin' ? "IFS= read -r -d '' p" : 'p=$1',
    `l=${LAUNCHED_AT_ENV}`,
    "printf -v n '%(%s)T' -1",
    'r=0',
    `until { exec 3<>/dev/tcp/${host}/${url.port}; } 2>/dev/null; do r=$((r + 1)); [ "$r" -le ${EARLY_TRIES} ] && [ $((n - \${!l:-0})) -lt ${EARLY_WINDOW_SECONDS} ] || exit 0; sleep 0.1; done`,
    // Content-Length counts bytes, so the length is taken in the C locale.
    'LC_ALL=C',
    // The token is named indirectly: Gemini CLI shows each hook's command with the variables
    // it names filled in, which would put the token on the agent's screen.
    `t=${TOKEN_ENV}`,
    `printf ${shellQuote(head)} "\${!t}" "\${#p}" "$p" >&3 2>/dev/null`,
    'exit 0',
  ].join('; ');
}

/**
 * Shell text (for `sh -c`) that posts a hook payload to `url`: read from standard input
 * (`stdin`) or from the first positional argument (`arg`, for CLIs that pass the JSON as one).
 */
export function postPayloadScript(url: string, payloadFrom: 'stdin' | 'arg'): string {
  const data = payloadFrom === 'stdin' ? '@-' : '"$1"';
  return [
    `if command -v bash >/dev/null 2>&1; then BASH_ENV= exec bash --norc --noprofile -c ${shellQuote(bashRequest(new URL(url), payloadFrom))} hook "$@"; fi`,
    'command -v curl >/dev/null 2>&1 || exit 0',
    `t=${TOKEN_ENV}`,
    'eval "k=\\${$t}"',
    `l=${LAUNCHED_AT_ENV}`,
    'eval "s=\\${$l:-0}"',
    `w=; d=$(date +%s 2>/dev/null) && [ $((d - s)) -lt ${EARLY_WINDOW_SECONDS} ] && w='--retry 1 --retry-connrefused --retry-delay 1'`,
    `curl -s -m 1 $w -o /dev/null -X POST -H 'content-type: application/json' -H "authorization: Bearer $k" --data-binary ${data} ${shellQuote(url)} >/dev/null 2>&1`,
    'exit 0',
  ].join('; ');
}

/** `sh -c '<script>'` as one shell word list, for settings that take a single command string. */
export function shCommand(script: string): string {
  return `sh -c ${shellQuote(script)}`;
}
