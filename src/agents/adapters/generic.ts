// The adapter of a CLI git-paw has no special knowledge of (custom CLIs from `add-cli`, and known
// CLIs with `integrate = false`): it reads AGENTS.md by itself or not at all, reports nothing,
// and is observed through its screen and its process only.
import type { AgentAdapter, Integration, ScreenRule } from '../adapter.js';

/** Dialog texts many terminal agents share; a CLI's own adapter puts its exact texts first. */
export const COMMON_SCREEN_RULES: readonly ScreenRule[] = [
  { pattern: /Do you want to proceed\?/, state: 'waiting', detail: 'permission dialog' },
  { pattern: /\((?:Y)es\/\((?:N)o\)|\[[Yy]\/[Nn]\]\s*$/m, state: 'waiting', detail: 'yes/no question' },
  { pattern: /esc to (?:interrupt|cancel)/i, state: 'working', detail: 'busy' },
];

const NOTHING: Integration = { args: [], env: {}, files: [] };

export function genericAdapter(cli: string): AgentAdapter {
  return {
    cli,
    instructions: 'AGENTS.md, if the CLI reads it',
    mcp: false,
    integrate: () => NOTHING,
    hookSignal: () => undefined,
    screenRules: COMMON_SCREEN_RULES,
  };
}
