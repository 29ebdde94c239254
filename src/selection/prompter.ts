// The one seam for every interactive prompt. Commands receive a Prompter; the real one
// (createPrompter) draws clack prompts on stderr, so stdout stays clean for data, and turns
// Esc/Ctrl-C into CancelledError. Unit tests pass a scripted fake instead.
import { CancelledError } from '../util/errors.js';
import { stdinIsTerminal } from '../util/output.js';

export interface Choice<T> {
  value: T;
  label: string;
  hint?: string;
  disabled?: boolean;
}

export interface Prompter {
  /** Multi-select with type-to-filter; resolves with the chosen values in choice order. */
  multiselect<T>(options: { message: string; choices: Choice<T>[] }): Promise<T[]>;
  select<T>(options: { message: string; choices: Choice<T>[]; initial?: T }): Promise<T>;
  confirm(options: { message: string; initial?: boolean }): Promise<boolean>;
}

/** True when prompts can be shown: keys come from a terminal and prompts draw on one. */
export function canPrompt(): boolean {
  return stdinIsTerminal() && Boolean(process.stderr.isTTY);
}

/** Clack options carry the choice's index as value, so any T (not only primitives) works. */
function indexedOptions<T>(choices: Choice<T>[]) {
  return choices.map((choice, index) => ({
    value: index,
    label: choice.label,
    hint: choice.hint,
    ...(choice.disabled ? { disabled: true } : {}),
  }));
}

function chosen<T>(choices: Choice<T>[], index: number): T {
  const choice = choices[index];
  if (!choice) throw new CancelledError();
  return choice.value;
}

/** The terminal prompter. Loads the prompt library only when called. */
export async function createPrompter(): Promise<Prompter> {
  const clack = await import('@clack/prompts');
  const { filterMultiselect } = await import('./filter-multiselect.js');
  const output = process.stderr;

  return {
    async multiselect({ message, choices }) {
      const picked = await filterMultiselect(indexedOptions(choices), message, output);
      if (picked === undefined) throw new CancelledError();
      return picked.map((index) => chosen(choices, index));
    },

    async select({ message, choices, initial }) {
      const initialIndex =
        initial === undefined ? -1 : choices.findIndex((choice) => Object.is(choice.value, initial));
      const result = await clack.select({
        message,
        options: indexedOptions(choices),
        ...(initialIndex >= 0 ? { initialValue: initialIndex } : {}),
        output,
      });
      if (clack.isCancel(result)) throw new CancelledError();
      return chosen(choices, result);
    },

    async confirm({ message, initial }) {
      const result = await clack.confirm({ message, initialValue: initial ?? false, output });
      if (clack.isCancel(result)) throw new CancelledError();
      return result;
    },
  };
}
