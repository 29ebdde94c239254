// Reading spec files: every failure is a one-line Spec error naming the file (relative to the
// repository root), never a silent skip.
import { readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { SpecError } from '../util/errors.js';
import { ioReason } from '../util/io-reason.js';

/** `path` relative to the repo root for messages (absolute when it lies outside). */
export function displayPath(repoRoot: string, path: string): string {
  const rel = relative(repoRoot, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/** The file's text with a BOM dropped and line endings normalised to LF. */
export function readSpecText(repoRoot: string, path: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  } catch (error) {
    throw new SpecError(`cannot read ${displayPath(repoRoot, path)}: ${ioReason(error)}`);
  }
}

/** stat() following symlinks; undefined when nothing is there (or a dangling link). */
export function statIfExists(repoRoot: string, path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    throw new SpecError(`cannot read ${displayPath(repoRoot, path)}: ${ioReason(error)}`);
  }
}

/** The entry names of directory `dir` (unsorted). */
export function readDirNames(repoRoot: string, dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    throw new SpecError(`cannot read ${displayPath(repoRoot, dir)}: ${ioReason(error)}`);
  }
}
