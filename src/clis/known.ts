// The AI CLIs git-paw looks for on PATH, in 0.3.0's scan order, and the
// shape every detected or custom CLI is described by.

export const KNOWN_CLIS = ['claude', 'codex', 'gemini', 'aider', 'vibe', 'qwen', 'amp'] as const;

export interface CliInfo {
  /** Name used with `--cli`, in pickers' results and in the session state (`cli`). */
  name: string;
  displayName: string;
  /** Absolute path of the executable. */
  path: string;
  source: 'detected' | 'custom';
  /** Shell text that runs the CLI in a pane (shell-quoted path plus any configured arguments). */
  command: string;
}

/** True for one of the seven built-in CLI names. */
export function isKnownCli(name: string): boolean {
  return (KNOWN_CLIS as readonly string[]).includes(name);
}

/** Upstream's default display name: the first character upper-cased (`my-agent` → `My-agent`). */
export function defaultDisplayName(name: string): string {
  const [first = '', ...rest] = [...name];
  return first.toUpperCase() + rest.join('');
}
