// The real clack prompts, driven by keystrokes inside a tmux pane (the picker flow as a PTY test).
// A tiny script runs createPrompter() + selectLaunchPicks() from tsc's output (build/) with fixed
// branches and CLIs; its stdout goes to a file, so the pane shows only what is drawn on stderr.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { capturePane, skipWithoutTmux, waitForPaneText } from '../helpers/tmux.js';
import { shellQuote } from '../../src/util/shell.js';

// The modules one by one, as tsc compiled them (dist/ holds them bundled; see scripts/bundle.mjs).
const BUILD = fileURLToPath(new URL('../../build/', import.meta.url));
const PANE = '=pick:';

function pickerScript(): string {
  const module = (path: string) => JSON.stringify(pathToFileURL(join(BUILD, path)).href);
  return `
const { canPrompt, createPrompter } = await import(${module('selection/prompter.js')});
const { selectLaunchPicks } = await import(${module('selection/select.js')});
const cli = (name, displayName) => ({ name, displayName, path: '/bin/' + name, source: 'detected', command: '/bin/' + name });
try {
  const picks = await selectLaunchPicks({
    flags: {},
    branches: [{ name: 'feat/alpha' }, { name: 'feat/beta' }, { name: 'fix/gamma' }, { name: 'main', checkedOutAt: '/repo' }],
    clis: [cli('claude', 'Claude'), cli('codex', 'Codex'), cli('my-agent', 'My Agent')],
    defaultCli: 'codex',
    prompter: await createPrompter(),
    interactive: canPrompt(),
  });
  process.stdout.write(JSON.stringify(picks));
} catch (error) {
  process.stderr.write('error: ' + error.message + '\\n');
  process.exitCode = error.exitCode ?? 1;
}
`;
}

let sandbox: Sandbox;
let resultFile: string;

beforeEach(() => {
  sandbox = createSandbox({ noRepo: true });
  const script = sandbox.writeFile('pick.mjs', pickerScript());
  resultFile = join(sandbox.root, 'result.json');
  const command = `${shellQuote(process.execPath)} ${shellQuote(script)} > ${shellQuote(resultFile)}; echo "EXIT=$?"; exec sleep 600`;
  sandbox.tmux(['new-session', '-d', '-s', 'pick', '-x', '100', '-y', '30', command]);
});

afterEach(() => {
  sandbox.cleanup();
});

function keys(...names: string[]): void {
  sandbox.tmux(['send-keys', '-t', PANE, ...names]);
}

function type(text: string): void {
  sandbox.tmux(['send-keys', '-t', PANE, '-l', text]);
}

const waitFor = (text: string) => waitForPaneText(sandbox, PANE, text);

describe.skipIf(skipWithoutTmux)('interactive selection in a terminal', () => {
  it('filters, keeps picks across filter changes, and asks one CLI per branch', async () => {
    await waitFor('Select branches (space to toggle, enter to confirm)');
    const first = capturePane(sandbox, PANE);
    expect(first).toContain('main (checked out at /repo)');

    type('BETA');
    await waitFor('(1 match)');
    keys('Space');
    await waitFor('1 selected');
    keys('BSpace', 'BSpace', 'BSpace', 'BSpace');
    type('gam');
    await waitFor('Filter: gam');
    keys('Space');
    await waitFor('2 selected');
    keys('Enter');

    await waitFor('CLI assignment mode');
    keys('Down', 'Enter');
    const perBranch = await waitFor('Select CLI for feat/beta');
    expect(perBranch).toMatch(/● Codex \(codex\)/); // default_cli pre-selected
    expect(perBranch).toContain('My Agent (my-agent)');
    keys('Enter');
    await waitFor('Select CLI for fix/gamma');
    keys('Down', 'Enter');

    const screen = await waitFor('EXIT=');
    expect(screen).toContain('EXIT=0');
    expect(JSON.parse(readFileSync(resultFile, 'utf8'))).toEqual([
      { branch: 'feat/beta', cli: { name: 'codex', command: '/bin/codex' } },
      { branch: 'fix/gamma', cli: { name: 'my-agent', command: '/bin/my-agent' } },
    ]);
  });

  it('uses the pre-selected default CLI for every branch in uniform mode', async () => {
    await waitFor('Select branches');
    keys('Space', 'Down', 'Space');
    await waitFor('2 selected');
    keys('Enter');
    await waitFor('CLI assignment mode');
    keys('Enter');
    await waitFor('Select AI CLI for all branches');
    keys('Enter');
    expect(await waitFor('EXIT=')).toContain('EXIT=0');
    const picks = JSON.parse(readFileSync(resultFile, 'utf8')) as { branch: string; cli: { name: string } }[];
    expect(picks.map((pick) => [pick.branch, pick.cli.name])).toEqual([
      ['feat/alpha', 'codex'],
      ['feat/beta', 'codex'],
    ]);
  });

  it('cancels with Esc at the mode prompt', async () => {
    await waitFor('Select branches');
    keys('Space', 'Enter');
    await waitFor('CLI assignment mode');
    keys('Escape');
    const screen = await waitFor('EXIT=');
    expect(screen).toContain('error: Cancelled.');
    expect(screen).toContain('EXIT=2');
    expect(readFileSync(resultFile, 'utf8')).toBe('');
  });

  it('cannot pick a branch checked out elsewhere; Enter with nothing checked cancels', async () => {
    await waitFor('Select branches');
    type('main');
    await waitFor('(1 match)');
    keys('Space', 'BSpace', 'BSpace', 'BSpace', 'BSpace');
    // Keys are handled in order: once the filter is empty again, the Space was processed.
    const cleared = await waitFor('feat/alpha');
    expect(cleared).toContain('0 selected');
    keys('Enter');
    const screen = await waitFor('EXIT=');
    expect(screen).not.toContain('CLI assignment mode');
    expect(screen).toContain('error: Cancelled.');
    expect(screen).toContain('EXIT=2');
  });

  it('cancels with Ctrl-C in the branch picker', async () => {
    await waitFor('Select branches');
    keys('C-c');
    const screen = await waitFor('EXIT=');
    expect(screen).toContain('error: Cancelled.');
    expect(screen).toContain('EXIT=2');
  });
});
