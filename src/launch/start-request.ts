// What a normal fresh `start` launches: branches and CLI from the flags or a preset, the rest
// asked interactively (src/selection), checked as far as possible before any prompt.
import { detectClis } from '../clis/detect.js';
import type { PawConfig } from '../config/schema.js';
import { hasCommits, listBranches, type BranchInfo } from '../git/branches.js';
import { canPrompt, createPrompter, type Prompter } from '../selection/prompter.js';
import { selectLaunchPicks } from '../selection/select.js';
import { ConfigError, NoClisFoundError, UsageError } from '../util/errors.js';
import { warn } from '../util/output.js';
import { settledValue } from '../util/settled.js';
import type { PlanFacts } from './facts.js';
import type { AgentRequest, LaunchContext, StartFlags } from './types.js';
import { NoCommitsError, normalizeBranchList } from './validate.js';

/** A prompter that loads the prompt library only when a prompt is really shown. */
export function lazyPrompter(): Prompter {
  let real: Promise<Prompter> | undefined;
  const get = () => (real ??= createPrompter());
  return {
    multiselect: async (options) => (await get()).multiselect(options),
    select: async (options) => (await get()).select(options),
    confirm: async (options) => (await get()).confirm(options),
  };
}

/** `--cli`/`--branches`, or the named preset's (a missing preset is a Config error). */
function resolveStartChoices(config: PawConfig, flags: StartFlags): { cli?: string; branches?: string[] } {
  if (flags.preset !== undefined) {
    const preset = config.presets[flags.preset];
    if (!preset) {
      const names = Object.keys(config.presets);
      throw new ConfigError(`preset '${flags.preset}' not found`, {
        hint:
          names.length > 0
            ? `the presets are: ${names.join(', ')}`
            : 'define one as [presets.<name>] with branches and cli in .git-paw/config.toml',
      });
    }
    return { cli: preset.cli, branches: preset.branches };
  }
  return { cli: flags.cli, branches: flags.branches };
}

export interface AgentsForStartOptions {
  pathEnv?: string;
  /** Facts gathered ahead of validation (every choice on the command line): their commit check is reused. */
  facts?: Promise<PlanFacts>;
}

export async function agentsForStart(
  ctx: LaunchContext,
  config: PawConfig,
  startFlags: StartFlags,
  { pathEnv = process.env.PATH ?? '', facts }: AgentsForStartOptions = {},
): Promise<AgentRequest[]> {
  const flags = resolveStartChoices(config, startFlags);
  const detected = detectClis(config, pathEnv);
  detected.warnings.forEach(warn);
  if (detected.clis.length === 0) throw new NoClisFoundError();
  const branches = flags.branches === undefined ? undefined : normalizeBranchList(flags.branches);
  if (branches?.length === 0) throw new UsageError('--branches needs at least one branch name');
  const commits = facts ? settledValue((await facts).commits) : await hasCommits(ctx.runner, ctx.repo.root);
  if (!commits) throw new NoCommitsError();
  const offered: BranchInfo[] = branches === undefined ? await listBranches(ctx.runner, ctx.repo) : [];
  return selectLaunchPicks({
    flags: { cli: flags.cli, branches },
    branches: offered,
    clis: detected.clis,
    defaultCli: config.default_cli,
    prompter: lazyPrompter(),
    interactive: canPrompt(),
    pathEnv,
  });
}
