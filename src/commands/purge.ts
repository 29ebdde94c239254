// `git paw purge [--force]`: confirm with the list of what will be
// lost (no terminal and no --force → Cancelled, nothing touched), then remove the session.
// A damaged state file of this repo can be purged too, so it never blocks the repo.
import { rmSync } from 'node:fs';
import { resolveRepo } from '../git/repo.js';
import { assessPurge, describePurgeLosses, purgeSession, PURGE_QUESTION } from '../launch/purge.js';
import type { LaunchContext } from '../launch/types.js';
import { canPrompt, createPrompter } from '../selection/prompter.js';
import { withRepoLock } from '../session/lock.js';
import { findSession } from '../session/store.js';
import { CancelledError } from '../util/errors.js';
import { systemRunner } from '../util/exec.js';
import { say, warn } from '../util/output.js';

async function confirm(details: string[], question: string): Promise<void> {
  if (!canPrompt()) throw new CancelledError('there is no terminal to confirm on; run `git paw purge --force` to purge without asking');
  for (const line of details) process.stderr.write(`${line}\n`);
  const prompter = await createPrompter();
  if (!(await prompter.confirm({ message: question, initial: false }))) throw new CancelledError();
}

export async function runPurge(flags: { force?: boolean }): Promise<void> {
  const ctx: LaunchContext = { runner: systemRunner, repo: await resolveRepo(systemRunner) };
  await withRepoLock(ctx.repo.root, async () => {
    const lookup = findSession(ctx.repo);
    if (lookup.kind === 'none') {
      const { purgeLeftovers } = await import('../launch/purge-leftovers.js');
      if (!(await purgeLeftovers(ctx, flags.force ? undefined : confirm))) say('No session to purge for this repo.');
      return;
    }
    if (lookup.kind === 'corrupt') {
      const details = [`The session state file '${lookup.path}' is damaged (${lookup.reason}).`];
      if (!flags.force) await confirm(details, 'Delete the damaged state file?');
      rmSync(lookup.path, { force: true });
      warn(`the tmux session and worktrees of '${lookup.sessionName}' (if any) were not removed; see \`tmux ls\` and \`git worktree list\``);
      say(`Purged session '${lookup.sessionName}'.`);
      return;
    }
    if (!flags.force) await confirm(describePurgeLosses(await assessPurge(ctx, lookup.state)), PURGE_QUESTION);
    await purgeSession(ctx, lookup.state);
    say(`Purged session '${lookup.state.session_name}'.`);
  });
}
