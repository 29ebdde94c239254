// A new conflict between two agents reaches the user through the same notification path as a
// waiting agent: with `conflict` in `[notifications] on`, the user's command runs once for each
// of the two agents, naming the other one and the path.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enableBroker } from '../helpers/broker-session.js';
import { pawOk, worktreeDir } from '../helpers/lifecycle.js';
import { pollUntil } from '../helpers/poll.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { skipWithoutTmux } from '../helpers/tmux.js';

let sandbox: Sandbox;
beforeEach(() => {
  sandbox = createSandbox();
});
afterEach(() => sandbox.cleanup());

function notified(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

describe.skipIf(skipWithoutTmux)('conflict notifications', () => {
  it('runs the notification command for both agents of a new conflict', async () => {
    const out = join(sandbox.root, 'notified.txt');
    sandbox.fakeCli('claude');
    await enableBroker(
      sandbox,
      `[notifications]\non = ["conflict"]\nbell = false\ncommand = "printf '%s %s|%s\\\\n' \\"$GIT_PAW_AGENT\\" \\"$GIT_PAW_STATE\\" \\"$GIT_PAW_SUMMARY\\" >> '${out}'"\n`,
    );
    sandbox.writeFile('proj/shared.txt', 'one\ntwo\nthree\n');
    sandbox.git(['add', 'shared.txt']);
    sandbox.git(['commit', '-q', '-m', 'shared']);
    await pawOk(sandbox, ['start', '--no-attach', '--cli', 'claude', '--branches', 'feat-a,feat-b']);
    for (const [agent, text] of [
      ['feat-a', 'a wrote this'],
      ['feat-b', 'b wrote that'],
    ] as const) {
      const dir = worktreeDir(sandbox, agent);
      writeFileSync(join(dir, 'shared.txt'), `one\n${text}\nthree\n`);
      sandbox.git(['commit', '-q', '-am', agent], dir);
    }
    const lines = await pollUntil(
      () => notified(out),
      (found) =>
        found.some((line) => line.startsWith('feat-a conflict|')) &&
        found.some((line) => line.startsWith('feat-b conflict|')),
      { what: 'a conflict notification for both agents', timeoutMs: 20_000 },
    );
    expect(lines).toContain('feat-a conflict|conflict with feat-b: shared.txt');
    expect(lines).toContain('feat-b conflict|conflict with feat-a: shared.txt');
  });
});
