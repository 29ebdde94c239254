// selectLaunchPicks driven by a scripted fake Prompter: which prompts appear, in which order,
// with which titles, labels and defaults, and how cancelling and missing terminals end
// (including `default_cli` pre-selection and branches checked out elsewhere).
import { describe, expect, it } from 'vitest';
import type { CliInfo } from '../../src/clis/known.js';
import type { Choice, Prompter } from '../../src/selection/prompter.js';
import { selectLaunchPicks, type BranchChoice, type SelectLaunchInput } from '../../src/selection/select.js';
import { BranchError, CancelledError, NoClisFoundError, PawError, UsageError } from '../../src/util/errors.js';

interface ShownPrompt {
  kind: 'multiselect' | 'select' | 'confirm';
  message: string;
  labels: string[];
  disabled: string[];
  hints: string[];
  /** Label of the pre-selected choice, if any. */
  initial?: string;
}

/** What the scripted user does at one prompt: pick labels, or back out. */
type Answer = { pick: string[] } | { cancel: true };

/** A Prompter that records every prompt and answers from a script, by label. */
function scriptedPrompter(answers: Answer[]) {
  const shown: ShownPrompt[] = [];
  const script = [...answers];

  /** Records the prompt and returns the labels the script picks there (or throws Cancelled). */
  function record<T>(kind: ShownPrompt['kind'], message: string, choices: Choice<T>[], initial?: T): string[] {
    const initialChoice = initial === undefined ? undefined : choices.find((choice) => choice.value === initial);
    shown.push({
      kind,
      message,
      labels: choices.map((choice) => choice.label),
      disabled: choices.filter((choice) => choice.disabled).map((choice) => choice.label),
      hints: choices.flatMap((choice) => (choice.hint ? [`${choice.label}: ${choice.hint}`] : [])),
      ...(initialChoice ? { initial: initialChoice.label } : {}),
    });
    const answer = script.shift();
    if (!answer) throw new Error(`unexpected prompt: ${message}`);
    if ('cancel' in answer) throw new CancelledError();
    return answer.pick;
  }

  function valuesOf<T>(choices: Choice<T>[], labels: string[]): T[] {
    return labels.map((label) => {
      const choice = choices.find((candidate) => candidate.label === label);
      if (!choice) throw new Error(`no choice labelled ${label}`);
      return choice.value;
    });
  }

  const prompter: Prompter = {
    async multiselect({ message, choices }) {
      return valuesOf(choices, record('multiselect', message, choices));
    },
    async select({ message, choices, initial }) {
      const [value] = valuesOf(choices, record('select', message, choices, initial));
      if (value === undefined) throw new Error('select needs one label');
      return value;
    },
    async confirm({ message }) {
      record('confirm', message, []);
      return true;
    },
  };
  return { prompter, shown };
}

function cli(name: string, displayName: string, source: CliInfo['source'] = 'detected'): CliInfo {
  return { name, displayName, path: `/usr/bin/${name}`, source, command: `/usr/bin/${name}` };
}

const CLAUDE = cli('claude', 'Claude');
const CODEX = cli('codex', 'Codex');
const MY_AGENT = cli('my-agent', 'My Agent', 'custom');
const BRANCHES: BranchChoice[] = [{ name: 'feat/a' }, { name: 'feat/b' }, { name: 'main', checkedOutAt: '/work/proj' }];

const BRANCH_TITLE = 'Select branches (space to toggle, enter to confirm)';
const MODE_TITLE = 'CLI assignment mode';
const UNIFORM_TITLE = 'Select AI CLI for all branches';

function input(prompter: Prompter, overrides: Partial<SelectLaunchInput> = {}): SelectLaunchInput {
  return { flags: {}, branches: BRANCHES, clis: [CLAUDE, CODEX], prompter, interactive: true, ...overrides };
}

async function rejection(promise: Promise<unknown>): Promise<PawError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PawError) return error;
    throw error;
  }
  throw new Error('expected the selection to fail');
}

