// Talking to tmux through the CommandRunner: presence check, exact-name liveness, kill, the live
// session list, and executing a SessionPlan (create, then start the panes' programs). Every session target is `=name` (exact match), so
// `paw-proj` never matches a live `paw-projx`.
import { TmuxError, TmuxNotInstalledError } from '../util/errors.js';
import type { CommandRunner, RunResult } from '../util/exec.js';
import { which } from '../util/which.js';
import { buildCreateArgs, buildSetupArgs, buildStartArgs, type SessionPlan } from './plan.js';

export function tmuxInstalled(pathEnv = process.env.PATH ?? ''): boolean {
  return which('tmux', pathEnv) !== undefined;
}

/** The friendly check, run before any tmux use on paths that need tmux (W-22). */
export function ensureTmuxInstalled(pathEnv = process.env.PATH ?? ''): void {
  if (!tmuxInstalled(pathEnv)) throw new TmuxNotInstalledError();
}

async function tmux(runner: CommandRunner, args: readonly string[]): Promise<RunResult> {
  try {
    return await runner.run('tmux', args);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new TmuxNotInstalledError();
    throw new TmuxError(`failed to run tmux: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function failure(result: RunResult): TmuxError {
  return new TmuxError(result.stderr.trim() || `tmux exited with status ${result.code}`);
}

/** True when a session with exactly this name is running. */
export async function hasSession(runner: CommandRunner, name: string): Promise<boolean> {
  return (await tmux(runner, ['has-session', '-t', `=${name}`])).code === 0;
}

export async function killSession(runner: CommandRunner, name: string): Promise<void> {
  const result = await tmux(runner, ['kill-session', '-t', `=${name}`]);
  if (result.code !== 0) throw failure(result);
}

/** Names of all live sessions (empty when no server runs). */
export async function liveSessionNames(runner: CommandRunner): Promise<Set<string>> {
  const result = await tmux(runner, ['list-sessions', '-F', '#{session_name}']);
  if (result.code !== 0) return new Set();
  return new Set(result.stdout.split('\n').filter((line) => line !== ''));
}

/**
 * Creates the whole session in two tmux processes and returns the pane ids in plan order; the
 * panes show their shells until `startPanePrograms`. On a failure the session may exist
 * half-built; the caller owns rollback (kill by exact name).
 */
export async function createSession(runner: CommandRunner, plan: SessionPlan): Promise<string[]> {
  const created = await tmux(runner, buildCreateArgs(plan));
  if (created.code !== 0) throw failure(created);
  const paneIds = created.stdout.split('\n').filter((line) => line.startsWith('%'));
  if (paneIds.length !== plan.panes.length) {
    throw new TmuxError(`expected ${plan.panes.length} panes in session '${plan.name}', tmux reported ${paneIds.length}`);
  }
  const setup = await tmux(runner, buildSetupArgs(plan, paneIds));
  if (setup.code !== 0) throw failure(setup);
  return paneIds;
}

/** Types each pane's command into its shell (one tmux process). */
export async function startPanePrograms(runner: CommandRunner, plan: SessionPlan, paneIds: readonly string[]): Promise<void> {
  const started = await tmux(runner, buildStartArgs(plan, paneIds));
  if (started.code !== 0) throw failure(started);
}
