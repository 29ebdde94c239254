// The watcher's memory of one agent pane: turns each tick's snapshot (is the pane's shell back in
// front, what the screen shows) into a state signal, emitted only when the reading changes and
// only once it is stable. A pane running its `[worktree] setup` says so on screen (see
// bootstrap/setup): `working` while it runs, `error` once it failed and the CLI was not started.
// Pure: time is passed in, so every rule is unit-tested without tmux.
import { setupReading } from '../bootstrap/setup.js';
import type { ScreenRule } from './adapter.js';
import { classifyScreen, INTEGRATION_FAILED, unknownFlagLine } from './screen.js';
import type { AgentState, SignalSource, StateSignal } from './state.js';

/**
 * A pane whose shell stays in front this long after the watcher first saw it, without any
 * program ever in front, counts as exited: the CLI ended between two ticks or never started
 * (the shell may still be reading its rc files when the command is typed, hence the margin).
 */
export const START_GRACE_MS = 5_000;

/** A first run that ends this soon, showing a refused flag, failed on git-paw's integration. */
export const QUICK_EXIT_MS = 10_000;

/** One tick's view of a pane. */
export interface PaneSnapshot {
  /** The pane's own shell is the foreground process: no program runs in it. */
  shellInFront: boolean;
  /** The bottom of the visible text. */
  screen: string;
}

interface Observation {
  state: AgentState;
  source: SignalSource;
  detail: string;
  /** Read from the `[worktree] setup` lines: the CLI itself has not run yet. */
  setup?: true;
}

/** The same reading, whichever source it was credited to. */
function sameObservation(a: Observation | undefined, b: Observation): boolean {
  return a !== undefined && a.state === b.state && a.detail === b.detail;
}

export class PaneWatch {
  /** The last observation emitted. */
  private reported: Observation | undefined;
  /** A different observation seen once, waiting for a second consistent reading. */
  private pending: { observation: Observation; since: number } | undefined;
  /** When the current run of a program was first seen (undefined: no program since the last exit). */
  private programSince: number | undefined;
  /** Runs seen ending: only the first run carries git-paw's injected flags. */
  private exits = 0;

  constructor(
    private readonly rules: readonly ScreenRule[],
    private readonly firstSeen: number,
  ) {}

  /** The signal this tick's snapshot yields, if the pane's reading changed and is stable. */
  read(snapshot: PaneSnapshot, now: number): StateSignal | undefined {
    const observation = snapshot.shellInFront
      ? this.shellObservation(snapshot.screen, now)
      : this.programObservation(snapshot.screen);
    if (observation === undefined) {
      this.pending = undefined;
      return undefined;
    }
    return this.settle(observation, now);
  }

  /** The signal for the pane having disappeared (closed by the user, or killed). */
  closed(now: number): StateSignal | undefined {
    if (this.reported?.state === 'exited') return undefined;
    return this.settle({ state: 'exited', source: 'process', detail: 'pane closed' }, now);
  }

  private programObservation(screen: string): Observation {
    const setup = setupReading(screen);
    if (setup?.state === 'working')
      return { state: 'working', source: 'screen', detail: setup.detail, setup: true };
    return { ...classifyScreen(screen, this.rules), source: 'screen' };
  }

  private shellObservation(screen: string, now: number): Observation | undefined {
    // A failed setup is known for sure, and holds while the shell waits for the user.
    const setup = setupReading(screen);
    if (setup?.state === 'error')
      return { state: 'error', source: 'process', detail: setup.detail, setup: true };
    if (this.reported?.state === 'exited' && this.programSince === undefined) return this.reported;
    // Without a program seen, the shell may not have run the typed command yet (and what is on
    // screen may be its start-up files' complaints, not the CLI's).
    if (this.programSince === undefined && now - this.firstSeen < START_GRACE_MS) return undefined;
    const refused = this.exits === 0 ? unknownFlagLine(screen) : undefined;
    const quick = this.programSince === undefined || now - this.programSince <= QUICK_EXIT_MS;
    if (refused !== undefined && quick) {
      return { state: 'exited', source: 'process', detail: `${INTEGRATION_FAILED}${refused}` };
    }
    return { state: 'exited', source: 'process', detail: 'back at the shell' };
  }

  private settle(observation: Observation, now: number): StateSignal | undefined {
    if (sameObservation(this.reported, observation)) {
      this.pending = undefined;
      return undefined;
    }
    // A screen is caught mid-redraw now and then, and a prompt may run a short helper program
    // after the CLI exits: leaving `working`, or coming back from `exited`, needs the same
    // reading twice in a row.
    const previous = this.reported?.state;
    const needsTwo =
      observation.source === 'screen' &&
      ((previous === 'working' && observation.state !== 'working') || previous === 'exited');
    let since = now;
    if (needsTwo) {
      if (!this.pending || !sameObservation(this.pending.observation, observation)) {
        this.pending = { observation, since: now };
        return undefined;
      }
      since = this.pending.since;
    }
    this.pending = undefined;
    // A program back in front after an exit is the process's news: a screen reading alone cannot
    // end `exited`, since the screen may still show what the CLI left there.
    const decided: Observation =
      previous === 'exited' && observation.state !== 'exited'
        ? { ...observation, source: 'process' }
        : observation;
    this.reported = decided;
    if (decided.state === 'exited') {
      this.exits += 1;
      this.programSince = undefined;
    } else if (decided.setup) {
      // The CLI's run (how quickly it exits) is timed from its own start, not from its setup's.
      this.programSince = undefined;
    } else {
      this.programSince ??= since;
    }
    return { state: decided.state, source: decided.source, detail: decided.detail, at: since };
  }
}
