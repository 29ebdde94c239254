import { describe, expect, it } from 'vitest';
import { setupDisplay, setupDryRunLines, setupReading, withSetup } from '../../src/bootstrap/setup.js';

describe('setup progress read back from a pane', () => {
  it('names the step that runs, the command that failed, or the end, by the bottom-most line', () => {
    expect(setupReading('git-paw: setup 1/2: npm ci\nadded 10 packages')).toEqual({
      state: 'working',
      detail: 'setup 1/2: npm ci',
    });
    expect(setupReading('git-paw: setup 1/1: make\ngit-paw: setup failed: make (exit 2)\n$ ')).toEqual({
      state: 'error',
      detail: 'setup failed: make',
    });
    expect(
      setupReading('git-paw: setup failed: make (exit 2)\n$ sh s && claude\ngit-paw: setup done\nwelcome'),
    ).toEqual({ state: 'done' });
    expect(setupReading('welcome to the CLI')).toBeUndefined();
  });

  it('finds the failure after an interrupt sign or unfinished output on the same line', () => {
    expect(setupReading('^Cgit-paw: setup failed: sleep 9 (exit 130)')).toEqual({
      state: 'error',
      detail: 'setup failed: sleep 9',
    });
  });

  it('keeps a command that itself ends in parentheses whole', () => {
    expect(setupReading('git-paw: setup failed: echo (exit 1) (exit 1)')?.state).toBe('error');
    expect(setupReading('git-paw: setup failed: echo (exit 1) (exit 1)')).toMatchObject({
      detail: 'setup failed: echo (exit 1)',
    });
  });
});

describe('setup commands as shown', () => {
  it('puts a multi-line command or one with escapes on one line', () => {
    expect(setupDisplay('npm ci &&\n  npm run build\t# deps')).toBe('npm ci && npm run build # deps');
    expect(setupDisplay('echo \u001b[31mred')).toBe('echo [31mred');
  });

  it('lists the commands for --dry-run, and nothing when there are none', () => {
    expect(setupDryRunLines(['npm ci', 'make\nall'], 'in each new worktree')).toEqual([
      '',
      '  Setup in each new worktree, before its CLI:',
      '    npm ci',
      '    make all',
    ]);
    expect(setupDryRunLines([], 'in each new worktree')).toEqual([]);
  });

  it('types the script before the CLI, which runs only when the script succeeded', () => {
    const pane = { cwd: '/w', label: 'a → claude', command: "claude --x 'y z'", env: {} };
    expect(withSetup(pane, "/data/it's here/setup.sh").command).toBe(
      "sh '/data/it'\\''s here/setup.sh' && claude --x 'y z'",
    );
  });
});
