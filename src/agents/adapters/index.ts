// The adapter registry: one adapter per known CLI, the generic one for everything else.
import type { AgentAdapter } from '../adapter.js';
import { genericAdapter } from './generic.js';

const ADAPTERS: ReadonlyMap<string, AgentAdapter> = new Map();

/** The adapter of the CLI called `cli` (a custom CLI gets the generic adapter). */
export function adapterFor(cli: string): AgentAdapter {
  return ADAPTERS.get(cli) ?? genericAdapter(cli);
}
