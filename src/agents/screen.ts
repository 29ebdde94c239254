// Reading an agent's pane without its cooperation: what the visible text says (a dialog, a busy
// marker, or neither) by the adapter's screen rules, and whether the text holds a CLI's refusal
// of a command-line flag (the sign that git-paw's injected flags do not fit this CLI version).
// Pure: the watcher gives it the text tmux captured.
import type { ScreenRule } from './adapter.js';

/** How many of the pane's last non-blank lines are read: dialogs and markers sit at the bottom. */
export const SCREEN_LINES = 30;

/** What the screen of a running CLI says. */
export interface ScreenReading {
  state: 'waiting' | 'working' | 'error' | 'idle';
  detail: string;
}

/** The last SCREEN_LINES lines of a capture, without the blank rows below the cursor. */
export function bottomOfScreen(capture: string): string {
  const lines = capture.split('\n').map((line) => line.trimEnd());
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines.slice(-SCREEN_LINES).join('\n');
}

/** The first rule whose text is on the screen decides; a running CLI showing none is idle. */
export function classifyScreen(screen: string, rules: readonly ScreenRule[]): ScreenReading {
  for (const rule of rules) {
    if (rule.pattern.test(screen)) return { state: rule.state, detail: rule.detail };
  }
  return { state: 'idle', detail: '' };
}

/**
 * How argument parsers word the refusal of an unknown flag: commander (Claude Code), clap
 * (Codex), yargs (Gemini CLI), argparse (Aider), getopt and friends.
 */
const UNKNOWN_FLAG_PATTERNS: readonly RegExp[] = [
  /\bunknown option\b/i,
  /\bunexpected argument\b/i,
  /\bFound argument '.*' which wasn't expected/,
  /\bunrecognized (?:arguments?|options?)\b/i,
  /\bUnknown arguments?:/,
  /\binvalid option\b/i,
  /\billegal option\b/i,
];

/** How an exited state's detail starts when the CLI refused a flag git-paw passed it. */
export const INTEGRATION_FAILED = 'integration failed: ';

/** Longest line kept in a state's detail. */
const MAX_LINE = 160;

/**
 * The line of the screen where a CLI refuses a command-line flag (trimmed), or undefined. The
 * bottom-most such line wins: it is the latest run's.
 */
export function unknownFlagLine(screen: string): string | undefined {
  const lines = screen.split('\n');
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    const line = (lines[index] ?? '').trim();
    if (!UNKNOWN_FLAG_PATTERNS.some((pattern) => pattern.test(line))) continue;
    // A CLI that fails at once may print onto the shell's prompt line (`# error: …`): the
    // message starts at its `error:` (but `aider: error: …` is the CLI's own wording).
    const prompt = /^.*?[#$%>]\s+(?=error:)/i.exec(line)?.[0].length ?? 0;
    return line.slice(prompt).slice(0, MAX_LINE);
  }
  return undefined;
}
