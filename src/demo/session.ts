// `git paw demo`: a throwaway repo (src/demo/repo.ts) launched through the one launch
// path with the broker on, dashboard pane 0 and the built-in demo agent in every agent pane.
// A marker file under the data dir (`git-paw/demo.json`) remembers the demo, so a second
// `git paw demo` reattaches to a running one (or replaces a finished one), and `--clean` removes
// the session, its broker and log, the state file, the repo's lock, the temp dir and the marker.
import { readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { resolveCommandLine } from '../clis/command.js';
import type { PawConfig } from '../config/schema.js';
import type { RepoInfo } from '../git/repo.js';
import { resolveRepo } from '../git/repo.js';
import { removeBrokerFiles } from '../launch/broker.js';
import { launchSession } from '../launch/launch.js';
import { launchSettingsOf, loadRepoConfig } from '../launch/settings.js';
import { endSessionProcesses } from '../launch/stop.js';
import type { AgentRequest } from '../launch/types.js';
import { forgetRepoLock, withRepoLock } from '../session/lock.js';
import type { SessionState } from '../session/schema.js';
import { deleteState, findSession } from '../session/store.js';
import { hasSession, tmuxInstalled } from '../tmux/client.js';
import { sessionsDir } from '../util/dirs.js';
import { PawError } from '../util/errors.js';
import type { CommandRunner } from '../util/exec.js';
import { writeFileAtomic } from '../util/fs.js';
import { warn } from '../util/output.js';
import { object, safeParse, string, type Infer } from '../util/schema.js';
import { createDemoDir, createDemoRepo, DEMO_BRANCHES, DEMO_CLI, demoRepoPath, isDemoDir } from './repo.js';

const markerSchema = object({ dir: string({ minLength: 1 }), repo: string({ minLength: 1 }) });
export type DemoRecord = Infer<typeof markerSchema>;

/** `<data dir>/git-paw/demo.json`. */
export function demoMarkerPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(dirname(sessionsDir(env)), 'demo.json');
}

/** The recorded demo; undefined when there is none (an unreadable marker is reported and ignored). */
export function readDemoRecord(env: NodeJS.ProcessEnv = process.env): DemoRecord | undefined {
  const path = demoMarkerPath(env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const parsed = safeParse(markerSchema, value);
  if (parsed.success) return parsed.data;
  warn(`ignoring the damaged demo marker '${path}'`);
  rmSync(path, { force: true });
  return undefined;
}

function writeDemoRecord(record: DemoRecord, env: NodeJS.ProcessEnv): void {
  writeFileAtomic(demoMarkerPath(env), JSON.stringify(record), { mode: 0o600 });
}

/** The demo repo as a RepoInfo, also when its directory is already gone (state lookup only). */
function demoRepoInfo(record: DemoRecord): RepoInfo {
  return { root: record.repo, project: basename(record.repo), commonDir: join(record.repo, '.git') };
}

/** Runs `work` under a lock of its own, so two `git paw demo` commands never race. */
export function withDemoLock<T>(env: NodeJS.ProcessEnv, work: () => Promise<T>): Promise<T> {
  return withRepoLock(demoMarkerPath(env), work, env);
}

/** The demo's saved session when its tmux session runs. */
export async function runningDemo(
  runner: CommandRunner,
  record: DemoRecord,
  env: NodeJS.ProcessEnv,
): Promise<SessionState | undefined> {
  const lookup = findSession(demoRepoInfo(record), env);
  if (lookup.kind !== 'found' || !tmuxInstalled()) return undefined;
  return (await hasSession(runner, lookup.state.session_name)) ? lookup.state : undefined;
}

/** Removes every trace of a demo; each step that fails becomes a warning and the rest goes on. */
export async function removeDemo(
  runner: CommandRunner,
  record: DemoRecord,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  await withRepoLock(
    record.repo,
    async () => {
      const lookup = findSession(demoRepoInfo(record), env);
      if (lookup.kind === 'found') {
        const { state } = lookup;
        if ((await endSessionProcesses(runner, state)) !== 'still running') removeBrokerFiles(state);
        deleteState(state.session_name, env);
      } else if (lookup.kind === 'corrupt') {
        rmSync(lookup.path, { force: true });
      }
    },
    env,
  );
  // The throwaway repo never comes back, so its (released) repo lock goes with it.
  forgetRepoLock(record.repo, env);
  if (isDemoDir(record.dir)) rmSync(record.dir, { recursive: true, force: true });
  else warn(`left '${record.dir}' alone: it is not a directory made by \`git paw demo\``);
  rmSync(demoMarkerPath(env), { force: true });
}

/** One agent per demo branch, all running the demo agent the repo config registers. */
export function demoAgents(config: PawConfig, pathEnv: string = process.env.PATH ?? ''): AgentRequest[] {
  const entry = config.clis[DEMO_CLI];
  const resolved = entry?.command !== undefined ? resolveCommandLine(entry.command, pathEnv) : undefined;
  if (!resolved)
    throw new PawError(`the demo agent '${entry?.command ?? DEMO_CLI}' cannot be run`, {
      hint: 'run `git paw demo --clean`, then try again',
    });
  return DEMO_BRANCHES.map((branch) => ({ branch, cli: { name: DEMO_CLI, command: resolved.command } }));
}

/** Creates the demo repo and launches its session; on failure nothing of it is left. */
export async function launchDemo(runner: CommandRunner, env: NodeJS.ProcessEnv): Promise<SessionState> {
  const dir = createDemoDir();
  const record: DemoRecord = { dir, repo: demoRepoPath(dir) };
  // Recorded first, so `--clean` finds even a demo whose launch was interrupted.
  writeDemoRecord(record, env);
  try {
    const paths = await createDemoRepo(runner, dir);
    const repo = await resolveRepo(runner, paths.repo);
    const config = await loadRepoConfig(repo.root, env);
    const settings = launchSettingsOf(config, repo.root, env);
    const agents = demoAgents(config, env.PATH ?? '');
    return await withRepoLock(repo.root, () => launchSession({ runner, repo, env, agents, settings }), env);
  } catch (error) {
    await removeDemo(runner, record, env);
    throw error;
  }
}

/** What the newcomer is looking at, printed before attaching. */
export function demoIntro(state: SessionState, url: string | undefined): string[] {
  return [
    `Demo session '${state.session_name}' runs in the throwaway repo ${state.repo_path}.`,
    `What you're looking at: pane 0 is the dashboard; panes 1–${state.worktrees.length} run built-in demo agents that talk through the session's broker${url ? ` at ${url}` : ''} — feat/api builds an API, feat/ui is blocked until it is done, feat/docs writes the guide.`,
    'Remove everything it made with: git paw demo --clean',
  ];
}
