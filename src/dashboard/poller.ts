// The dashboard's polling loop: read `/status`, remember the last good answer or the ongoing
// outage, report, then wait one interval. One timer at a time and never two requests in flight,
// so an idle dashboard costs one small HTTP request per second. Time and timers are injected so
// tests drive the loop without real clocks.
import { describeError } from '../util/errors.js';
import type { BrokerStatus, StatusFetcher } from './broker-status.js';

/** Runs `task` once after `ms`; the returned function cancels it. */
export interface Scheduler {
  after(ms: number, task: () => void): () => void;
}

export const timerScheduler: Scheduler = {
  after(ms, task) {
    const timer = setTimeout(task, ms);
    return () => clearTimeout(timer);
  },
};

export interface Observation {
  /** The last status the broker gave and when (clock ms) it was read. */
  latest?: { status: BrokerStatus; at: number };
  /** Set while polls fail: the last reason and when (clock ms) the failures began. */
  outage?: { reason: string; since: number };
}

export interface PollingOptions {
  fetchStatus: StatusFetcher;
  scheduler: Scheduler;
  now: () => number;
  intervalMs: number;
  onObservation: (observation: Observation) => void;
}

/** Starts polling at once; the returned function stops it (a reply still in flight is ignored). */
export function startPolling(options: PollingOptions): () => void {
  let stopped = false;
  let cancelWait: (() => void) | undefined;
  let observation: Observation = {};

  const poll = async (): Promise<void> => {
    try {
      const status = await options.fetchStatus();
      observation = { latest: { status, at: options.now() } };
    } catch (error) {
      const since = observation.outage?.since ?? options.now();
      observation = { ...observation, outage: { reason: describeError(error), since } };
    }
    if (stopped) return;
    options.onObservation(observation);
    cancelWait = options.scheduler.after(options.intervalMs, () => void poll());
  };

  void poll();
  return () => {
    stopped = true;
    cancelWait?.();
  };
}