describe('selectLaunchPicks with no flags', () => {
  it('asks branches, then mode, then one CLI, and pairs them', async () => {
    const { prompter, shown } = scriptedPrompter([
      { pick: ['feat/a'] },
      { pick: ['Same CLI for all branches'] },
      { pick: ['Claude (claude)'] },
    ]);
    const picks = await selectLaunchPicks(input(prompter));
    expect(picks).toEqual([{ branch: 'feat/a', cli: { name: 'claude', command: '/usr/bin/claude' } }]);
    expect(shown.map((prompt) => [prompt.kind, prompt.message])).toEqual([
      ['multiselect', BRANCH_TITLE],
      ['select', MODE_TITLE],
      ['select', UNIFORM_TITLE],
    ]);
    expect(shown[1]).toMatchObject({ labels: ['Same CLI for all branches', 'Different CLI per branch'], initial: 'Same CLI for all branches' });
    expect(shown[2]?.labels).toEqual(['Claude (claude)', 'Codex (codex)']);
  });

  it('shows branches checked out elsewhere but does not let them be picked', async () => {
    const { prompter, shown } = scriptedPrompter([{ pick: ['feat/b', 'main'] }, { pick: ['Same CLI for all branches'] }, { pick: ['Codex (codex)'] }]);
    const picks = await selectLaunchPicks(input(prompter));
    expect(shown[0]).toMatchObject({
      labels: ['feat/a', 'feat/b', 'main'],
      disabled: ['main'],
      hints: ['main: checked out at /work/proj'],
    });
    expect(picks.map((pick) => pick.branch)).toEqual(['feat/b']);
  });

  it('returns branches in list order, whatever order they were toggled in', async () => {
    const { prompter } = scriptedPrompter([{ pick: ['feat/b', 'feat/a'] }, { pick: ['Same CLI for all branches'] }, { pick: ['Claude (claude)'] }]);
    const picks = await selectLaunchPicks(input(prompter));
    expect(picks.map((pick) => pick.branch)).toEqual(['feat/a', 'feat/b']);
  });

  it('asks one CLI per branch, in branch order, in per-branch mode', async () => {
    const { prompter, shown } = scriptedPrompter([
      { pick: ['feat/a', 'feat/b'] },
      { pick: ['Different CLI per branch'] },
      { pick: ['Codex (codex)'] },
      { pick: ['Claude (claude)'] },
    ]);
    const picks = await selectLaunchPicks(input(prompter));
    expect(shown.slice(2).map((prompt) => prompt.message)).toEqual(['Select CLI for feat/a', 'Select CLI for feat/b']);
    expect(picks).toEqual([
      { branch: 'feat/a', cli: { name: 'codex', command: '/usr/bin/codex' } },
      { branch: 'feat/b', cli: { name: 'claude', command: '/usr/bin/claude' } },
    ]);
  });

  it('cancels when Enter is pressed with nothing checked', async () => {
    const { prompter, shown } = scriptedPrompter([{ pick: [] }]);
    const error = await rejection(selectLaunchPicks(input(prompter)));
    expect(error).toBeInstanceOf(CancelledError);
    expect(error.message).toBe('Cancelled.');
    expect(error.exitCode).toBe(2);
    expect(shown).toHaveLength(1);
  });

  it('stops at once when a prompt is cancelled', async () => {
    const { prompter, shown } = scriptedPrompter([{ pick: ['feat/a'] }, { cancel: true }]);
    const error = await rejection(selectLaunchPicks(input(prompter)));
    expect(error).toBeInstanceOf(CancelledError);
    expect(error.exitCode).toBe(2);
    expect(shown.map((prompt) => prompt.message)).toEqual([BRANCH_TITLE, MODE_TITLE]);
  });

  it('cancels from the branch picker and from a CLI picker too', async () => {
    for (const answers of [[{ cancel: true }], [{ pick: ['feat/a'] }, { pick: ['Different CLI per branch'] }, { cancel: true }]] as Answer[][]) {
      const { prompter } = scriptedPrompter(answers);
      expect(await rejection(selectLaunchPicks(input(prompter)))).toBeInstanceOf(CancelledError);
    }
  });
});

describe('selectLaunchPicks without a terminal', () => {
  it('fails before any prompt and names the flags to pass', async () => {
    const { prompter, shown } = scriptedPrompter([]);
    const error = await rejection(selectLaunchPicks(input(prompter, { interactive: false })));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.exitCode).toBe(2);
    expect([error.message, error.hint]).toEqual([
      'Interactive prompt failed: cannot prompt without a terminal',
      'pass --branches and --cli (or --preset)',
    ]);
    expect(shown).toHaveLength(0);
  });

  it('names only the flag that is missing', async () => {
    const { prompter } = scriptedPrompter([]);
    const noBranches = await rejection(selectLaunchPicks(input(prompter, { interactive: false, flags: { cli: 'claude' } })));
    expect(noBranches.hint).toBe('pass --branches (or --preset)');
    const noCli = await rejection(selectLaunchPicks(input(prompter, { interactive: false, flags: { branches: ['feat/a'] } })));
    expect(noCli.hint).toBe('pass --cli (or --preset)');
  });

  it('needs no terminal when both flags are given', async () => {
    const { prompter, shown } = scriptedPrompter([]);
    const picks = await selectLaunchPicks(input(prompter, { interactive: false, flags: { cli: 'codex', branches: ['x', 'feat/a'] } }));
    expect(picks).toEqual([
      { branch: 'x', cli: { name: 'codex', command: '/usr/bin/codex' } },
      { branch: 'feat/a', cli: { name: 'codex', command: '/usr/bin/codex' } },
    ]);
    expect(shown).toHaveLength(0);
  });
});

