// How many processes a launch starts: one `git worktree add` per branch plus a constant number
// of other git calls, and a fixed number of tmux calls, whatever the number of branches. On a
// machine where starting a process is slow, this count is what decides how fast `start` is.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countProcesses, type ProcessLog } from '../helpers/process-shims.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { skipWithoutTmux } from '../helpers/tmux.js';
import { pawOk } from '../helpers/lifecycle.js';

let sandbox: Sandbox;
let processes: ProcessLog;

beforeEach(() => {
  // The broker stays on, as by default: its own processes are not the launch's.
  sandbox = createSandbox();
  sandbox.fakeCli('claude');
  processes = countProcesses(sandbox, ['git', 'tmux']);
});

afterEach(() => sandbox.cleanup());

/** The git and tmux calls `start` itself made for a launch of `branches`. */
async function launchCalls(branches: string[]): Promise<{ git: string[]; tmux: string[] }> {
  processes.reset();
  await pawOk(sandbox, ['start', '--no-attach', '--cli', 'claude', '--branches', branches.join(',')]);
  const start = processes.firstCaller();
  const calls = start === undefined ? [] : processes.callsBy(start);
  return {
    git: calls.filter((call) => call.startsWith('git ')),
    tmux: calls.filter((call) => call.startsWith('tmux ')),
  };
}

describe.skipIf(skipWithoutTmux)('launch process budget', () => {
  for (const count of [2, 8, 16]) {
    it(`launches ${count} new branches with at most ${count} + 4 git calls and 4 tmux calls`, async () => {
      const branches = Array.from({ length: count }, (_, index) => `feat/${index + 1}`);
      const { git, tmux } = await launchCalls(branches);
      const adds = git.filter((call) => call.startsWith('git worktree add '));
      expect(adds, git.join('\n')).toHaveLength(count);
      expect(git.length, git.join('\n')).toBeLessThanOrEqual(count + 4);
      expect(tmux.length, tmux.join('\n---\n')).toBeLessThanOrEqual(4);
    });
  }

  it('keeps the budget with a remote, an existing branch and ignore rules', async () => {
    sandbox.writeFile('proj/.gitignore', 'node_modules/\n');
    sandbox.git(['add', '.gitignore']);
    sandbox.git(['commit', '-q', '-m', 'ignore rules']);
    sandbox.git(['branch', 'feat/old']);
    // A remote-tracking ref that is none of the launched branches.
    sandbox.git(['update-ref', 'refs/remotes/origin/main', 'HEAD']);
    const { git, tmux } = await launchCalls(['feat/old', 'feat/new', 'feat/other']);
    expect(git.length, git.join('\n')).toBeLessThanOrEqual(3 + 4);
    expect(tmux.length, tmux.join('\n---\n')).toBeLessThanOrEqual(4);
  });
});
