// `stop`: kills exactly this repo's tmux session and keeps everything else.
import { existsSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { skipWithoutTmux } from '../helpers/tmux.js';
import { paw, pawOk, readState, sessionAlive, sessionFiles, statePath, worktreeDir } from '../helpers/lifecycle.js';

const STOPPED = 'Session stopped. Worktrees and state preserved.\nRun `git paw start` to recover.\n';

describe.skipIf(skipWithoutTmux)('stop', () => {
  let sandbox: Sandbox;
  beforeEach(() => {
    sandbox = createSandbox({ broker: false });
    sandbox.fakeCli('claude');
  });
  afterEach(() => sandbox.cleanup());

  it('says so when there is no session', async () => {
    expect(await paw(sandbox, ['stop'])).toMatchObject({ code: 0, stdout: 'No active session for this repo.\n', stderr: '' });
  });

  it('kills the session, keeps worktrees and marks the state stopped; again is fine', async () => {
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    expect(await paw(sandbox, ['stop'])).toMatchObject({ code: 0, stdout: STOPPED });
    expect(sessionAlive(sandbox)).toBe(false);
    expect(readState(sandbox).status).toBe('stopped');
    expect(existsSync(worktreeDir(sandbox, 'feat-a'))).toBe(true);
    expect(await paw(sandbox, ['stop'])).toMatchObject({ code: 0, stdout: STOPPED });
    expect(sessionFiles(sandbox)).toEqual(['paw-proj.json']);
  });

  it('never touches a foreign session whose name extends ours', async () => {
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    sandbox.tmux(['new-session', '-d', '-s', 'paw-projx']);
    await paw(sandbox, ['stop']);
    // Stopped now; a second stop must not "find" paw-projx by prefix.
    expect(await paw(sandbox, ['stop'])).toMatchObject({ code: 0, stdout: STOPPED });
    expect(sessionAlive(sandbox, 'paw-projx')).toBe(true);
    expect(sessionAlive(sandbox)).toBe(false);
  });

  it('reports a damaged state file with the way out', async () => {
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    writeFileSync(statePath(sandbox), '{"session_name": "paw-proj", "repo_path": ');
    const result = await paw(sandbox, ['stop']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: Session error: session state file '${statePath(sandbox)}' is damaged: invalid JSON (Unexpected end of JSON input)\n` +
        'hint: run `git paw purge` to clean up (or delete the file by hand)\n',
    );
  });

  it('fails outside a repository', async () => {
    const result = await paw(sandbox, ['stop'], { cwd: sandbox.root });
    expect(result).toMatchObject({ code: 1, stderr: 'error: Not a git repository. Run git-paw from inside a git project.\n' });
  });
});