describe('selectLaunchPicks with flags', () => {
  it('with --cli asks only for branches', async () => {
    const { prompter, shown } = scriptedPrompter([{ pick: ['feat/a', 'feat/b'] }]);
    const picks = await selectLaunchPicks(input(prompter, { flags: { cli: 'claude' } }));
    expect(shown.map((prompt) => prompt.message)).toEqual([BRANCH_TITLE]);
    expect(picks.map((pick) => [pick.branch, pick.cli.name])).toEqual([
      ['feat/a', 'claude'],
      ['feat/b', 'claude'],
    ]);
  });

  it('with --branches asks mode and CLI but not branches', async () => {
    const { prompter, shown } = scriptedPrompter([{ pick: ['Same CLI for all branches'] }, { pick: ['Codex (codex)'] }]);
    const picks = await selectLaunchPicks(input(prompter, { flags: { branches: ['feat/new', 'feat/a'] } }));
    expect(shown.map((prompt) => prompt.message)).toEqual([MODE_TITLE, UNIFORM_TITLE]);
    expect(picks.map((pick) => [pick.branch, pick.cli.name])).toEqual([
      ['feat/new', 'codex'],
      ['feat/a', 'codex'],
    ]);
  });

  it('rejects an unknown --cli before showing any prompt', async () => {
    const { prompter, shown } = scriptedPrompter([{ pick: ['feat/a'] }]);
    const error = await rejection(selectLaunchPicks(input(prompter, { flags: { cli: 'nonexistent-cli' }, pathEnv: '' })));
    expect(error.message).toBe("CLI 'nonexistent-cli' not found");
    expect(shown).toHaveLength(0);
  });

  it('does not need the branch list when --branches is given', async () => {
    const { prompter } = scriptedPrompter([]);
    const picks = await selectLaunchPicks(input(prompter, { branches: [], flags: { branches: ['feat/a'], cli: 'claude' } }));
    expect(picks.map((pick) => pick.branch)).toEqual(['feat/a']);
  });
});

describe('CLI picker labels and defaults', () => {
  it('labels a custom CLI `<display> (<name>)` and a same-named one by its name', async () => {
    const plain = cli('vibe', 'vibe');
    const { prompter, shown } = scriptedPrompter([{ pick: ['Same CLI for all branches'] }, { pick: ['My Agent (my-agent)'] }]);
    const picks = await selectLaunchPicks(input(prompter, { clis: [CLAUDE, plain, MY_AGENT], flags: { branches: ['a'] } }));
    expect(shown[1]?.labels).toEqual(['Claude (claude)', 'vibe', 'My Agent (my-agent)']);
    expect(picks[0]?.cli).toEqual({ name: 'my-agent', command: '/usr/bin/my-agent' });
  });

  it('pre-selects default_cli in the uniform picker', async () => {
    const { prompter, shown } = scriptedPrompter([{ pick: ['Same CLI for all branches'] }, { pick: ['Codex (codex)'] }]);
    await selectLaunchPicks(input(prompter, { flags: { branches: ['a'] }, defaultCli: 'codex' }));
    expect(shown[1]).toMatchObject({ message: UNIFORM_TITLE, initial: 'Codex (codex)' });
  });

  it('pre-selects default_cli in every per-branch picker', async () => {
    const { prompter, shown } = scriptedPrompter([
      { pick: ['Different CLI per branch'] },
      { pick: ['Codex (codex)'] },
      { pick: ['Claude (claude)'] },
    ]);
    await selectLaunchPicks(input(prompter, { flags: { branches: ['a', 'b'] }, defaultCli: 'codex' }));
    expect(shown.slice(1).map((prompt) => prompt.initial)).toEqual(['Codex (codex)', 'Codex (codex)']);
  });

  it('pre-selects nothing when default_cli is not an available CLI', async () => {
    const { prompter, shown } = scriptedPrompter([{ pick: ['Same CLI for all branches'] }, { pick: ['Claude (claude)'] }]);
    await selectLaunchPicks(input(prompter, { flags: { branches: ['a'] }, defaultCli: 'gemini' }));
    expect(shown[1]?.initial).toBeUndefined();
  });
});

describe('nothing to choose from', () => {
  it('fails when there are no branches to offer', async () => {
    const { prompter } = scriptedPrompter([]);
    const error = await rejection(selectLaunchPicks(input(prompter, { branches: [] })));
    expect(error).toBeInstanceOf(BranchError);
    expect(error.message).toBe('Branch error: No branches available.');
  });

  it('fails when a CLI must be picked but none exists', async () => {
    const { prompter, shown } = scriptedPrompter([]);
    const error = await rejection(selectLaunchPicks(input(prompter, { clis: [], flags: { branches: ['a'] } })));
    expect(error).toBeInstanceOf(NoClisFoundError);
    expect(shown).toHaveLength(0);
  });
});
