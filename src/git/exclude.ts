// git-paw's own lines in the repository's common exclude file (`<common dir>/info/exclude`), the
// one ignore file git reads in every worktree (a linked worktree's private one is ignored). Each
// entry is written on the line after a marker comment that says what it hides and that purge
// removes it, so removal takes out exactly git-paw's lines and leaves the user's alone. Edits of
// one file are serialised, because several worktrees are set up at the same time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fs.js';
import { ioReason } from '../util/io-reason.js';
import type { RepoInfo } from './repo.js';

/** The error class a caller reports exclude-file failures with (e.g. AgentsMdError). */
export type ExcludeErrorKind = new (detail: string) => Error;

/** Whether a line of the file (trimmed) already ignores what `entry` would. */
export type CoveredBy = (lines: readonly string[], entry: string) => boolean;

const sameLine: CoveredBy = (lines, entry) => lines.includes(entry);

export function commonExcludePath(repo: RepoInfo): string {
  return join(repo.commonDir, 'info', 'exclude');
}

/** The exclude file's text ('' when it does not exist). */
export function readExcludeFile(repo: RepoInfo, errorKind: ExcludeErrorKind): string {
  const path = commonExcludePath(repo);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new errorKind(`failed to read '${path}': ${ioReason(error)}`);
  }
}

/** The file's lines, trimmed. */
export function excludeLines(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.trim());
}

const pendingEdits = new Map<string, Promise<unknown>>();

function serialised<T>(path: string, edit: () => T): Promise<T> {
  const previous = pendingEdits.get(path) ?? Promise.resolve();
  const next = previous.then(edit, edit);
  pendingEdits.set(
    path,
    next.catch(() => undefined),
  );
  return next;
}

function writeExclude(path: string, text: string, errorKind: ExcludeErrorKind): void {
  try {
    writeFileAtomic(path, text);
  } catch (error) {
    throw new errorKind(`failed to write '${path}': ${ioReason(error)}`);
  }
}

/**
 * Appends each of `entries` that no line covers yet, after its `comment` line; returns the
 * entries it added. `coveredBy` may also accept the user's own equivalent lines.
 */
export function addMarkedEntries(
  repo: RepoInfo,
  comment: string,
  entries: readonly string[],
  errorKind: ExcludeErrorKind,
  coveredBy: CoveredBy = sameLine,
): Promise<string[]> {
  const path = commonExcludePath(repo);
  return serialised(path, () => {
    const current = readExcludeFile(repo, errorKind);
    const lines = excludeLines(current);
    const added = [...new Set(entries)].filter((entry) => !coveredBy(lines, entry));
    if (added.length === 0) return added;
    const separator = current === '' || current.endsWith('\n') ? '' : '\n';
    const marked = added.map((entry) => `${comment}\n${entry}\n`).join('');
    writeExclude(path, `${current}${separator}${marked}`, errorKind);
    return added;
  });
}

/** An entry line: what our writes put after a marker (never blank, never a comment). */
function isEntryLine(line: string | undefined): boolean {
  const text = line?.trim() ?? '';
  return text !== '' && !text.startsWith('#');
}

/** Removes every entry marked with `comment`, with its comment line. Returns true if any was there. */
export function removeMarkedEntries(repo: RepoInfo, comment: string, errorKind: ExcludeErrorKind): boolean {
  const lines = readExcludeFile(repo, errorKind).split('\n');
  const kept: string[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] as string;
    if (line.trim() === comment && isEntryLine(lines[index + 1])) index += 1;
    else kept.push(line);
  }
  if (kept.length === lines.length) return false;
  writeExclude(commonExcludePath(repo), kept.join('\n'), errorKind);
  return true;
}
