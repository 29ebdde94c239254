// `git paw start`: checks the flags, takes the repo lock (not for
// --dry-run), reattaches, recovers or launches (src/launch/start), releases the lock and hands the
// terminal to the session — or prints how to attach.
import { resolveRepo } from '../git/repo.js';
import { gatherPlanFacts } from '../launch/facts.js';
import { startSession } from '../launch/start.js';
import type { StartFlags } from '../launch/types.js';
import { acquireRepoLock } from '../session/lock.js';
import { attachModeFor, attachSession, currentAttachContext } from '../tmux/attach.js';
import { UsageError } from '../util/errors.js';
import { systemRunner, systemTerminalRunner } from '../util/exec.js';
import { cancelledBySignal } from '../util/signals.js';

/** `--preset` with `--cli`/`--branches`, `--from-specs` with `--branches`/`--preset`: rejected. */
export function rejectConflictingFlags(flags: StartFlags): void {
  if (flags.preset !== undefined && (flags.cli !== undefined || flags.branches !== undefined)) {
    throw new UsageError('--preset cannot be combined with --cli or --branches', {
      hint: 'the preset names the CLI and the branches',
    });
  }
  if (flags.fromSpecs && (flags.branches !== undefined || flags.preset !== undefined)) {
    throw new UsageError('--from-specs cannot be combined with --branches or --preset', {
      hint: 'the specs name the branches',
    });
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

/** True when the flags decide everything, so no prompt can come between now and validation. */
function decidedByFlags(flags: StartFlags): boolean {
  return (
    !flags.fromSpecs &&
    (flags.preset !== undefined || (flags.cli !== undefined && flags.branches !== undefined))
  );
}

export async function runStart(flags: StartFlags): Promise<void> {
  rejectConflictingFlags(flags);
  const repo = await resolveRepo(systemRunner);
  const ctx = { runner: systemRunner, repo };
  let sessionName: string | undefined;
  const lock = flags.dryRun ? undefined : acquireRepoLock(repo.root);
  try {
    // A signal before the launch has made anything (a prompt may be waiting) just ends the command;
    // the launch's own rollback hears the signals while it has something to undo.
    sessionName = await cancelledBySignal(() => {
      // Under the repo lock, when nothing will wait for the user: what the plan is checked
      // against, gathered while the config is read and the CLIs are detected.
      const facts = decidedByFlags(flags) ? gatherPlanFacts(ctx, flags.branches) : undefined;
      return startSession(ctx, flags, ignoredFlags(flags), facts);
    });
  } finally {
    lock?.release();
  }
  if (sessionName === undefined) return;
  const mode = attachModeFor(currentAttachContext(!flags.attach));
  await attachSession({ runner: systemRunner, terminal: systemTerminalRunner }, sessionName, mode);
}
