// Typing a prompt into an agent's pane and knowing that it arrived. The text goes in as one
// paste, without Enter (a CLI takes text and Enter sent at once for a paste); Enter follows once
// the text shows, and is pressed again only while the text is still visible — a CLI that is
// still starting keeps typed text in its input and ignores Enter (Codex does). Delivery is
// confirmed only by the agent's own signal: its prompt-submit hook, or its state turning to
// `working`. The text is never typed twice. Behind small seams, with the clock injected.
import type { AgentState } from '../agents/state.js';

/** The agent's pane and signals, as the delivery needs them. */
export interface DeliveryTarget {
  /** The pane's visible text. */
  screen(): Promise<string>;
  /** Puts `text` into the pane as one paste, without Enter. */
  paste(text: string): Promise<void>;
  enter(): Promise<void>;
  /** True once the agent's own signal says a prompt was submitted at or after `sinceMs`. */
  submitted(sinceMs: number): Promise<boolean>;
}

export interface DeliveryClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: DeliveryClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** How often the pane and the signals are read. */
const POLL_MS = 200;
/** How long Enter is given to take effect before it is pressed again. */
const ENTER_AGAIN_MS = 1_500;

/** What the CLIs show in their input for a long or multi-line paste instead of the text. */
const PASTE_PLACEHOLDER = /\[Pasted (text|Content)/;

/** A piece of the text the screen shows while the text is in the input. */
export function visibleProbe(text: string): string {
  const firstLine = text.trim().split('\n')[0] ?? '';
  return firstLine.replace(/\s+/g, ' ').slice(0, 20);
}

/** True when the screen shows the text (or the CLI's placeholder of a paste). */
export function textShows(screen: string, probe: string): boolean {
  return screen.replace(/\s+/g, ' ').includes(probe) || PASTE_PLACEHOLDER.test(screen);
}

export async function deliver(
  target: DeliveryTarget,
  text: string,
  options: { timeoutMs: number; clock?: DeliveryClock },
): Promise<boolean> {
  const clock = options.clock ?? systemClock;
  const start = clock.now();
  const deadline = start + options.timeoutMs;
  const probe = visibleProbe(text);
  await target.paste(text);
  let enteredAt: number | undefined;
  for (;;) {
    if (await target.submitted(start)) return true;
    const now = clock.now();
    if (now >= deadline) return false;
    if (
      (enteredAt === undefined || now - enteredAt >= ENTER_AGAIN_MS) &&
      textShows(await target.screen(), probe)
    ) {
      await target.enter();
      enteredAt = clock.now();
    }
    await clock.sleep(POLL_MS);
  }
}

/**
 * Why the agent must not be typed into now, or undefined when it may: a waiting agent shows a
 * dialog (a permission, a trust question), which the text and its Enter would answer; an exited
 * one has left its pane to the shell, which would run the text as a command.
 */
export function refusalOf(
  agent: { state: AgentState; detail: string },
  cliInFront: boolean,
): string | undefined {
  if (agent.state === 'waiting')
    return `it is waiting on a dialog${agent.detail === '' ? '' : ` (${agent.detail})`}, which typing would answer`;
  if (agent.state === 'exited' || !cliInFront) return 'its CLI is not running in its pane';
  return undefined;
}
