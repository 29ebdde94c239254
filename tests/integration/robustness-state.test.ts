// Robustness of the session state file (issue 7): a state file damaged in every way a crash, a
// full disk or a stray editor can leave it — cut in half, cut to its first line, empty, zero-
// filled, binary garbage, valid JSON of the wrong shape — gives `status`, `start`, `stop` and
// `dashboard` one clear error line plus the way out, never a second session, and `purge` still
// cleans it up.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { skipWithoutTmux } from '../helpers/tmux.js';
import { liveSessions, paw, pawOk, sessionFiles, statePath, worktreePaths } from '../helpers/lifecycle.js';

/** Byte-exact damage applied to a real state file. */
const DAMAGE: { name: string; damage: (text: string) => Buffer; reason: RegExp }[] = [
  {
    name: 'cut in half',
    damage: (text) => Buffer.from(text.slice(0, Math.floor(text.length / 2))),
    reason: /^invalid JSON \(.+\)$/,
  },
  { name: 'cut after its first line', damage: () => Buffer.from('{\n'), reason: /^invalid JSON \(.+\)$/ },
  { name: 'empty', damage: () => Buffer.alloc(0), reason: /^the file is empty$/ },
  {
    name: 'zero-filled (lost data blocks after a crash)',
    damage: (text) => Buffer.alloc(text.length),
    reason: /^invalid JSON \(.+\)$/,
  },
  {
    name: 'binary garbage with newlines and escapes',
    damage: () => Buffer.from([0xff, 0xfe, 0x0a, 0x1b, 0x5b, 0x32, 0x4a, 0x7b, 0x0d, 0x0a, 0x80, 0x22]),
    reason: /^invalid JSON \(.+\)$/,
  },
  {
    name: 'valid JSON of the wrong shape',
    damage: (text) => Buffer.from(JSON.stringify({ ...(JSON.parse(text) as object), worktrees: 'none' })),
    reason: /^worktrees: .+$/,
  },
];

const HINT = 'hint: run `git paw purge` to clean up (or delete the file by hand)';

describe.skipIf(skipWithoutTmux)('a damaged state file', () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = createSandbox({ broker: false });
    sandbox.fakeCli('claude');
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/b']);
  });
  afterEach(() => sandbox.cleanup());

  /** stderr must be exactly: one printable error line naming the file and the reason, then the hint. */
  function expectDamagedError(stderr: string, reason: RegExp): void {
    const lines = stderr.split('\n');
    expect(lines, stderr).toHaveLength(3);
    const prefix = `error: Session error: session state file '${statePath(sandbox)}' is damaged: `;
    expect(lines[0]?.startsWith(prefix), stderr).toBe(true);
    expect(lines[0]?.slice(prefix.length)).toMatch(reason);
    // eslint-disable-next-line no-control-regex -- the point: no raw control bytes reach the terminal
    expect(lines[0]).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(lines.slice(1)).toEqual([HINT, '']);
  }

  it.each(DAMAGE)(
    '$name: clear error from status, start, stop and dashboard; purge cleans up',
    async ({ damage, reason }) => {
      writeFileSync(statePath(sandbox), damage(readFileSync(statePath(sandbox), 'utf8')));
      const worktreesBefore = worktreePaths(sandbox);

      for (const args of [
        ['status'],
        ['status', '--json'],
        ['start', '--cli', 'claude', '--branches', 'feat/c'],
        ['stop'],
        ['dashboard'],
      ]) {
        const result = await paw(sandbox, args);
        expect(result.code, `git paw ${args.join(' ')}`).toBe(1);
        expect(result.stdout).toBe('');
        expectDamagedError(result.stderr, reason);
      }
      // Nothing was launched, stopped or created meanwhile.
      expect(liveSessions(sandbox)).toEqual(['paw-proj']);
      expect(worktreePaths(sandbox)).toEqual(worktreesBefore);

      const purged = await paw(sandbox, ['purge', '--force']);
      expect(purged.code).toBe(0);
      // The session the damaged file described is removed too (its branches are kept).
      expect(purged.stdout).toBe(
        "Removed what the earlier session 'paw-proj' left behind.\n" +
          'Kept its branches: feat/a, feat/b\n' +
          "Purged session 'paw-proj'.\n",
      );
      expect(sessionFiles(sandbox)).toEqual([]);
      expect(liveSessions(sandbox)).toEqual([]);
      expect(worktreePaths(sandbox)).toEqual([sandbox.repo]);
      expect(await paw(sandbox, ['status'])).toMatchObject({
        code: 0,
        stdout: 'No session for this repo.\n',
      });
    },
  );
});
