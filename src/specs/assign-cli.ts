// CLI per spec: `--cli` for all; else each spec's `paw_cli`; the rest get
// `default_spec_cli`, or ONE picker answer (with `default_cli` pre-selected when it is known).
// The result keeps the specs' order (`paw_cli` specs are not moved to the front).
import type { CliInfo } from '../clis/known.js';
import { requireKnownCli } from '../clis/resolve.js';
import type { SpecEntry } from './types.js';

export interface SpecCliInput {
  specs: SpecEntry[];
  /** `--cli`: overrides every spec's own choice. */
  cliFlag?: string;
  /** `default_spec_cli`: for specs without `paw_cli`, no prompt. */
  defaultSpecCli?: string;
  /** `default_cli`: pre-selected in the picker when it names an available CLI. */
  defaultCli?: string;
  /** The available (detected + custom) CLIs. */
  clis: CliInfo[];
  /** Asks the user once for the CLI of all remaining specs (rejects with CancelledError etc.). */
  pick: (defaultName?: string) => Promise<CliInfo>;
}

export interface SpecAssignment {
  spec: SpecEntry;
  cli: CliInfo;
}

/**
 * Resolves a CLI for every spec, in the specs' order. Unknown names (flag, `paw_cli`,
 * `default_spec_cli`) throw CliNotFoundError before any prompt is shown.
 */
export async function assignSpecClis(input: SpecCliInput): Promise<SpecAssignment[]> {
  const { specs, clis } = input;
  if (input.cliFlag !== undefined) {
    const cli = requireKnownCli(input.cliFlag, clis);
    return specs.map((spec) => ({ spec, cli }));
  }
  const own = new Map(specs.flatMap((spec) => (spec.cli === undefined ? [] : [[spec, requireKnownCli(spec.cli, clis)] as const])));
  let shared: CliInfo | undefined;
  if (own.size < specs.length) {
    if (input.defaultSpecCli !== undefined) {
      shared = requireKnownCli(input.defaultSpecCli, clis);
    } else {
      const preselect = clis.some((cli) => cli.name === input.defaultCli) ? input.defaultCli : undefined;
      shared = await input.pick(preselect);
    }
  }
  return specs.map((spec) => ({ spec, cli: own.get(spec) ?? (shared as CliInfo) }));
}
