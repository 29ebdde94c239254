// What `start --from-specs` launches: one agent per pending spec (src/specs), in spec order,
// each with its spec text and owned files for AGENTS.md, and a CLI resolved per spec.
import { detectClis } from '../clis/detect.js';
import type { PawConfig } from '../config/schema.js';
import { canPrompt } from '../selection/prompter.js';
import { pickSpecCli } from '../selection/select.js';
import { assignSpecClis } from '../specs/assign-cli.js';
import { scanSpecs } from '../specs/scan.js';
import { NoClisFoundError } from '../util/errors.js';
import { warn } from '../util/output.js';
import { lazyPrompter } from './start-request.js';
import type { AgentRequest, LaunchContext } from './types.js';

/** The agents of a spec-driven launch; empty when no spec is pending. */
export async function agentsForSpecs(
  ctx: LaunchContext,
  config: PawConfig,
  cliFlag: string | undefined,
  pathEnv: string = process.env.PATH ?? '',
): Promise<AgentRequest[]> {
  const { specs, warnings } = await scanSpecs(ctx.repo.root, config);
  warnings.forEach(warn);
  if (specs.length === 0) return [];
  const detected = detectClis(config, pathEnv);
  detected.warnings.forEach(warn);
  if (detected.clis.length === 0) throw new NoClisFoundError();
  const prompter = lazyPrompter();
  const assignments = await assignSpecClis({
    specs,
    clis: detected.clis,
    cliFlag,
    defaultSpecCli: config.default_spec_cli,
    defaultCli: config.default_cli,
    pick: (defaultName) =>
      pickSpecCli({ clis: detected.clis, prompter, interactive: canPrompt(), ...(defaultName ? { defaultCli: defaultName } : {}) }),
  });
  return assignments.map(({ spec, cli }) => ({
    branch: spec.branch,
    cli: { name: cli.name, command: cli.command },
    specText: spec.prompt,
    ownedFiles: spec.ownedFiles,
  }));
}
