// tmux helpers for tests: availability gate and pane inspection on the sandbox's server.
import { execFileSync } from 'node:child_process';
import type { Sandbox } from './sandbox.js';
import { pollUntil } from './poll.js';

function tmuxInstalled(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** True when tmux tests must be skipped: tmux is missing and we are not in CI. */
export const skipWithoutTmux = !tmuxInstalled() && !process.env.CI;

export interface PaneInfo {
  id: string;
  title: string;
  /** `<branch> → <cli>`, without the state icon the broker adds after it. */
  label: string;
  /** The pane's `@paw_label` as it is, state icon included. */
  rawLabel: string;
  path: string;
  command: string;
}

/** Panes of the session's first window, in layout order. */
export function listPanes(sandbox: Sandbox, session: string): PaneInfo[] {
  const out = sandbox.tmux([
    'list-panes',
    '-t',
    `=${session}:`,
    '-F',
    '#{pane_id}\t#{pane_title}\t#{@paw_label}\t#{pane_current_path}\t#{pane_current_command}',
  ]);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id = '', title = '', rawLabel = '', path = '', command = ''] = line.split('\t');
      const label = /^(.+ → \S+)( \S+)?$/u.exec(rawLabel)?.[1] ?? rawLabel;
      return { id, title, label, rawLabel, path, command };
    });
}

/** Visible text of a pane (by id or target). */
export function capturePane(sandbox: Sandbox, target: string): string {
  return sandbox.tmux(['capture-pane', '-p', '-J', '-t', target]);
}

/** Waits until the pane shows `text`; on timeout the error shows the screen. */
export async function waitForPaneText(
  sandbox: Sandbox,
  target: string,
  text: string,
  timeoutMs = 15_000,
): Promise<string> {
  return pollUntil(
    () => capturePane(sandbox, target),
    (screen) => screen.includes(text),
    { timeoutMs, what: `pane ${target} to show ${JSON.stringify(text)}` },
  );
}
