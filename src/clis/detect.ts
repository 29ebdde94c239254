// CLI detection: the built-ins found on PATH plus the custom CLIs of the
// merged config; a custom entry replaces a detected one of the same name.
import type { PawConfig } from '../config/schema.js';
import { shellQuote } from '../util/shell.js';
import { which } from '../util/which.js';
import { resolveCommandLine } from './command.js';
import { defaultDisplayName, KNOWN_CLIS, type CliInfo } from './known.js';

function byDisplayName(a: CliInfo, b: CliInfo): number {
  const left = a.displayName.toLowerCase();
  const right = b.displayName.toLowerCase();
  if (left !== right) return left < right ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Every available CLI, sorted by display name (case-insensitive). Custom CLIs whose command is
 * not found are dropped with a warning (returned, not printed).
 */
export function detectClis(config: PawConfig, pathEnv: string = process.env.PATH ?? ''): { clis: CliInfo[]; warnings: string[] } {
  const found = new Map<string, CliInfo>();
  const warnings: string[] = [];
  for (const name of KNOWN_CLIS) {
    const path = which(name, pathEnv);
    if (path) found.set(name, { name, displayName: defaultDisplayName(name), path, source: 'detected', command: shellQuote(path) });
  }
  for (const [name, entry] of Object.entries(config.clis)) {
    // An entry without a command only sets options of a built-in CLI (validation allows no other).
    if (entry.command === undefined) continue;
    const resolved = resolveCommandLine(entry.command, pathEnv);
    if (!resolved) {
      warnings.push(`custom CLI '${name}' not found at '${entry.command}', skipping`);
      continue;
    }
    found.set(name, { name, displayName: entry.display_name ?? defaultDisplayName(name), source: 'custom', ...resolved });
  }
  return { clis: [...found.values()].sort(byDisplayName), warnings };
}
