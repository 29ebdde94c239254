// The `list-clis` output: `{NAME:<15} {SOURCE:<10} {PATH}` rows under a header,
// or the two-line "nothing found" message.
import type { CliInfo } from './known.js';

function row(name: string, source: string, path: string): string {
  return `${name.padEnd(15)} ${source.padEnd(10)} ${path}`;
}

/** Lines printed by `git paw list-clis`. */
export function formatCliTable(clis: readonly CliInfo[]): string[] {
  if (clis.length === 0) return ['No AI CLIs found.', 'Install one or use `git paw add-cli` to register a custom CLI.'];
  return [row('NAME', 'SOURCE', 'PATH'), ...clis.map((cli) => row(cli.name, cli.source, cli.path))];
}
