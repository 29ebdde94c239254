// The branch picker's widget: a multi-select with type-to-filter, built on clack's
// AutocompletePrompt. Differences from clack's own `autocompleteMultiselect`, and why:
// - Space always toggles the focused item (the title promises "space to toggle"); branch names
//   cannot contain spaces, so a space is never needed in the filter.
// - Disabled items (branches checked out elsewhere) can never be toggled, and their hint (where
//   they are checked out) is always shown, so the user sees why.
// Loaded lazily by createPrompter; nothing else imports it.
import { styleText } from 'node:util';
import type { Writable } from 'node:stream';
import type { Key } from 'node:readline';
import { AutocompletePrompt, isCancel } from '@clack/core';
import { S_BAR, S_BAR_END, S_CHECKBOX_INACTIVE, S_CHECKBOX_SELECTED, limitOptions, symbol } from '@clack/prompts';

export interface FilterOption {
  value: number;
  label: string;
  hint?: string;
  disabled?: boolean;
}

/** Case-insensitive substring match on the label (what the user sees). */
function matchesFilter(search: string, option: FilterOption): boolean {
  return option.label.toLowerCase().includes(search.toLowerCase());
}

class FilterMultiselectPrompt extends AutocompletePrompt<FilterOption> {
  constructor(options: FilterOption[], message: string, output: Writable) {
    super({
      options,
      multiple: true,
      filter: matchesFilter,
      output,
      render() {
        return renderFrame(this, message, output);
      },
    });
    // Runs after clack's own key handler, which toggles on Space only while navigating with
    // the arrows; here Space toggles in every state.
    this.on('key', (_char, key) => {
      if (key.name === 'space' && !this.isNavigating && this.focusedValue !== undefined) {
        this.toggleSelected(this.focusedValue);
      }
    });
  }

  /** Space is an action key, so readline's copy of it is removed from the filter text. */
  protected override _isActionKey(char: string | undefined, key: Key): boolean {
    return key.name === 'space' || super._isActionKey(char, key);
  }

  override toggleSelected(value: number): void {
    if (this.options.find((option) => option.value === value)?.disabled) return;
    super.toggleSelected(value);
  }
}

function optionLine(option: FilterOption, active: boolean, selected: boolean): string {
  if (option.disabled) {
    const hint = option.hint ? ` ${styleText('dim', `(${option.hint})`)}` : '';
    return `${styleText('gray', S_CHECKBOX_INACTIVE)} ${styleText(['strikethrough', 'gray'], option.label)}${hint}`;
  }
  const box = selected ? styleText('green', S_CHECKBOX_SELECTED) : styleText('dim', S_CHECKBOX_INACTIVE);
  const hint = active && option.hint ? ` ${styleText('dim', `(${option.hint})`)}` : '';
  return `${box} ${active ? option.label : styleText('dim', option.label)}${hint}`;
}

type PromptView = Omit<AutocompletePrompt<FilterOption>, 'prompt'>;

function renderFrame(prompt: PromptView, message: string, output: Writable): string {
  const title = `${styleText('gray', S_BAR)}\n${symbol(prompt.state)}  ${message}`;
  const chosen = prompt.options.filter((option) => prompt.selectedValues.includes(option.value));
  if (prompt.state === 'submit') {
    return `${title}\n${styleText('gray', S_BAR)}  ${styleText('dim', chosen.map((option) => option.label).join(', '))}`;
  }
  if (prompt.state === 'cancel') {
    return `${title}\n${styleText('gray', S_BAR)}  ${styleText(['strikethrough', 'dim'], prompt.userInput)}`;
  }
  const bar = styleText('cyan', S_BAR);
  const total = prompt.options.length;
  const shown = prompt.filteredOptions.length;
  const count = shown === total ? '' : styleText('dim', ` (${shown} match${shown === 1 ? '' : 'es'})`);
  const search = prompt.isNavigating ? styleText('dim', prompt.userInput) : prompt.userInputWithCursor;
  const header = [title, bar, `${bar}  ${styleText('dim', 'Filter:')} ${search}${count}`];
  if (shown === 0) header.push(`${bar}  ${styleText('yellow', 'No matches found')}`);
  const footer = [
    `${bar}  ${styleText('dim', `${chosen.length} selected • ↑/↓ move • Space: toggle • Enter: confirm • Type: filter`)}`,
    styleText('cyan', S_BAR_END),
  ];
  const rows = limitOptions({
    cursor: prompt.cursor,
    options: prompt.filteredOptions,
    style: (option, active) => optionLine(option, active, prompt.selectedValues.includes(option.value)),
    output,
    rowPadding: header.length + footer.length,
  });
  return [...header, ...rows.map((row) => `${bar}  ${row}`), ...footer].join('\n');
}

/**
 * Shows the picker; resolves with the chosen option values in option order, or undefined when
 * the user cancelled (Esc, Ctrl-C).
 */
export async function filterMultiselect(options: FilterOption[], message: string, output: Writable): Promise<number[] | undefined> {
  const result = await new FilterMultiselectPrompt(options, message, output).prompt();
  if (isCancel(result) || result === undefined) return undefined;
  const chosen = new Set(Array.isArray(result) ? result : [result]);
  return options.filter((option) => chosen.has(option.value) && !option.disabled).map((option) => option.value);
}
