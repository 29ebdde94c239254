// The adapter registry: one adapter per known CLI that needs one, the generic one for everything
// else (custom CLIs, and Amp, Qwen Code and Vibe, which read AGENTS.md by themselves and have no
// hooks git-paw uses).
import type { AgentAdapter } from '../adapter.js';
import { aiderAdapter } from './aider.js';
import { claudeAdapter } from './claude.js';
import { codexAdapter } from './codex.js';
import { geminiAdapter } from './gemini.js';
import { genericAdapter } from './generic.js';

const ADAPTERS: ReadonlyMap<string, AgentAdapter> = new Map(
  [claudeAdapter, codexAdapter, geminiAdapter, aiderAdapter].map((adapter) => [adapter.cli, adapter]),
);

/** The adapter of the CLI called `cli` (a custom CLI gets the generic adapter). */
export function adapterFor(cli: string): AgentAdapter {
  return ADAPTERS.get(cli) ?? genericAdapter(cli);
}
