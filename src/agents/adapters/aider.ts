// Aider. It reads no instruction file by itself, so AGENTS.md is passed as a read-only file.
// It has no hooks: its state comes from the screen and the process.
import { AGENTS_MD } from '../../agents-md/exclude.js';
import type { AgentAdapter } from '../adapter.js';
import { COMMON_SCREEN_RULES } from './generic.js';

export const aiderAdapter: AgentAdapter = {
  cli: 'aider',
  instructions: 'AGENTS.md passed with `--read`',
  mcp: false,
  integrate: () => ({ args: ['--read', AGENTS_MD], env: {}, files: [] }),
  hookSignal: () => undefined,
  screenRules: [
    { pattern: /\(Y\)es\/\(N\)o/, state: 'waiting', detail: 'yes/no question' },
    ...COMMON_SCREEN_RULES,
  ],
};
