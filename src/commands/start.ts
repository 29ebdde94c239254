// `git paw start` (upstream §9, TARGET §7): reattach to a running session, recover a stopped one,
// or launch a new one; `--dry-run` prints the plan. The repo lock is held until the session is
// saved and released before attaching. Each path imports only what it runs (specs and their YAML
// parser for --from-specs, recovery for a stopped session), so a launch starts fast.
import type { StartFlags } from '../cli.js';
import { resolveRepo } from '../git/repo.js';
import type { LaunchInput } from '../launch/launch.js';
import { launchSettingsOf, loadRepoConfig } from '../launch/settings.js';
import { agentsForStart } from '../launch/start-request.js';
import type { LaunchContext } from '../launch/types.js';
import { withRepoLock } from '../session/lock.js';
import type { SessionState } from '../session/schema.js';
import { corruptStateError, findSession } from '../session/store.js';
import { attachModeFor, attachSession, currentAttachContext } from '../tmux/attach.js';
import { ensureTmuxInstalled, hasSession } from '../tmux/client.js';
import { UsageError } from '../util/errors.js';
import { systemRunner, systemTerminalRunner } from '../util/exec.js';
import { say, warn } from '../util/output.js';

/** `--preset` with `--cli`/`--branches`, `--from-specs` with `--branches`/`--preset` (W-15). */
export function rejectConflictingFlags(flags: StartFlags): void {
  if (flags.preset !== undefined && (flags.cli !== undefined || flags.branches !== undefined)) {
    throw new UsageError('--preset cannot be combined with --cli or --branches', { hint: 'the preset names the CLI and the branches' });
  }
  if (flags.fromSpecs && (flags.branches !== undefined || flags.preset !== undefined)) {
    throw new UsageError('--from-specs cannot be combined with --branches or --preset', { hint: 'the specs name the branches' });
  }
}

/** The launch-shaping flags that an existing session makes meaningless. */
export function ignoredFlags(flags: StartFlags): string[] {
  return [
    ...(flags.cli !== undefined ? ['--cli'] : []),
    ...(flags.branches !== undefined ? ['--branches'] : []),
    ...(flags.preset !== undefined ? ['--preset'] : []),
    ...(flags.fromSpecs ? ['--from-specs'] : []),
  ];
}

/** What a fresh launch would start (config, CLIs, flags, specs or prompts); undefined when no spec is pending. */
async function freshLaunchInput(ctx: LaunchContext, flags: StartFlags): Promise<LaunchInput | undefined> {
  ensureTmuxInstalled();
  const config = await loadRepoConfig(ctx.repo.root);
  // Settings first: a bad [broker] table or an unreadable skill override stops before any prompt.
  const settings = launchSettingsOf(config, ctx.repo.root);
  const agents = flags.fromSpecs
    ? await (await import('../launch/specs-request.js')).agentsForSpecs(ctx, config, flags.cli)
    : await agentsForStart(ctx, config, {
        ...(flags.cli === undefined ? {} : { cli: flags.cli }),
        ...(flags.branches === undefined ? {} : { branches: flags.branches }),
        ...(flags.preset === undefined ? {} : { preset: flags.preset }),
      });
  if (agents.length === 0) {
    say('No pending specs found.');
    return undefined;
  }
  return { ...ctx, agents, settings };
}

async function resume(ctx: LaunchContext, state: SessionState, flags: StartFlags): Promise<string> {
  const ignored = ignoredFlags(flags);
  if (ignored.length > 0) warn(`session '${state.session_name}' already exists; ignoring ${ignored.join(', ')}`);
  ensureTmuxInstalled();
  if (await hasSession(ctx.runner, state.session_name)) {
    say(`Reattaching to session '${state.session_name}'...`);
    return state.session_name;
  }
  say(`Recovering session '${state.session_name}'...`);
  const config = await loadRepoConfig(ctx.repo.root);
  const { recoverSession } = await import('../launch/recover.js');
  await recoverSession(ctx, state, launchSettingsOf(config, ctx.repo.root));
  return state.session_name;
}

async function dryRun(ctx: LaunchContext, flags: StartFlags): Promise<void> {
  const lookup = findSession(ctx.repo);
  if (lookup.kind === 'corrupt') throw corruptStateError(lookup);
  if (lookup.kind === 'found') {
    warn(`session '${lookup.state.session_name}' already exists — purge it before starting a new one`);
    process.stderr.write('\n');
  }
  const input = await freshLaunchInput(ctx, flags);
  if (!input) return;
  const { formatDryRun, planLaunch } = await import('../launch/plan.js');
  const plan = await planLaunch(input, input.agents, input.settings);
  process.stdout.write(formatDryRun(plan, flags.fromSpecs ? 'from-specs' : 'normal'));
}

export async function runStart(flags: StartFlags): Promise<void> {
  rejectConflictingFlags(flags);
  const ctx: LaunchContext = { runner: systemRunner, repo: await resolveRepo(systemRunner) };
  if (flags.dryRun) return dryRun(ctx, flags);
  const sessionName = await withRepoLock(ctx.repo.root, async () => {
    const lookup = findSession(ctx.repo);
    if (lookup.kind === 'corrupt') throw corruptStateError(lookup);
    if (lookup.kind === 'found') return resume(ctx, lookup.state, flags);
    const input = await freshLaunchInput(ctx, flags);
    if (!input) return undefined;
    const { launchSession } = await import('../launch/launch.js');
    return (await launchSession(input)).session_name;
  });
  if (sessionName === undefined) return;
  const mode = attachModeFor(currentAttachContext(!flags.attach));
  await attachSession({ runner: systemRunner, terminal: systemTerminalRunner }, sessionName, mode);
}
