// The throwaway repository of `git paw demo`: a temp dir (`git-paw-demo-*`, marked with a
// sentinel file so clean-up never deletes anything else) holding a small git repo with three
// branches and a repo config that turns the broker on and registers the built-in demo agent as
// a custom CLI. The CLI is a tiny wrapper script that runs the agent with the node binary that
// runs git-paw, so the panes need no AI CLI and nothing on PATH.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { stringify } from 'smol-toml';
import { git } from '../git/repo.js';
import { PawError } from '../util/errors.js';
import type { CommandRunner } from '../util/exec.js';
import { packageFile } from '../util/self.js';
import { shellQuote } from '../util/shell.js';

/** feat/api provides, feat/ui waits for it, feat/docs writes (see src/demo/agent.ts `roleOf`). */
export const DEMO_BRANCHES = ['feat/api', 'feat/ui', 'feat/docs'] as const;
/** Name of the demo agent as a custom CLI (pane labels read `feat/api → demo-agent`). */
export const DEMO_CLI = 'demo-agent';
const DIR_PREFIX = 'git-paw-demo-';
const SENTINEL = '.git-paw-demo';

export interface DemoPaths {
  /** The temp dir: the repo, its worktrees (siblings of the repo) and the wrapper live here. */
  dir: string;
  repo: string;
}

/** Where the repo of a demo dir is. */
export function demoRepoPath(dir: string): string {
  return join(dir, 'demo');
}

/** Creates `<tmp>/git-paw-demo-XXXXXX` (canonical path) with its sentinel. */
export function createDemoDir(base: string = tmpdir()): string {
  const dir = realpathSync(mkdtempSync(join(base, DIR_PREFIX)));
  writeFileSync(join(dir, SENTINEL), 'made by `git paw demo`; removed by `git paw demo --clean`\n');
  return dir;
}

/** True only for a directory this module created (name prefix and sentinel). */
export function isDemoDir(dir: string): boolean {
  return basename(dir).startsWith(DIR_PREFIX) && existsSync(join(dir, SENTINEL));
}

function writeAgentWrapper(dir: string): string {
  const agent = packageFile('dist/demo/agent.js');
  const path = join(dir, 'bin', DEMO_CLI);
  mkdirSync(join(dir, 'bin'));
  writeFileSync(
    path,
    `#!/bin/sh\n# The git-paw demo agent, run with the node that runs git-paw.\nexec ${shellQuote(process.execPath)} ${shellQuote(agent)} "$@"\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

const README = `# git-paw demo

A throwaway project made by \`git paw demo\`. Three agents work on it at once, each on its own
branch and worktree, and tell each other what they do through the session's broker:

- \`feat/api\` builds the users API and exports its types,
- \`feat/ui\` needs those types, so it is blocked until \`feat/api\` is done,
- \`feat/docs\` writes the guide once the others have something to show.

Pane 0 shows the dashboard. Remove everything with \`git paw demo --clean\`.
`;

function demoConfig(wrapper: string): string {
  return stringify({
    broker: { enabled: true },
    clis: { [DEMO_CLI]: { command: wrapper, display_name: 'git-paw demo agent' } },
  });
}

async function gitOk(runner: CommandRunner, cwd: string, args: string[]): Promise<void> {
  const result = await git(runner, cwd, args);
  if (result.code !== 0) {
    throw new PawError(
      `cannot create the demo repository: git ${args[0] ?? ''} failed: ${result.stderr.trim().split('\n')[0] ?? ''}`,
    );
  }
}

/** Creates the demo repo in `dir`: one commit on `main` and the three demo branches. */
export async function createDemoRepo(runner: CommandRunner, dir: string): Promise<DemoPaths> {
  const repo = demoRepoPath(dir);
  const wrapper = writeAgentWrapper(dir);
  mkdirSync(join(repo, '.git-paw'), { recursive: true });
  mkdirSync(join(repo, 'src', 'api'), { recursive: true });
  writeFileSync(join(repo, 'README.md'), README);
  writeFileSync(
    join(repo, 'src', 'api', 'users.ts'),
    'export interface User {\n  id: string;\n  name: string;\n}\n',
  );
  writeFileSync(join(repo, '.gitignore'), '.git-paw/logs/\n');
  writeFileSync(join(repo, '.git-paw', 'config.toml'), demoConfig(wrapper));
  await gitOk(runner, repo, ['init', '-q']);
  await gitOk(runner, repo, ['symbolic-ref', 'HEAD', 'refs/heads/main']);
  // A repo-local identity and no signing: the demo must work on a machine with neither set up.
  await gitOk(runner, repo, ['config', 'user.name', 'git-paw demo']);
  await gitOk(runner, repo, ['config', 'user.email', 'demo@git-paw.invalid']);
  await gitOk(runner, repo, ['config', 'commit.gpgsign', 'false']);
  await gitOk(runner, repo, ['add', '-A']);
  await gitOk(runner, repo, ['commit', '-q', '--no-verify', '-m', 'Demo project']);
  for (const branch of DEMO_BRANCHES) await gitOk(runner, repo, ['branch', branch]);
  return { dir, repo };
}
