// The conflict watcher in the broker's server process. Cheap when nothing changes: it sleeps on
// fs.watch (each worktree's git dir, for commits, staging and checkouts, and the directories git
// tracks there, for edits; ignored directories are never watched) and checks only the worktrees
// that stirred, after a short debounce; a slow full sweep catches what the watches cannot see
// (e.g. a file in a directory created since). Checks never overlap: a change during a check asks
// for one more after it. On a repository where a check is slow it backs off and says so in the
// report. A session file not readable yet, a worktree gone or a branch deleted stop nothing: the
// report names what could not be checked.
import { EventEmitter } from 'node:events';
import { watch as fsWatch, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ConflictChecker, type CheckSession } from './check.js';
import type { ConflictGit } from './git.js';
import { PairTracker, type PairState } from './tracker.js';
import type { ConflictReport } from './types.js';

/** The event emitted once per pair that is new or changed kind: `(entry: ConflictEntry)`. */
export const NEW_CONFLICT_EVENT = 'conflict';
/** The event emitted after each check: `(report: ConflictReport)`. */
export const REPORT_EVENT = 'report';

/** Changes are gathered this long before a check (an agent writes several files at once). */
export const DEBOUNCE_MS = 300;
/** The full sweep, a safety net for what fs.watch cannot see (its cost is spread this thin). */
export const SWEEP_MS = 120_000;
/** A check slower than this backs the watcher off. */
export const SLOW_CHECK_MS = 1_000;
/**
 * While the session cannot be read (a launch saves its state moments after the broker is up),
 * it is read again this often: a file read, nothing more.
 */
const LOAD_RETRY_MS = 1_000;
/** The longest sweep interval when backed off. */
const MAX_SWEEP_MS = 10 * 60_000;

export interface Closable {
  close(): void;
}

/** Watches one directory (not recursively); undefined when it cannot be watched. */
export type DirWatch = (dir: string, onChange: () => void) => Closable | undefined;

export const nodeDirWatch: DirWatch = (dir, onChange) => {
  try {
    const watcher = fsWatch(dir, { persistent: false }, () => onChange());
    watcher.on('error', () => watcher.close());
    return watcher;
  } catch {
    return undefined;
  }
};

export interface ConflictWatcherOptions {
  /** The session to check, read afresh for every check; a string says why it cannot be read. */
  load: () => CheckSession | string;
  git: ConflictGit;
  watchDir?: DirWatch;
  /** What was announced before this process started (pair key → state). */
  seed?: ReadonlyMap<string, PairState>;
  now?: () => Date;
  debounceMs?: number;
  sweepMs?: number;
  /** A check slower than this backs the watcher off (SLOW_CHECK_MS by default). */
  slowCheckMs?: number;
}

/** The git dir of a linked worktree, from its `.git` file (the worktree dir itself for the main one). */
function gitDirOf(worktree: string): string | undefined {
  try {
    const text = readFileSync(join(worktree, '.git'), 'utf8');
    const match = /^gitdir: (.+)$/m.exec(text);
    if (!match) return undefined;
    const path = (match[1] as string).trim();
    return isAbsolute(path) ? path : resolve(worktree, path);
  } catch (error) {
    // A directory named .git: a main checkout.
    return (error as NodeJS.ErrnoException).code === 'EISDIR' ? join(worktree, '.git') : undefined;
  }
}

interface Watched {
  worktree: string;
  dirs: Map<string, Closable>;
}

export class ConflictWatcher extends EventEmitter {
  private readonly checker: ConflictChecker;
  private readonly tracker: PairTracker;
  private readonly watchDir: DirWatch;
  private readonly now: () => Date;
  private readonly debounceMs: number;
  private readonly baseSweepMs: number;
  private sweepMs: number;
  private readonly watched = new Map<string, Watched>();
  /** Agents whose worktree stirred since the last check; 'all' for a sweep. */
  private dirty: Set<string> | 'all' = 'all';
  private running = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private slowNote: string | undefined;
  /** The last check found no readable session: the next one comes soon. */
  private retryLoad = false;
  private lastReport: ConflictReport = {
    conflicts: [],
    check: { checked_at: null, unchecked: [], notes: [] },
  };

  constructor(private readonly options: ConflictWatcherOptions) {
    super();
    this.checker = new ConflictChecker(options.git);
    this.tracker = new PairTracker(options.seed);
    this.watchDir = options.watchDir ?? nodeDirWatch;
    this.now = options.now ?? (() => new Date());
    this.debounceMs = options.debounceMs ?? DEBOUNCE_MS;
    this.baseSweepMs = options.sweepMs ?? SWEEP_MS;
    this.sweepMs = this.baseSweepMs;
  }

  /** The last report (empty before the first check). */
  get report(): ConflictReport {
    return this.lastReport;
  }

