// Undo log for a launch: every step that creates something registers how to remove it; when the
// launch fails (or is interrupted: the terminal closing, Ctrl-C, kill, Ctrl-\) the steps run in
// reverse, so a failed launch leaves no worktree, branch, tmux session, broker, log dir, state or
// session-environment file behind.
import { CancelledError, describeError } from '../util/errors.js';
import { warn } from '../util/output.js';
import { catchingSignals } from '../util/signals.js';

interface UndoStep {
  what: string;
  undo: () => Promise<void> | void;
}

export class Rollback {
  private readonly steps: UndoStep[] = [];
  private readonly interruption = new AbortController();

  /** Registers how to remove `what` (described for the warning if removal fails). */
  add(what: string, undo: () => Promise<void> | void): void {
    this.steps.push({ what, undo });
  }

  /** Throws CancelledError once the user interrupted, so the launch stops between steps. */
  checkpoint(): void {
    if (this.wasInterrupted) throw new CancelledError();
  }

  markInterrupted(): void {
    this.interruption.abort();
  }

  get wasInterrupted(): boolean {
    return this.interruption.signal.aborted;
  }

  /** Aborted once the user interrupted: long waits (the broker's start) give up on it. */
  get signal(): AbortSignal {
    return this.interruption.signal;
  }

  /** Runs every undo step, newest first; returns descriptions of what could not be removed. */
  async undoAll(): Promise<string[]> {
    const leftovers: string[] = [];
    for (const step of this.steps.reverse()) {
      try {
        await step.undo();
      } catch (error) {
        leftovers.push(`${step.what} (${describeError(error)})`);
      }
    }
    this.steps.length = 0;
    return leftovers;
  }
}

/**
 * Runs `work`; on failure undoes everything it registered and rethrows the failure (as
 * CancelledError when the user interrupted). Signals are caught for the duration, the undo
 * included, so no signal can skip or cut short the cleanup.
 */
export async function withRollback<T>(work: (rollback: Rollback) => Promise<T>): Promise<T> {
  const rollback = new Rollback();
  return catchingSignals(
    () => rollback.markInterrupted(),
    async () => {
      try {
        return await work(rollback);
      } catch (error) {
        for (const leftover of await rollback.undoAll()) warn(`could not remove ${leftover}`);
        throw rollback.wasInterrupted ? new CancelledError() : error;
      }
    },
  );
}
