// The state watcher in the broker's server process: about once a second it reads every agent
// pane of the session with one tmux invocation (whatever the pane count), tells from each pane's
// foreground process and screen what its CLI is doing, and hands a signal to the sink only when
// a pane's reading changes (PaneWatch). It talks only to the tmux server it runs under (the
// socket in the TMUX variable the broker window inherits) and only to its own session; when tmux
// fails (the session is gone) it stops quietly and leaves the broker running.
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import type { ScreenRule } from '../agents/adapter.js';
import { adapterFor } from '../agents/adapters/index.js';
import { PaneWatch } from '../agents/pane-watch.js';
import { bottomOfScreen } from '../agents/screen.js';
import { HOOK_SHIELD_MS } from '../agents/precedence.js';
import type { AgentState, StateSignal } from '../agents/state.js';
import { describeError } from '../util/errors.js';
import { procStatFields } from '../util/process.js';
import { systemRunner, type CommandRunner } from '../util/exec.js';
import { buildSnapshotArgs, parseSnapshot, type PaneListing } from '../tmux/snapshot.js';
import type { ObserveOutcome } from './server/service.js';

/** Where the watcher's signals go (the broker service), and what became of each. */
export interface StateSink {
  observe(agentId: string, signal: StateSignal): ObserveOutcome;
  /** The agent's state as the broker holds it now, when the sink can tell. */
  currentState?(agentId: string): { state: AgentState } | undefined;
}

/** The tmux server and session a process inside a pane or window belongs to. */
export interface TmuxLocation {
  socketPath: string;
  /** tmux's id of the session, e.g. `$3`. */
  sessionId: string;
}

/** Reads TMUX (`<socket>,<server pid>,<session index>`), set by tmux for its panes and windows. */
export function tmuxLocationOf(env: NodeJS.ProcessEnv): TmuxLocation | undefined {
  const match = /^(.+),\d+,(\d+)$/.exec(env.TMUX ?? '');
  if (!match) return undefined;
  return { socketPath: match[1] as string, sessionId: `$${match[2] as string}` };
}

/** Shell names for systems without /proc, where the foreground process is known only by name. */
const SHELLS = new Set([
  'sh',
  'bash',
  'zsh',
  'fish',
  'dash',
  'ksh',
  'mksh',
  'tcsh',
  'csh',
  'ash',
  'nu',
  'elvish',
]);

/**
 * True when the pane's shell (pid `panePid`) is its terminal's foreground process group, i.e. no
 * program started from it is running. An interactive shell puts each job in a group of its own,
 * so the terminal's group differs from the shell's while the CLI runs — exact even for a CLI that
 * is itself a shell script. Without /proc, the foreground process's name is compared with known
 * shells.
 */
export function shellInFront(panePid: number, command: string): boolean {
  // Fields after the command name: state ppid pgrp session tty_nr tpgid …
  const fields = procStatFields(panePid);
  if (fields === undefined) return SHELLS.has(basename(command.replace(/^-/, '')));
  return Number(fields[5]) === panePid;
}

export const WATCH_INTERVAL_MS = 1_000;

/** Failed reads in a row after which the watcher gives up (a busy machine may fail one fork). */
const MAX_FAILED_TICKS = 3;

/** What tmux says when the session or its server is gone for good. */
const GONE = /can't find session|no server running|error connecting to/i;

export interface WatcherOptions {
  session: string;
  location: TmuxLocation;
  /** The session's agents and their CLIs; panes of other agents are ignored. */
  roster: readonly { agent_id: string; cli: string }[];
  sink: StateSink;
  runner?: CommandRunner;
  intervalMs?: number;
  now?: () => number;
  /** Told once why the watcher stopped on its own (tmux failed, the session went away). */
  onStop?: (reason: string) => void;
}

export interface StateWatcher {
  /** Stops polling; a tick in flight is discarded. */
  stop(): void;
}

interface WatchedPane {
  agentId: string;
  watch: PaneWatch;
  /**
   * A reading the broker overruled (a hook had spoken moments before), sent once more when the
   * hook's word no longer shields its state: the reading does not change, so nothing else would
   * resend it (e.g. a dialog answered in the pane while the tool then runs for a minute).
   */
  overruled?: StateSignal;
  /** The pane's current reading as last sent, and when it was last sent. */
  reading?: StateSignal;
  sentAt?: number;
}

/**
 * Readings the screen shows by a rule match (a dialog, a busy marker), which are repeated while a
 * later hook says otherwise: a CLI whose hooks report only the end of a turn (Codex's notify)
 * may report it after the next turn has begun. An idle reading (no rule matched) proves nothing,
 * and an error line stays on screen long after the error, so neither is repeated.
 */
function screenEvidence(signal: StateSignal | undefined): signal is StateSignal {
  return signal?.source === 'screen' && (signal.state === 'working' || signal.state === 'waiting');
}

