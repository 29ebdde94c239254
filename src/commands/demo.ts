// `git paw demo [--no-attach] [--clean]`: launch the throwaway demo session (or come
// back to the one that runs) and attach like `start`; `--clean` removes everything a demo made.
import { brokerUrl } from '../broker/client.js';
import {
  launchDemo,
  demoIntro,
  readDemoRecord,
  removeDemo,
  runningDemo,
  withDemoLock,
} from '../demo/session.js';
import { brokerTargetOf } from '../session/broker-target.js';
import { attachModeFor, attachSession, currentAttachContext } from '../tmux/attach.js';
import { ensureTmuxInstalled } from '../tmux/client.js';
import { systemRunner, systemTerminalRunner } from '../util/exec.js';
import { say } from '../util/output.js';

async function cleanDemo(): Promise<void> {
  const removed = await withDemoLock(process.env, async () => {
    const record = readDemoRecord();
    if (record) await removeDemo(systemRunner, record, process.env);
    return record;
  });
  say(removed ? `Removed the demo in ${removed.dir}.` : 'No demo to clean up.');
}

export async function runDemo(flags: { attach: boolean; clean?: boolean }): Promise<void> {
  if (flags.clean) return cleanDemo();
  ensureTmuxInstalled();
  const session = await withDemoLock(process.env, async () => {
    const record = readDemoRecord();
    const running = record && (await runningDemo(systemRunner, record, process.env));
    if (running) {
      say(`Demo session '${running.session_name}' is already running.`);
      return running.session_name;
    }
    // A demo whose session is gone (stopped, tmux killed, reboot) is replaced by a fresh one.
    if (record) await removeDemo(systemRunner, record, process.env);
    const state = await launchDemo(systemRunner, process.env);
    const target = brokerTargetOf(state);
    const url = target && brokerUrl(target.bind, target.port);
    demoIntro(state, url).forEach((line) => say(line));
    return state.session_name;
  });
  const mode = attachModeFor(currentAttachContext(!flags.attach));
  await attachSession({ runner: systemRunner, terminal: systemTerminalRunner }, session, mode);
}