  /** Starts with a full check. */
  start(): this {
    this.schedule(0);
    return this;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.sweepTimer);
    for (const watched of this.watched.values()) for (const closer of watched.dirs.values()) closer.close();
    this.watched.clear();
  }

  /** Marks an agent's worktree as changed (also what its watches call). */
  touch(agent: string): void {
    if (this.stopped) return;
    if (this.dirty !== 'all') this.dirty.add(agent);
    if (!this.running && this.timer === undefined) this.schedule(this.debounceMs);
  }

  /**
   * Runs a check now (or right after the one running) of the given agents' worktrees, or of all
   * of them; resolves with its report.
   */
  async checkNow(agents?: Iterable<string>): Promise<ConflictReport> {
    this.dirty = agents === undefined ? 'all' : new Set(agents);
    while (this.running) await new Promise((done) => this.once(REPORT_EVENT, done));
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.run();
    return this.lastReport;
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), delay);
    this.timer.unref();
  }

  private scheduleSweep(): void {
    clearTimeout(this.sweepTimer);
    this.sweepTimer = setTimeout(() => {
      this.dirty = 'all';
      if (!this.running) this.schedule(0);
    }, this.sweepMs);
    this.sweepTimer.unref();
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    if (this.running || this.stopped) return;
    this.running = true;
    const dirty = this.dirty;
    this.dirty = new Set();
    const started = performance.now();
    try {
      const session = this.options.load();
      if (typeof session === 'string') {
        this.publish({
          conflicts: [],
          check: { checked_at: this.now().toISOString(), unchecked: [], notes: [session] },
        });
        this.dirty = 'all';
        this.retryLoad = true;
        return;
      }
      this.retryLoad = false;
      const result = await this.checker.check(session, dirty === 'all' ? undefined : dirty);
      if (this.stopped) return;
      await this.updateWatches(session);
      const at = this.now();
      const unchecked = new Set(result.unchecked.map((entry) => entry.agent));
      const { entries, fresh } = this.tracker.update(result.findings, at, unchecked);
      this.backOff(performance.now() - started);
      const notes = [...result.notes, ...(this.slowNote ? [this.slowNote] : [])];
      this.publish({
        conflicts: entries,
        check: { checked_at: at.toISOString(), unchecked: result.unchecked, notes },
      });
      for (const entry of fresh) this.emit(NEW_CONFLICT_EVENT, entry);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.publish({
        ...this.lastReport,
        check: { ...this.lastReport.check, notes: [`conflict check failed: ${reason}`] },
      });
    } finally {
      this.running = false;
      if (!this.stopped) {
        this.scheduleSweep();
        if (this.retryLoad) this.schedule(LOAD_RETRY_MS);
        else if (this.changesWaiting()) this.schedule(this.gap());
      }
    }
  }

  private changesWaiting(): boolean {
    return this.dirty === 'all' || this.dirty.size > 0;
  }

  private publish(report: ConflictReport): void {
    this.lastReport = report;
    this.emit(REPORT_EVENT, report);
  }

  /** The wait before a check that changes asked for: longer on a repository where checks are slow. */
  private gap(): number {
    return this.slowNote === undefined ? this.debounceMs : this.slowGap();
  }

  /** Between checks that changes asked for, on a slow repository. */
  private slowGap(): number {
    return Math.round(this.sweepMs / 12);
  }

  /** A slow check stretches the intervals (and says so); a fast one brings them back. */
  private backOff(tookMs: number): void {
    if (tookMs <= (this.options.slowCheckMs ?? SLOW_CHECK_MS)) {
      this.sweepMs = this.baseSweepMs;
      this.slowNote = undefined;
      return;
    }
    this.sweepMs = Math.min(MAX_SWEEP_MS, Math.max(this.baseSweepMs, Math.round(tookMs * 120)));
    this.slowNote =
      `checking is slow in this repository (last check ${(tookMs / 1000).toFixed(1)} s): ` +
      `checked every ${Math.round(this.sweepMs / 1000)} s, and at most every ${Math.round(this.slowGap() / 1000)} s after a change`;
  }

  /** Watches each readable worktree's git dir and tracked directories; drops the watches of gone ones. */
  private async updateWatches(session: CheckSession): Promise<void> {
    const current = new Set<string>();
    for (const target of session.targets) {
      if (!this.checker.reading(target.agent)) continue;
      current.add(target.agent);
      let watched = this.watched.get(target.agent);
      if (watched && watched.worktree !== target.worktree) {
        this.unwatch(target.agent);
        watched = undefined;
      }
      if (!watched) {
        watched = { worktree: target.worktree, dirs: new Map() };
        this.watched.set(target.agent, watched);
        const gitDir = gitDirOf(target.worktree);
        const dirs = ['', ...(await this.options.git.trackedDirs(target.worktree))].map((dir) =>
          join(target.worktree, dir),
        );
        if (gitDir) dirs.push(gitDir, join(gitDir, 'logs'));
        for (const dir of dirs) this.watchOne(target.agent, watched, dir);
        // A change made while this check read the worktree, before the watches existed, would
        // otherwise wait for the sweep: read it once more now that they do.
        this.touch(target.agent);
      }
      // Directories that hold a new untracked file (made since the last listing) are watched too.
      for (const path of this.checker.reading(target.agent)?.uncommitted ?? []) {
        const dir = dirname(join(target.worktree, path));
        this.watchOne(target.agent, watched, dir);
      }
    }
    for (const agent of [...this.watched.keys()]) if (!current.has(agent)) this.unwatch(agent);
  }

  private watchOne(agent: string, watched: Watched, dir: string): void {
    if (watched.dirs.has(dir)) return;
    const closer = this.watchDir(dir, () => this.touch(agent));
    if (closer) watched.dirs.set(dir, closer);
  }

  private unwatch(agent: string): void {
    for (const closer of this.watched.get(agent)?.dirs.values() ?? []) closer.close();
    this.watched.delete(agent);
  }
}
