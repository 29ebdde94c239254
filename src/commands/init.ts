// `git paw init`: prepares `.git-paw/` in the current repository (main worktree root).
import { initRepo } from '../config/init-repo.js';
import { resolveRepo } from '../git/repo.js';
import { systemRunner } from '../util/exec.js';
import { say } from '../util/output.js';

export async function runInit(): Promise<void> {
  const { root } = await resolveRepo(systemRunner, process.cwd());
  const done = initRepo(root);
  done.forEach((line) => say(`  ${line}`));
  say(done.length > 0 ? 'Initialized git-paw.' : 'Already initialized. Nothing to do.');
}
