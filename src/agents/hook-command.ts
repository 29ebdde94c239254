// The shell command a CLI runs as a hook (Gemini CLI hooks, Codex's notify): it posts the hook's
// JSON to the agent's `/events` route of the broker and nothing else. It must never slow down or
// break the agent: curl is bounded to one second, every byte of output is discarded, a missing
// curl or an unreachable broker is silent, and the command always exits 0.
import { shellQuote } from '../util/shell.js';

/** The pane variable holding the broker token (empty under `auth = "none"`). */
export const TOKEN_ENV = 'GIT_PAW_BROKER_TOKEN';

/** `<broker>/events/<agent id>`: where an agent's hook payloads go. */
export function eventsUrl(brokerUrl: string, agentId: string): string {
  return `${brokerUrl.replace(/\/+$/, '')}/events/${encodeURIComponent(agentId)}`;
}

/**
 * Shell text that posts a hook payload to `url`: read from standard input (`stdin`) or from the
 * first positional argument (`arg`, for CLIs that pass the JSON as an argument).
 */
export function postPayloadScript(url: string, payloadFrom: 'stdin' | 'arg'): string {
  const data = payloadFrom === 'stdin' ? '@-' : '"$1"';
  return [
    'command -v curl >/dev/null 2>&1 || exit 0',
    `curl -s -m 1 -o /dev/null -X POST -H 'content-type: application/json' -H "authorization: Bearer $${TOKEN_ENV}" --data-binary ${data} ${shellQuote(url)} >/dev/null 2>&1`,
    'exit 0',
  ].join('; ');
}

/** `sh -c '<script>'` as one shell word list, for settings that take a single command string. */
export function shCommand(script: string): string {
  return `sh -c ${shellQuote(script)}`;
}
