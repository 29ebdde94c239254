// Notifications, sent by the broker's server process: events pass the gate (kinds asked for, no
// repeats, gathered for a moment so many at once make one), then go to every client attached to
// the session as a tmux message, with the bell (and OSC 9 for terminals known to show it), to
// the desktop when asked and a notifier program is installed, and to the user's own command with
// the agent in environment variables. Nothing is sent about the pane a client is looking at. A
// failing channel is logged once and never stops the broker.
import { spawn } from 'node:child_process';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import type { NotificationSettings } from '../config/effective.js';
import { describeError } from '../util/errors.js';
import { which } from '../util/which.js';
import { NotifyGate, SETTLE_MS, type AttentionEvent } from './events.js';
import type { AttentionKind } from './kinds.js';
import type { AttentionTmux, SessionClient } from './tmux-io.js';

const KIND_ICONS: Record<AttentionKind, string> = {
  waiting: '⏳',
  error: '✖',
  done: '✓',
  blocked: '✋',
  idle: '💤',
  exited: '⏹',
  conflict: '⚡',
};

/** A user command that runs longer than this is stopped (it must not pile up). */
const COMMAND_TIMEOUT_MS = 10_000;

/** `feat/a → claude ⏳ waiting · permission: Bash` for one event; a short list for several. */
export function notificationText(events: readonly AttentionEvent[]): string {
  const one = (event: AttentionEvent) => `${event.branch} ${KIND_ICONS[event.kind]} ${event.kind}`;
  const [first] = events;
  if (first && events.length === 1) {
    const summary = first.summary === '' ? '' : ` · ${first.summary}`;
    return `git-paw: ${first.branch} → ${first.cli} ${KIND_ICONS[first.kind]} ${first.kind}${summary}`;
  }
  return `git-paw: ${events.map(one).join(' · ')}`;
}

/** Terminals that show OSC 9 as a notification (others may print it or ignore it). */
const OSC9_TERMINALS = /iterm|wezterm|ghostty|kitty|windows terminal|conemu/i;

/** The environment of the user's command for one event. */
export function commandEnv(event: AttentionEvent, session: string): Record<string, string> {
  return {
    GIT_PAW_SESSION: session,
    GIT_PAW_AGENT: event.agentId,
    GIT_PAW_BRANCH: event.branch,
    GIT_PAW_CLI: event.cli,
    GIT_PAW_STATE: event.kind,
    GIT_PAW_SUMMARY: event.summary,
  };
}

export interface NotifierOptions {
  settings: NotificationSettings;
  session: string;
  /** Where the user's command runs. */
  cwd: string;
  tmux: AttentionTmux;
  log: (line: string) => void;
  now?: () => number;
  platform?: NodeJS.Platform;
}

export interface Notifier {
  /** Offers one event; it is sent (with any others) shortly after, unless the gate drops it. */
  notify(event: AttentionEvent): void;
  stop(): void;
}

export function createNotifier(options: NotifierOptions): Notifier {
  const { settings, tmux, log } = options;
  const now = options.now ?? Date.now;
  const gate = new NotifyGate(new Set(settings.on));
  const failed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  /** Logs the first failure of each channel only: a broken command must not flood the log. */
  const failure = (channel: string, reason: string) => {
    if (failed.has(channel)) return;
    failed.add(channel);
    log(`${channel} failed (${reason}); further failures of it are not logged`);
  };

  const runCommand = (command: string, event: AttentionEvent) => {
    try {
      const child = spawn('/bin/sh', ['-c', command], {
        cwd: options.cwd,
        env: { ...process.env, ...commandEnv(event, options.session) },
        stdio: 'ignore',
        timeout: COMMAND_TIMEOUT_MS,
      });
      child.on('error', (error) => failure('notification command', describeError(error)));
      child.on('exit', (code, signal) => {
        if (code !== 0) failure('notification command', signal ? `killed by ${signal}` : `exit code ${code}`);
      });
    } catch (error) {
      failure('notification command', describeError(error));
    }
  };

  const desktop = (text: string) => {
    const platform = options.platform ?? process.platform;
    const [program, args] =
      platform === 'darwin'
        ? ['osascript', ['-e', `display notification ${JSON.stringify(text)} with title "git-paw"`]]
        : ['notify-send', ['git-paw', text]];
    // A missing notifier is not an error: the desktop is simply not told.
    if (which(program) === undefined) return;
    const child = spawn(program, args, { stdio: 'ignore', timeout: COMMAND_TIMEOUT_MS });
    child.on('error', (error) => failure(program, describeError(error)));
  };

  /** The bell (and OSC 9 where it shows) on a client's terminal, written to its tty directly. */
  const ring = (client: SessionClient, text: string) => {
    const osc = OSC9_TERMINALS.test(client.termType) ? `\u001b]9;${text}\u0007` : '';
    const bytes = `${settings.bell ? '\u0007' : ''}${settings.desktop ? osc : ''}`;
    if (bytes === '' || client.tty === '') return;
    try {
      const fd = openSync(client.tty, constants.O_WRONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
      try {
        writeSync(fd, bytes);
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      failure('bell', describeError(error));
    }
  };

  const send = async () => {
    timer = undefined;
    const events = gate.take(now());
    if (events.length === 0 || stopped) return;
    let clients: SessionClient[] = [];
    let panes = new Map<string, string>();
    try {
      [clients, panes] = await Promise.all([
        tmux.clients(),
        tmux.agentPanes().then((list) => new Map(list.map((pane) => [pane.agentId, pane.paneId]))),
      ]);
    } catch (error) {
      failure('reading the tmux clients', describeError(error));
    }
    const watched = new Set(clients.map((client) => client.paneId));
    const unseen = events.filter((event) => {
      const pane = panes.get(event.agentId);
      return pane === undefined || !watched.has(pane);
    });
    if (unseen.length === 0) return;
    const text = notificationText(unseen);
    try {
      await tmux.display(
        clients.map((client) => client.name),
        text,
      );
    } catch (error) {
      failure('tmux display-message', describeError(error));
    }
    for (const client of clients) ring(client, text);
    if (settings.desktop) desktop(text);
    if (settings.command !== undefined) for (const event of unseen) runCommand(settings.command, event);
  };

  return {
    notify(event) {
      if (stopped || !gate.offer(event, now())) return;
      timer ??= setTimeout(() => {
        send().catch((error: unknown) => failure('notification', describeError(error)));
      }, SETTLE_MS);
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