export function startStateWatcher(options: WatcherOptions): StateWatcher {
  const runner = options.runner ?? systemRunner;
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? WATCH_INTERVAL_MS;
  const marker = `paw-watch-${randomBytes(8).toString('hex')}`;
  const rules = new Map<string, readonly ScreenRule[]>(
    options.roster.map((entry) => [entry.agent_id, adapterFor(entry.cli).screenRules]),
  );
  /** Keyed by pane id: the panes read on the next tick. */
  const panes = new Map<string, WatchedPane>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let failedTicks = 0;

  /** Hands a signal to the sink; true when the broker overruled it. */
  const send = (agentId: string, signal: StateSignal): boolean => {
    try {
      const outcome = options.sink.observe(agentId, signal);
      return outcome.ok && outcome.outcome === 'overruled';
    } catch (error) {
      process.stderr.write(`broker: state of ${agentId} not recorded: ${describeError(error)}\n`);
      return false;
    }
  };

  /** True when the broker now holds another state than `state` for the agent. */
  const heldElsewhere = (agentId: string, state: AgentState): boolean => {
    const held = options.sink.currentState?.(agentId);
    return held !== undefined && held.state !== state;
  };

  const emit = (pane: WatchedPane, signal: StateSignal | undefined, at: number) => {
    if (signal !== undefined) {
      pane.overruled = send(pane.agentId, signal) ? signal : undefined;
      pane.reading = signal;
      pane.sentAt = at;
    } else if (pane.overruled && at - pane.overruled.at > HOOK_SHIELD_MS) {
      send(pane.agentId, { ...pane.overruled, at });
      pane.overruled = undefined;
      pane.sentAt = at;
    } else if (
      screenEvidence(pane.reading) &&
      at - (pane.sentAt ?? at) > HOOK_SHIELD_MS &&
      heldElsewhere(pane.agentId, pane.reading.state)
    ) {
      send(pane.agentId, { ...pane.reading, at });
      pane.sentAt = at;
    }
  };

  const halt = (reason: string) => {
    if (stopped) return;
    stopped = true;
    options.onStop?.(reason);
  };

  /** A read that failed: the watcher stops when the session is gone or tmux keeps failing. */
  const failed = (reason: string, gone: boolean) => {
    failedTicks += 1;
    if (gone || failedTicks >= MAX_FAILED_TICKS) halt(reason);
  };

  /** The first pane of each roster agent, by pane id. */
  const agentPanes = (listing: readonly PaneListing[]): Map<string, PaneListing> => {
    const found = new Map<string, PaneListing>();
    const claimed = new Set<string>();
    for (const pane of listing) {
      if (!rules.has(pane.agentId) || claimed.has(pane.agentId)) continue;
      claimed.add(pane.agentId);
      found.set(pane.paneId, pane);
    }
    return found;
  };

  const tick = async () => {
    const captureIds = [...panes.keys()];
    const args = [
      '-S',
      options.location.socketPath,
      ...buildSnapshotArgs(options.session, captureIds, marker),
    ];
    let stdout: string;
    let stderr: string;
    try {
      ({ stdout, stderr } = await runner.run('tmux', args));
    } catch (error) {
      return failed(
        `cannot run tmux: ${describeError(error)}`,
        (error as NodeJS.ErrnoException).code === 'ENOENT',
      );
    }
    if (stopped) return;
    const snapshot = parseSnapshot(stdout, marker, captureIds);
    if (snapshot.panes.length === 0) {
      const reason = stderr.trim() || `session '${options.session}' is gone`;
      return failed(reason, GONE.test(reason) || stderr.trim() === '');
    }
    failedTicks = 0;
    if (snapshot.panes.some((pane) => pane.sessionId !== options.location.sessionId)) {
      return halt(`session '${options.session}' on this tmux server is not the broker's own`);
    }
    const at = now();
    const current = agentPanes(snapshot.panes);
    for (const [paneId, known] of panes) {
      if (current.get(paneId)?.agentId === known.agentId) continue;
      panes.delete(paneId);
      emit(known, known.watch.closed(at), at);
    }
    for (const [paneId, pane] of current) {
      const known = panes.get(paneId);
      if (!known) {
        // Read from the next tick on, when its screen is part of the invocation.
        panes.set(paneId, { agentId: pane.agentId, watch: new PaneWatch(rules.get(pane.agentId) ?? [], at) });
        continue;
      }
      const screen = snapshot.screens.get(paneId);
      if (screen === undefined) continue;
      const snapshotOfPane = {
        shellInFront: shellInFront(pane.panePid, pane.command),
        screen: bottomOfScreen(screen),
      };
      emit(known, known.watch.read(snapshotOfPane, at), at);
    }
  };

  const loop = () => {
    timer = undefined;
    tick().then(
      () => {
        if (!stopped) timer = setTimeout(loop, interval).unref();
      },
      (error: unknown) => halt(`state watcher failed: ${describeError(error)}`),
    );
  };
  loop();

  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
