// Talking to tmux through the CommandRunner: presence check, exact-name liveness, kill, the live
// session list, and executing a SessionPlan (frame, panes, then the panes' programs). Every
// session target is `=name` (exact match), so `paw-proj` never matches a live `paw-projx`. The
// session environment (which may hold the broker token) goes through a private temp file that
// exists only while the frame is created.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeError, TmuxError, TmuxNotInstalledError } from '../util/errors.js';
import type { CommandRunner, RunResult } from '../util/exec.js';
import { which } from '../util/which.js';
import {
  buildFrameArgs,
  buildPanesArgs,
  buildStartArgs,
  buildWindowArgs,
  framePaneCount,
  REPO_OPTION,
  sessionEnvScript,
  type SessionPlan,
  type WindowPlan,
} from './plan.js';

export function tmuxInstalled(pathEnv = process.env.PATH ?? ''): boolean {
  return which('tmux', pathEnv) !== undefined;
}

/** The friendly check, run before any tmux use on paths that need tmux (one clear error). */
export function ensureTmuxInstalled(pathEnv = process.env.PATH ?? ''): void {
  if (!tmuxInstalled(pathEnv)) throw new TmuxNotInstalledError();
}

async function tmux(runner: CommandRunner, args: readonly string[]): Promise<RunResult> {
  try {
    return await runner.run('tmux', args);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new TmuxNotInstalledError();
    throw new TmuxError(`failed to run tmux: ${describeError(error)}`);
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

/** Names of the windows of session `name` (empty when it does not run). */
export async function windowNames(runner: CommandRunner, name: string): Promise<string[]> {
  const result = await tmux(runner, ['list-windows', '-t', `=${name}:`, '-F', '#{window_name}']);
  if (result.code !== 0) return [];
  return result.stdout.split('\n').filter((line) => line !== '');
}

/** The text a window of session `name` shows (its last lines of scrollback too); undefined when it is gone. */
export async function windowText(
  runner: CommandRunner,
  name: string,
  window: string,
): Promise<string | undefined> {
  const result = await tmux(runner, ['capture-pane', '-p', '-J', '-S', '-200', '-t', `=${name}:${window}`]);
  return result.code === 0 ? result.stdout : undefined;
}

/** Adds a hidden window (in the background) to the running session `name`. */
export async function openWindow(runner: CommandRunner, name: string, window: WindowPlan): Promise<void> {
  const result = await tmux(runner, buildWindowArgs(name, window));
  if (result.code !== 0) throw failure(result);
}

/** Every live session with the repository its `@paw_repo` option names ('' when unset); empty when no server runs. */
export async function liveSessionRepos(runner: CommandRunner): Promise<Map<string, string>> {
  const result = await tmux(runner, ['list-sessions', '-F', `#{session_name}\t#{${REPO_OPTION}}`]);
  const sessions = new Map<string, string>();
  if (result.code !== 0) return sessions;
  for (const line of result.stdout.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) sessions.set(line.slice(0, tab), line.slice(tab + 1));
  }
  return sessions;
}

/** Live sessions whose `@paw_repo` option names `repoRoot`: git-paw's own sessions of that repo. */
export function sessionsOfRepo(sessions: ReadonlyMap<string, string>, repoRoot: string): string[] {
  return [...sessions].filter(([, repo]) => repo === repoRoot).map(([name]) => name);
}

/** A variable of a session's environment, undefined when unset (or the session is gone). */
export async function sessionVariable(
  runner: CommandRunner,
  name: string,
  variable: string,
): Promise<string | undefined> {
  const result = await tmux(runner, ['show-environment', '-t', `=${name}`, variable]);
  const line = result.stdout.trim();
  if (result.code !== 0 || !line.startsWith(`${variable}=`)) return undefined;
  return line.slice(variable.length + 1);
}

/**
 * Runs `use` with the plan's session-environment script in a file only this user can read (mode
 * 0600 in a fresh 0700 directory under `privateDir`), removed afterwards whatever happens; with
 * no session variables there is no file.
 */
async function withEnvScript<T>(
  plan: SessionPlan,
  privateDir: string | undefined,
  use: (path: string | undefined) => Promise<T>,
): Promise<T> {
  if (Object.keys(plan.env).length === 0) return use(undefined);
  if (privateDir === undefined) throw new Error('a plan with session variables needs a private directory');
  let dir: string | undefined;
  let path: string;
  try {
    mkdirSync(privateDir, { recursive: true, mode: 0o700 });
    dir = mkdtempSync(join(privateDir, '.tmux-env-'));
    path = join(dir, 'session-env.conf');
    writeFileSync(path, sessionEnvScript(plan), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    throw new TmuxError(
      `cannot write the session environment file in '${privateDir}': ${describeError(error)}`,
    );
  }
  try {
    return await use(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The panes the frame made: its placeholder, and the plan's panes it opened (in plan order). */
export interface FramePanes {
  placeholder: string;
  opened: string[];
}

/** The pane ids a tmux invocation printed, one per line. */
function printedPaneIds(stdout: string): string[] {
  return stdout.split('\n').filter((line) => line.startsWith('%'));
}

/**
 * Creates the session's frame (plan's buildFrameArgs) with its placeholder pane in
 * `placeholderCwd`; returns the ids of its panes. `privateDir` holds the short-lived file of the
 * session environment (required when the plan has session variables). On a failure the session
 * may exist half-built; the caller owns rollback (kill by exact name).
 */
export async function createSessionFrame(
  runner: CommandRunner,
  plan: SessionPlan,
  placeholderCwd: string,
  privateDir?: string,
): Promise<FramePanes> {
  const created = await withEnvScript(plan, privateDir, (path) =>
    tmux(runner, buildFrameArgs(plan, placeholderCwd, path)),
  );
  if (created.code !== 0) throw failure(created);
  const [placeholder, ...opened] = printedPaneIds(created.stdout);
  if (placeholder === undefined || opened.length !== framePaneCount(plan))
    throw new TmuxError(`tmux did not report the first panes of session '${plan.name}'`);
  return { placeholder, opened };
}

/**
 * Opens every other pane of the plan in the frame (one tmux process); returns the ids of all the
 * plan's panes in plan order. Their shells wait for startPanes.
 */
export async function openPanes(
  runner: CommandRunner,
  plan: SessionPlan,
  frame: FramePanes,
): Promise<string[]> {
  const opened = await tmux(runner, buildPanesArgs(plan, frame.placeholder));
  if (opened.code !== 0) throw failure(opened);
  const paneIds = [...frame.opened, ...printedPaneIds(opened.stdout)];
  if (paneIds.length !== plan.panes.length) {
    throw new TmuxError(
      `expected ${plan.panes.length} panes in session '${plan.name}', tmux reported ${paneIds.length}`,
    );
  }
  return paneIds;
}

/** Labels each pane, attaches its log pipe and types its command (one tmux process). */
export async function startPanes(
  runner: CommandRunner,
  plan: SessionPlan,
  paneIds: readonly string[],
): Promise<void> {
  const started = await tmux(runner, buildStartArgs(plan, paneIds));
  if (started.code !== 0) throw failure(started);
}
