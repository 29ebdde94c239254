// The attention side of the broker's server process, the one writer of what tmux shows about
// the agents: on every change of an agent (a decided state, an accepted message) it updates the
// session's status line and the agent's pane label, and offers the change's events to the
// notifier. Driven by the broker's changes, never by a timer: nothing runs while nothing
// changes. tmux writes are single-flight: changes that arrive during one are folded into one
// more write, so a flapping agent costs a bounded number of tmux processes.
import type { AgentState } from '../agents/state.js';
import type { AgentStatus } from '../broker/server/state.js';
import type { NotificationSettings } from '../config/effective.js';
import { describeError } from '../util/errors.js';
import { countAgents, STATE_ICONS, statusLineText } from './counts.js';
import { eventsBetween, type AgentView, type AttentionEvent } from './events.js';
import { createNotifier } from './notifier.js';
import type { AttentionTmux } from './tmux-io.js';

/** What the monitor needs of the broker service. */
export interface AgentSource {
  agents(): AgentStatus[];
  onAgentChange(listener: (agentId: string) => void): void;
}

export interface AttentionOptions {
  source: AgentSource;
  session: string;
  repoPath: string;
  roster: readonly { agent_id: string; branch: string; cli: string }[];
  settings: NotificationSettings;
  tmux: AttentionTmux;
  log: (line: string) => void;
  /**
   * The agents as the log replay rebuilt them, taken when the server first answered (the monitor
   * starts a moment later); changes since then are notified.
   */
  startingPoint: readonly AgentStatus[];
}

export interface AttentionMonitor {
  /** Sends an event about the session (e.g. a conflict) through the notification path. */
  notify(event: AttentionEvent): void;
  stop(): void;
}

const ICONS = new Set(Object.values(STATE_ICONS));

/** The label without the state icon git-paw appended (the label as the launch set it). */
export function baseLabel(label: string): string {
  const space = label.lastIndexOf(' ');
  return space > 0 && ICONS.has(label.slice(space + 1)) ? label.slice(0, space) : label;
}

/** `feat/a → claude ⏳`. */
export function labelWithState(label: string, state: AgentState): string {
  return `${baseLabel(label)} ${STATE_ICONS[state]}`;
}

function viewOf(agent: AgentStatus): AgentView {
  return { state: agent.state, reported: agent.status, detail: agent.state_detail, summary: agent.summary };
}

export async function startAttention(options: AttentionOptions): Promise<AttentionMonitor> {
  const { source, tmux, log } = options;
  const rosterById = new Map(options.roster.map((entry) => [entry.agent_id, entry]));
  const notifier = createNotifier({
    settings: options.settings,
    session: options.session,
    cwd: options.repoPath,
    tmux,
    log,
  });
  // What the log replay rebuilt is the starting point: it was notified before, if at all.
  const views = new Map<string, AgentView>();
  for (const agent of options.startingPoint)
    if (rosterById.has(agent.agent_id)) views.set(agent.agent_id, viewOf(agent));

  let stopped = false;
  let writing = false;
  let dirty = false;
  let lastStatus: string | undefined;
  const write = async () => {
    const agents = source.agents().filter((agent) => rosterById.has(agent.agent_id));
    const status = statusLineText(
      countAgents(agents.map((agent) => ({ state: agent.state, reported: agent.status }))),
    );
    const states = new Map(agents.map((agent) => [agent.agent_id, agent.state]));
    const labels = new Map<string, string>();
    for (const pane of await tmux.agentPanes()) {
      const state = states.get(pane.agentId);
      if (state === undefined) continue;
      const label = labelWithState(pane.label, state);
      if (label !== pane.label) labels.set(pane.paneId, label);
    }
    if (status === lastStatus && labels.size === 0) return;
    await tmux.write(status, labels);
    lastStatus = status;
  };
  const refresh = () => {
    if (stopped) return;
    if (writing) {
      dirty = true;
      return;
    }
    writing = true;
    dirty = false;
    write()
      .catch((error: unknown) => log(`status line not updated: ${describeError(error)}`))
      .finally(() => {
        writing = false;
        if (dirty) refresh();
      });
  };

  const changed = (agentId: string) => {
    if (stopped) return;
    const entry = rosterById.get(agentId);
    const agent = source.agents().find((each) => each.agent_id === agentId);
    if (!entry || !agent) return;
    const after = viewOf(agent);
    const before = views.get(agentId) ?? after;
    views.set(agentId, after);
    for (const event of eventsBetween(before, after, { agentId, branch: entry.branch, cli: entry.cli }))
      notifier.notify(event);
    refresh();
  };
  source.onAgentChange(changed);

  try {
    await tmux.setUpStatusLine();
  } catch (error) {
    log(`status line not set up: ${describeError(error)}`);
  }
  // What changed between the starting point and now is as new as what changes from here on.
  for (const agentId of rosterById.keys()) changed(agentId);
  refresh();
  return {
    notify: (event) => notifier.notify(event),
    stop() {
      stopped = true;
      notifier.stop();
    },
  };
}
