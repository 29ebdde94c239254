// What `git paw start` does once the repository is known: reattach to a
// running session, recover a stopped one, or launch a new one; `--dry-run` prints the plan. The
// caller holds the repo lock (except for --dry-run) until this returns. Each path imports only
// what it runs (specs and their YAML parser for --from-specs, recovery for a stopped session).
import { setupDryRunLines } from '../bootstrap/setup.js';
import { bootstrapSettings, mouseEnabled } from '../config/effective.js';
import type { SessionState } from '../session/schema.js';
import { corruptStateError, findSession } from '../session/store.js';
import { ensureTmuxInstalled, hasSession, tmuxInstalled } from '../tmux/client.js';
import { say, warn } from '../util/output.js';
import type { PlanFacts } from './facts.js';
import { launchSession, type LaunchInput } from './launch.js';
import { formatDryRun, formatExistingSessionDryRun, planLaunch } from './plan.js';
import { portBlocksForLaunch } from './ports.js';
import { launchSettingsOf, loadRepoConfig } from './settings.js';
import { agentsForStart } from './start-request.js';
import type { LaunchContext, StartFlags } from './types.js';

/** What a fresh launch would start (config, CLIs, flags, specs or prompts); undefined when no spec is pending. */
async function freshLaunchInput(ctx: LaunchContext, request: StartFlags, facts?: Promise<PlanFacts>): Promise<LaunchInput | undefined> {
  ensureTmuxInstalled();
  const config = await loadRepoConfig(ctx.repo.root);
  // Settings first: a bad [broker] table or an unreadable skill override stops before any prompt.
  const settings = launchSettingsOf(config, ctx.repo.root);
  const agents = request.fromSpecs
    ? await (await import('./specs-request.js')).agentsForSpecs(ctx, config, request.cli)
    : await agentsForStart(ctx, config, request, { facts });
  if (agents.length === 0) {
    say('No pending specs found.');
    return undefined;
  }
  return { ...ctx, agents, settings, facts };
}

async function resume(
  ctx: LaunchContext,
  state: SessionState,
  ignoredFlags: readonly string[],
  rerunSetup: boolean,
): Promise<string> {
  if (ignoredFlags.length > 0) warn(`session '${state.session_name}' already exists; ignoring ${ignoredFlags.join(', ')}`);
  ensureTmuxInstalled();
  if (await hasSession(ctx.runner, state.session_name)) {
    if (rerunSetup) warn(`session '${state.session_name}' is running; ignoring --rerun-setup`);
    // A broker that died with its window comes back before the user is handed the session.
    if (state.broker_port !== undefined) await (await import('./broker-revive.js')).reviveBroker(ctx.runner, state);
    say(`Reattaching to session '${state.session_name}'...`);
    return state.session_name;
  }
  say(`Recovering session '${state.session_name}'...`);
  const config = await loadRepoConfig(ctx.repo.root);
  const { recoverSession } = await import('./recover.js');
  await recoverSession(ctx, state, launchSettingsOf(config, ctx.repo.root), { rerunSetup });
  return state.session_name;
}

async function dryRun(
  ctx: LaunchContext,
  request: StartFlags,
  existing: SessionState | undefined,
  ignoredFlags: readonly string[],
  facts?: Promise<PlanFacts>,
): Promise<void> {
  if (existing) {
    if (ignoredFlags.length > 0) warn(`session '${existing.session_name}' already exists; ignoring ${ignoredFlags.join(', ')}`);
    // `start` would not launch anything: show the session it would reattach to or recover.
    const running = tmuxInstalled() && (await hasSession(ctx.runner, existing.session_name));
    // The config adds what the saved plan lacks: an old state file's mouse, the setup a recovery runs.
    const config = running && existing.mouse !== undefined ? undefined : await loadRepoConfig(ctx.repo.root);
    const mouse = existing.mouse ?? (config === undefined || mouseEnabled(config));
    const setup = running || config === undefined ? [] : (bootstrapSettings(config)?.setup ?? []);
    const where = request.rerunSetup
      ? 'in every worktree (--rerun-setup)'
      : 'in each worktree recovery recreates';
    process.stdout.write(
      formatExistingSessionDryRun(existing, running, mouse, setupDryRunLines(setup, where)),
    );
    return;
  }
  const input = await freshLaunchInput(ctx, request, facts);
  if (!input) return;
  const plan = await planLaunch(input, input.agents, input.settings, input.facts);
  const ports = await portBlocksForLaunch(
    ctx,
    plan.sessionName,
    plan.agents.length,
    plan.settings.ports,
    plan.settings.broker?.port,
  );
  process.stdout.write(formatDryRun(plan, request.fromSpecs ? 'from-specs' : 'normal', ports));
}

/**
 * Reattaches, recovers or launches (or prints the plan for `--dry-run`) with the repo lock held by
 * the caller; returns the session to attach to, or undefined when there is none. `ignoredFlags`
 * are named when a session exists; `facts`, gathered under the lock when no prompt can
 * intervene, are used to check a fresh plan.
 */
export async function startSession(
  ctx: LaunchContext,
  request: StartFlags,
  ignoredFlags: readonly string[],
  facts?: Promise<PlanFacts>,
): Promise<string | undefined> {
  const lookup = findSession(ctx.repo);
  if (lookup.kind === 'corrupt') throw corruptStateError(lookup);
  if (request.dryRun) {
    await dryRun(ctx, request, lookup.kind === 'found' ? lookup.state : undefined, ignoredFlags, facts);
    return undefined;
  }
  if (lookup.kind === 'found') return resume(ctx, lookup.state, ignoredFlags, request.rerunSetup === true);
  const { findLeftovers, refuseLeftoverConflicts } = await import('./leftovers.js');
  // Looked for while the config is read and the agents chosen; its failure surfaces when awaited.
  const leftovers = findLeftovers(ctx, facts);
  leftovers.catch(() => undefined);
  const input = await freshLaunchInput(ctx, request, facts);
  if (!input) return undefined;
  refuseLeftoverConflicts(await leftovers, input.agents);
  return (await launchSession(input)).session_name;
}
