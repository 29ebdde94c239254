// One tmux invocation that reads a whole session for the broker's state watcher: every pane of
// every window (id, shell pid, session id, `@paw_agent`, foreground command), then the visible
// text of the panes asked for, each after a marker line. The process count per tick stays one
// whatever the pane count. Pure: argv out, parsed text in.

/** One pane of the session as list-panes reports it. */
export interface PaneListing {
  paneId: string;
  /** The pid of the pane's own process: its shell. */
  panePid: number;
  /** tmux's id of the pane's session, e.g. `$3`. */
  sessionId: string;
  /** The pane option `@paw_agent` ('' when unset). */
  agentId: string;
  /** tmux's name of the foreground process (`#{pane_current_command}`). */
  command: string;
}

export interface SessionSnapshot {
  panes: PaneListing[];
  /** Visible text per pane id, for the panes asked for that were read. */
  screens: Map<string, string>;
}

const LIST_FORMAT = [
  '#{pane_id}',
  '#{pane_pid}',
  '#{session_id}',
  '#{@paw_agent}',
  '#{pane_current_command}',
].join('\t');

/** The marker's word after the listing (pane ids start with `%`, so it cannot be taken for one). */
const LISTING_END = 'panes';

/**
 * The argv (after `tmux` and its server flags) reading session `session` exactly (`=name`) and
 * the screens of `captureIds`. A line `<marker> <what>` ends the listing and each screen (`what`
 * is the screen's index in `captureIds`: display-message runs its text through strftime, which
 * would mangle a `%` pane id), so nothing is taken for read unless it was read in full. `marker` must be text a screen cannot be
 * expected to hold (e.g. random), without `#` or a trailing `;`. tmux stops at the first failing
 * command, so a pane closed since its id was learnt hides the screens after it for one tick; the
 * listing comes first.
 */
export function buildSnapshotArgs(session: string, captureIds: readonly string[], marker: string): string[] {
  const argv = ['list-panes', '-s', '-t', `=${session}`, '-F', LIST_FORMAT];
  argv.push(';', 'display-message', '-p', `${marker} ${LISTING_END}`);
  captureIds.forEach((paneId, index) => {
    argv.push(';', 'capture-pane', '-p', '-J', '-t', paneId);
    argv.push(';', 'display-message', '-p', `${marker} ${index}`);
  });
  return argv;
}

function parseListing(line: string): PaneListing | undefined {
  const [paneId = '', pid = '', sessionId = '', agentId = '', ...command] = line.split('\t');
  if (!paneId.startsWith('%') || !/^\d+$/.test(pid)) return undefined;
  return { paneId, panePid: Number(pid), sessionId, agentId, command: command.join('\t') };
}

/** Splits the invocation's stdout back into the listing and the screens read in full. */
export function parseSnapshot(
  stdout: string,
  marker: string,
  captureIds: readonly string[],
): SessionSnapshot {
  const panes: PaneListing[] = [];
  const screens = new Map<string, string>();
  let lines: string[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith(`${marker} `)) {
      lines.push(line);
      continue;
    }
    const what = line.slice(marker.length + 1);
    if (what === LISTING_END) {
      for (const entry of lines) {
        const listing = parseListing(entry);
        if (listing) panes.push(listing);
      }
    } else {
      const paneId = captureIds[Number(what)];
      if (paneId !== undefined) screens.set(paneId, lines.join('\n'));
    }
    lines = [];
  }
  return { panes, screens };
}
