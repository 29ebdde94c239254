// A session frame with session variables, then its panes, on a real tmux server: the values
// (which may be the broker token) reach the session environment verbatim through a sourced
// private file — never through argv — every pane and window inherits them, only the real panes'
// ids are printed, and the file is gone afterwards, also when tmux fails.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSessionFrame, openPanes } from '../../src/tmux/client.js';
import type { SessionPlan } from '../../src/tmux/plan.js';
import { systemRunner, type CommandRunner } from '../../src/util/exec.js';
import { pollUntil } from '../helpers/poll.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { skipWithoutTmux } from '../helpers/tmux.js';

let sandbox: Sandbox;
afterEach(() => sandbox.cleanup());

const VALUES = {
  PAW_PLAIN: 'ab'.repeat(32),
  PAW_HOSTILE: `it's "$HOME" #{pane_id} ~ ; \\ %if {x}\nsecond line;`,
  PAW_EMPTY: '',
};

interface SeenFile {
  mode: number;
  dirMode: number;
  text: string;
}

/** The real runner on the sandbox's tmux server, noting the sourced file while tmux runs. */
function observingRunner(seen: SeenFile[], argvs: string[][]): CommandRunner {
  return {
    run(program, args, options) {
      argvs.push([...args]);
      const at = args.indexOf('source-file');
      if (at !== -1) {
        const path = (args[at + 1] ?? '').replace(/\\(.)/g, '$1');
        seen.push({
          mode: statSync(path).mode & 0o777,
          dirMode: statSync(dirname(path)).mode & 0o777,
          text: readFileSync(path, 'utf8'),
        });
      }
      return systemRunner.run(program, args, { ...options, env: sandbox.env });
    },
  };
}

/**
 * The environment of a pane's process, once it runs its own program: right after tmux forks it,
 * the child still has the tmux server's environment (and command line).
 */
async function environOf(pid: string): Promise<string[]> {
  await pollUntil(
    () => readFileSync(`/proc/${pid}/cmdline`, 'utf8'),
    (cmdline) => !/(^|\/)tmux$/.test(cmdline.split('\0')[0] ?? ''),
    { what: `process ${pid} to run its own program` },
  );
  return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
}

/** With `firstInFrame`, the frame opens the first pane (as it does a broker session's dashboard). */
function plan(root: string, firstInFrame = false): SessionPlan {
  return {
    name: 'paw-env',
    mouse: false,
    env: VALUES,
    panes: ['a', 'b'].map((id, index) => ({
      cwd: root,
      label: id,
      command: '',
      env: { GIT_PAW_AGENT_ID: id },
      ...(firstInFrame && index === 0 ? { opensWithFrame: true } : {}),
    })),
    windows: [{ name: 'hidden', env: { PAW_WINDOW: 'w' }, argv: ['sleep', '600'] }],
  };
}

describe.skipIf(skipWithoutTmux)('a session frame with session variables', () => {
  it.each([
    ['every pane opened once the worktrees exist', false],
    ['the first pane opened with the frame', true],
  ])('sets them verbatim from a private file that is gone afterwards; panes and windows inherit them (%s)', async (_name, firstInFrame) => {
    sandbox = createSandbox({ noRepo: true });
    const privateDir = join(sandbox.root, 'we[i]rd*?dir');
    const seen: SeenFile[] = [];
    const argvs: string[][] = [];
    const runner = observingRunner(seen, argvs);
    const frame = await createSessionFrame(runner, plan(sandbox.root, firstInFrame), sandbox.root, privateDir);
    expect(frame.opened).toHaveLength(firstInFrame ? 1 : 0);
    expect(readdirSync(privateDir)).toEqual([]);
    const ids = await openPanes(runner, plan(sandbox.root, firstInFrame), frame);
    expect(ids).not.toContain(frame.placeholder);
    expect(ids.slice(0, frame.opened.length)).toEqual(frame.opened);

    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ mode: 0o600, dirMode: 0o700 });
    for (const argv of argvs) for (const arg of argv) expect(arg).not.toContain(VALUES.PAW_PLAIN);
    expect(readdirSync(privateDir)).toEqual([]);

    const panes = sandbox.tmux(['list-panes', '-t', '=paw-env:', '-F', '#{pane_id} #{pane_pid}']).split('\n');
    expect(panes.map((line) => line.split(' ')[0])).toEqual(ids);
    expect(ids).toHaveLength(2);
    for (const [index, line] of panes.entries()) {
      const environ = await environOf(line.split(' ')[1] ?? '');
      for (const [key, value] of Object.entries(VALUES)) expect(environ).toContain(`${key}=${value}`);
      expect(environ).toContain(`GIT_PAW_AGENT_ID=${['a', 'b'][index]}`);
    }
    const hiddenPid = await pollUntil(
      () => sandbox.tmux(['list-panes', '-t', '=paw-env:hidden', '-F', '#{pane_pid}']),
      (pid) => pid !== '',
      { what: 'the hidden window' },
    );
    const hidden = await environOf(hiddenPid);
    for (const [key, value] of Object.entries(VALUES)) expect(hidden).toContain(`${key}=${value}`);
    expect(hidden).toContain('PAW_WINDOW=w');
    // Only the session holds them: the first pane's own variable did not leak into it.
    const session = sandbox.tmux(['show-environment', '-t', '=paw-env']);
    expect(session).toContain(`PAW_HOSTILE=${VALUES.PAW_HOSTILE}\n`);
    expect(session).not.toContain('GIT_PAW_AGENT_ID');
  });

  it('removes the file when tmux fails', async () => {
    sandbox = createSandbox({ noRepo: true });
    sandbox.tmux(['new-session', '-d', '-s', 'paw-env']);
    const privateDir = join(sandbox.root, 'private');
    const seen: SeenFile[] = [];
    await expect(createSessionFrame(observingRunner(seen, []), plan(sandbox.root), sandbox.root, privateDir)).rejects.toThrow(
      /Tmux error: duplicate session: paw-env/,
    );
    expect(seen).toHaveLength(1);
    expect(readdirSync(privateDir)).toEqual([]);
  });
});
