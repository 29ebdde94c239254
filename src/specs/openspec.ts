// OpenSpec backend: one change directory per spec under the specs dir, each
// with a tasks.md; `archive` is skipped; every change with a tasks.md is pending. The prompt is
// the tasks.md body plus the change's capability specs (`specs/<capability>/spec.md`).
import { join } from 'node:path';
import { displayPath, readDirNames, readSpecText, statIfExists } from './files.js';
import { parseFields, splitFrontmatter, textField } from './frontmatter.js';
import { extractOwnedFiles } from './owned-files.js';
import type { BackendResult, ScannedSpec } from './types.js';

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Names of the immediate sub-directories of `dir` (symlinks to directories included), sorted. */
function subdirectories(repoRoot: string, dir: string): string[] {
  return readDirNames(repoRoot, dir).filter((name) => statIfExists(repoRoot, join(dir, name))?.isDirectory()).sort(byName);
}

/** `\n\n## Spec: <capability>\n\n<content>` for every capability spec of the change, by name. */
function capabilitySpecs(repoRoot: string, changeDir: string): string {
  const specsDir = join(changeDir, 'specs');
  if (!statIfExists(repoRoot, specsDir)?.isDirectory()) return '';
  let text = '';
  for (const capability of subdirectories(repoRoot, specsDir)) {
    const file = join(specsDir, capability, 'spec.md');
    if (!statIfExists(repoRoot, file)) continue;
    text += `\n\n## Spec: ${capability}\n\n${readSpecText(repoRoot, file)}`;
  }
  return text;
}

function scanChange(repoRoot: string, specsDir: string, id: string): ScannedSpec | undefined {
  const changeDir = join(specsDir, id);
  const source = join(changeDir, 'tasks.md');
  if (!statIfExists(repoRoot, source)) return undefined;
  const file = displayPath(repoRoot, source);
  const split = splitFrontmatter(readSpecText(repoRoot, source));
  const fields = parseFields(split, file);
  const cli = textField(fields, 'paw_cli', file);
  return {
    id,
    cli,
    prompt: `${split.body}${capabilitySpecs(repoRoot, changeDir)}`,
    ownedFiles: extractOwnedFiles(split.body),
    source,
  };
}

export function scanOpenSpec(repoRoot: string, specsDir: string): BackendResult {
  const specs: ScannedSpec[] = [];
  const warnings: string[] = [];
  for (const id of subdirectories(repoRoot, specsDir)) {
    if (id === 'archive') continue;
    const spec = scanChange(repoRoot, specsDir, id);
    if (spec) specs.push(spec);
    else warnings.push(`skipping change ${id}: no tasks.md found`);
  }
  return { specs, warnings };
}
