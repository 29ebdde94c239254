// The generated `[worktree] setup` script run by a real sh on real files: commands run in order in
// the worktree, any command text works as written, the first failure stops it with that command's
// status, and the lines it prints are the ones the state watcher reads back.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setupReading, setupScript } from '../../src/bootstrap/setup.js';

let root: string;
let worktree: string;
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'paw-setup-')));
  worktree = join(root, 'proj feat-a');
  mkdirSync(worktree);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Runs the script from another directory, as a pane's shell would; returns its status and output. */
function runScript(commands: string[]): { status: number; output: string } {
  const path = join(root, 'setup.sh');
  writeFileSync(path, setupScript('feat/a', worktree, commands));
  try {
    const output = execFileSync('sh', [path], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { status: 0, output };
  } catch (error) {
    const failed = error as { status: number; stdout: string };
    return { status: failed.status, output: failed.stdout };
  }
}

describe('the setup script', () => {
  it('runs the commands in order in the worktree, each as written, and ends with done', () => {
    const result = runScript([
      'pwd > where',
      `printf '%s|' "it's" '$HOME' \`echo tick\` 100% > quoted`,
      'cat where >> order; echo second >> order',
    ]);
    expect(result.status).toBe(0);
    expect(readFileSync(join(worktree, 'order'), 'utf8')).toBe(`${worktree}\nsecond\n`);
    expect(readFileSync(join(worktree, 'quoted'), 'utf8')).toBe("it's|$HOME|tick|100%|");
    expect(setupReading(result.output)).toEqual({ state: 'done' });
  });

  it('stops at the first failing command, with its status, and names it', () => {
    const result = runScript(['touch first', 'exit 3', 'touch third']);
    expect(result.status).toBe(3);
    expect(existsSync(join(worktree, 'first'))).toBe(true);
    expect(existsSync(join(worktree, 'third'))).toBe(false);
    expect(result.output).toContain('git-paw: setup failed: exit 3 (exit 3)\n');
    expect(setupReading(result.output)).toEqual({ state: 'error', detail: 'setup failed: exit 3' });
  });

  it('shows a multi-line command on one line', () => {
    const result = runScript(['true &&\n  false']);
    expect(result.status).toBe(1);
    expect(setupReading(result.output)).toEqual({ state: 'error', detail: 'setup failed: true && false' });
  });
});
