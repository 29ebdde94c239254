// POSIX shell quoting for everything git-paw types into a shell (tmux send-keys, pipe-pane).

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one word so any POSIX shell reads it back verbatim. */
export function shellQuote(word: string): string {
  if (word !== '' && SAFE.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Quotes each word and joins them with spaces. */
export function shellJoin(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}
