// `git paw stop`: kill this repo's tmux session (exact name), wait (bounded) until
// its broker has flushed and released the port, keep worktrees, branches and logs,
// and mark the state stopped so `start` recovers it.
import { resolveRepo } from '../git/repo.js';
import { endSessionProcesses } from '../launch/stop.js';
import { withRepoLock } from '../session/lock.js';
import { corruptStateError, findSession, saveState } from '../session/store.js';
import { systemRunner } from '../util/exec.js';
import { say } from '../util/output.js';

export async function runStop(): Promise<void> {
  const runner = systemRunner;
  const repo = await resolveRepo(runner);
  await withRepoLock(repo.root, async () => {
    const lookup = findSession(repo);
    if (lookup.kind === 'none') {
      say('No active session for this repo.');
      return;
    }
    if (lookup.kind === 'corrupt') throw corruptStateError(lookup);
    const { state } = lookup;
    await endSessionProcesses(runner, state);
    saveState({ ...state, status: 'stopped' });
    say('Session stopped. Worktrees and state preserved.');
    say('Run `git paw start` to recover.');
  });
}
