// What to launch in a normal `start`: which branches, and which CLI in each.
// Asks only what the flags leave open, in upstream's order — branches, then
// assignment mode, then the CLI picker(s) — and never prompts without a terminal.
import { resolveCliChoice } from '../clis/resolve.js';
import type { CliInfo } from '../clis/known.js';
import { BranchError, CancelledError, NoClisFoundError, UsageError } from '../util/errors.js';
import type { Choice, Prompter } from './prompter.js';

/** A branch offered by the picker (structurally the BranchInfo of src/git/branches.ts). */
export interface BranchChoice {
  name: string;
  /** Worktree where the branch is checked out; such a branch is shown but cannot be picked. */
  checkedOutAt?: string;
}

export interface CliPick {
  name: string;
  command: string;
}

export interface LaunchPick {
  branch: string;
  cli: CliPick;
}

export interface SelectLaunchInput {
  flags: { cli?: string; branches?: string[] };
  branches: BranchChoice[];
  clis: CliInfo[];
  defaultCli?: string;
  prompter: Prompter;
  interactive: boolean;
  pathEnv?: string;
}

export const BRANCH_PROMPT = 'Select branches (space to toggle, enter to confirm)';
export const MODE_PROMPT = 'CLI assignment mode';
export const SAME_CLI = 'Same CLI for all branches';
export const PER_BRANCH_CLI = 'Different CLI per branch';
export const UNIFORM_CLI_PROMPT = 'Select AI CLI for all branches';

export function perBranchCliPrompt(branch: string): string {
  return `Select CLI for ${branch}`;
}

/** `<display> (<name>)` when the two differ, else just the name. */
export function cliLabel(cli: Pick<CliInfo, 'name' | 'displayName'>): string {
  return cli.displayName === cli.name ? cli.name : `${cli.displayName} (${cli.name})`;
}

/**
 * A prompt needed without a terminal: the command line lacks choices, so a usage error (exit 2)
 * whose hint names what to pass instead.
 */
function noTerminalError(instead: string): UsageError {
  return new UsageError('Interactive prompt failed: cannot prompt without a terminal', { hint: `pass ${instead}` });
}

async function pickBranches(branches: BranchChoice[], prompter: Prompter): Promise<string[]> {
  if (branches.length === 0) throw new BranchError('No branches available.');
  const choices: Choice<string>[] = branches.map((branch) => ({
    value: branch.name,
    label: branch.name,
    ...(branch.checkedOutAt === undefined ? {} : { hint: `checked out at ${branch.checkedOutAt}`, disabled: true }),
  }));
  const picked = new Set(await prompter.multiselect({ message: BRANCH_PROMPT, choices }));
  // List order, and never a branch that is checked out elsewhere, whatever the prompter returned.
  const names = branches.filter((branch) => picked.has(branch.name) && branch.checkedOutAt === undefined).map((b) => b.name);
  if (names.length === 0) throw new CancelledError();
  return names;
}

async function pickCli(message: string, clis: CliInfo[], defaultCli: string | undefined, prompter: Prompter): Promise<CliInfo> {
  const choices: Choice<CliInfo>[] = clis.map((cli) => ({ value: cli, label: cliLabel(cli) }));
  const initial = clis.find((cli) => cli.name === defaultCli);
  return prompter.select({ message, choices, ...(initial ? { initial } : {}) });
}

function toPick(cli: CliInfo): CliPick {
  return { name: cli.name, command: cli.command };
}

/** The one CLI picker of `--from-specs`, `default_cli` pre-selected. */
export async function pickSpecCli(input: {
  clis: CliInfo[];
  defaultCli?: string;
  prompter: Prompter;
  interactive: boolean;
}): Promise<CliInfo> {
  if (!input.interactive) throw noTerminalError('--cli (or set default_spec_cli in the config)');
  return pickCli(UNIFORM_CLI_PROMPT, input.clis, input.defaultCli, input.prompter);
}

async function pickClis(branches: string[], input: SelectLaunchInput): Promise<LaunchPick[]> {
  const { clis, defaultCli, prompter } = input;
  if (clis.length === 0) throw new NoClisFoundError();
  const perBranch = await prompter.select<boolean>({
    message: MODE_PROMPT,
    choices: [
      { value: false, label: SAME_CLI },
      { value: true, label: PER_BRANCH_CLI },
    ],
    initial: false,
  });
  if (!perBranch) {
    const cli = toPick(await pickCli(UNIFORM_CLI_PROMPT, clis, defaultCli, prompter));
    return branches.map((branch) => ({ branch, cli }));
  }
  const picks: LaunchPick[] = [];
  for (const branch of branches) {
    picks.push({ branch, cli: toPick(await pickCli(perBranchCliPrompt(branch), clis, defaultCli, prompter)) });
  }
  return picks;
}

/**
 * The (branch, CLI) pairs of a normal start, in branch order: `--branches` as given (validated
 * later by the launch plan), else the picker's selection in list order; `--cli` resolved for
 * every branch (before any prompt, so a bad name fails at once), else the mode prompt and CLI
 * picker(s) with `default_cli` pre-selected.
 */
export async function selectLaunchPicks(input: SelectLaunchInput): Promise<LaunchPick[]> {
  const { flags, prompter } = input;
  const missingFlags = [
    ...(flags.branches === undefined ? ['--branches'] : []),
    ...(flags.cli === undefined ? ['--cli'] : []),
  ];
  if (!input.interactive && missingFlags.length > 0) throw noTerminalError(`${missingFlags.join(' and ')} (or --preset)`);

  const fixedCli = flags.cli === undefined ? undefined : resolveCliChoice(flags.cli, input.clis, input.pathEnv);
  const branches = flags.branches ?? (await pickBranches(input.branches, prompter));
  if (fixedCli) return branches.map((branch) => ({ branch, cli: fixedCli }));
  return pickClis(branches, input);
}
