// The dashboard's selection, kept as an agent id rather than a row number: when the order
// changes under it (an agent changed group), the same agent stays selected.

/** The selected agent among `ids` (the rows in display order): the kept one, else the first row. */
export function selectedIn(ids: readonly string[], selected: string | undefined): string | undefined {
  return selected !== undefined && ids.includes(selected) ? selected : ids[0];
}

/** The agent `step` rows away from the selected one, stopping at the first and last row. */
export function moveSelection(
  ids: readonly string[],
  selected: string | undefined,
  step: number,
): string | undefined {
  if (ids.length === 0) return selected;
  const current = selectedIn(ids, selected);
  const index = current === undefined ? 0 : ids.indexOf(current);
  return ids[Math.min(ids.length - 1, Math.max(0, index + step))];
}
