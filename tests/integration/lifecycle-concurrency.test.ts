// The per-repo lock (TARGET §6, W-32): a second start while one is running fails at once, and
// exactly one session results.
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pollUntil } from '../helpers/poll.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { skipWithoutTmux } from '../helpers/tmux.js';
import { liveSessions, paw, sessionFiles, worktreeDir, worktreePaths } from './lifecycle-helpers.js';

describe.skipIf(skipWithoutTmux)('concurrent commands', () => {
  let sandbox: Sandbox;
  beforeEach(() => {
    sandbox = createSandbox();
    sandbox.fakeCli('claude');
  });
  afterEach(() => sandbox.cleanup());

  it('a second start fails at once while the first is mid-launch; one session results', async () => {
    // Hold the first launch inside `git worktree add` until the second one has finished.
    const inHook = join(sandbox.root, 'in-hook');
    const go = join(sandbox.root, 'go');
    const hook = join(sandbox.repo, '.git', 'hooks', 'post-checkout');
    writeFileSync(hook, `#!/bin/sh\ntouch '${inHook}'\nwhile [ ! -f '${go}' ]; do sleep 0.02; done\n`);
    chmodSync(hook, 0o755);

    const first = paw(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    await pollUntil(() => existsSync(inHook), Boolean, { what: 'the first launch to reach its worktree hook' });
    const second = await paw(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/b']);
    const stopped = await paw(sandbox, ['stop']);
    writeFileSync(go, '');

    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/^error: Session error: another git-paw command is running for this repo \(pid \d+\)\nhint: /);
    expect(stopped.code).toBe(1);
    expect((await first).code).toBe(0);
    expect(liveSessions(sandbox)).toEqual(['paw-proj']);
    expect(sessionFiles(sandbox)).toEqual(['paw-proj.json']);
    expect(worktreePaths(sandbox)).toEqual([sandbox.repo, worktreeDir(sandbox, 'feat-a')]);
  });
});
