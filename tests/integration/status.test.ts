// `status`, as text and as `--json`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { skipWithoutTmux } from '../helpers/tmux.js';
import { paw, pawOk, readState, sessionsDirOf, statePath, worktreeDir } from '../helpers/lifecycle.js';

describe.skipIf(skipWithoutTmux)('status', () => {
  let sandbox: Sandbox;
  beforeEach(() => {
    sandbox = createSandbox({ broker: false });
    sandbox.fakeCli('claude');
  });
  afterEach(() => sandbox.cleanup());

  it('says so when there is no session, also as JSON', async () => {
    expect(await paw(sandbox, ['status'])).toMatchObject({ code: 0, stdout: 'No session for this repo.\n' });
    expect(JSON.parse((await paw(sandbox, ['status', '--json'])).stdout)).toEqual({ session: null });
  });

  it('shows a live session and skips junk state files', async () => {
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    writeFileSync(join(sessionsDirOf(sandbox), 'junk.json'), '{');
    const result = await paw(sandbox, ['status']);
    expect(result).toMatchObject({
      code: 0,
      stderr: '',
      stdout: `Session: paw-proj\nStatus:  🟢 active\nTmux:    running\n\n  feat/a → claude (${worktreeDir(sandbox, 'feat-a')})\n`,
    });
    const json = JSON.parse((await paw(sandbox, ['status', '--json'])).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ session: 'paw-proj', status: 'active', tmux_running: true, repo_path: sandbox.repo });
  });

  it('uses the effective status: stopped on disk wins over a live tmux session', async () => {
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    const state = readState(sandbox);
    writeFileSync(statePath(sandbox), JSON.stringify({ ...state, status: 'stopped' }));
    expect((await paw(sandbox, ['status'])).stdout).toContain('Status:  🟡 stopped\nTmux:    running\n');
  });

  it('reads a state file written by upstream 0.3.0', async () => {
    sandbox.writeFile(
      'home/.local/share/git-paw/sessions/paw-proj.json',
      JSON.stringify(
        {
          session_name: 'paw-proj',
          repo_path: sandbox.repo,
          project_name: 'proj',
          created_at: '2026-04-10T12:34:56Z',
          status: 'active',
          worktrees: [{ branch: 'feat/a', worktree_path: worktreeDir(sandbox, 'feat-a'), cli: 'claude', branch_created: true }],
          broker_port: 9119,
          broker_bind: '127.0.0.1',
          broker_log_path: '/x/broker.log',
        },
        null,
        2,
      ),
    );
    expect((await paw(sandbox, ['status'])).stdout).toContain('Status:  🟡 stopped\nTmux:    not running\n');
  });

  it('fails outside a repository', async () => {
    expect((await paw(sandbox, ['status'], { cwd: sandbox.root })).code).toBe(1);
  });
});
