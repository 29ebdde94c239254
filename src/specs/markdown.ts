// Markdown backend: one `.md` file per spec directly in the specs dir, with YAML
// frontmatter; only `paw_status: pending` files launch. `paw_branch` overrides the id (the file
// stem), `paw_cli` names the spec's CLI. Files without frontmatter are not specs and are skipped.
import { basename, join } from 'node:path';
import { displayPath, readDirNames, readSpecText, statIfExists } from './files.js';
import { parseFields, splitFrontmatter, textField } from './frontmatter.js';
import { extractOwnedFiles } from './owned-files.js';
import type { BackendResult, ScannedSpec } from './types.js';

export function scanMarkdown(repoRoot: string, specsDir: string): BackendResult {
  const names = readDirNames(repoRoot, specsDir);
  const specs: ScannedSpec[] = [];
  const warnings: string[] = [];
  for (const name of names.filter((entry) => entry.endsWith('.md') && entry !== '.md')) {
    const source = join(specsDir, name);
    if (!statIfExists(repoRoot, source)?.isFile()) continue;
    const file = displayPath(repoRoot, source);
    const split = splitFrontmatter(readSpecText(repoRoot, source));
    if (split.unclosed) {
      warnings.push(`skipping spec ${file}: its frontmatter has no closing '---' line`);
      continue;
    }
    if (split.yaml === undefined) continue;
    const fields = parseFields(split, file);
    if (textField(fields, 'paw_status', file) !== 'pending') continue;
    const cli = textField(fields, 'paw_cli', file);
    specs.push({
      id: textField(fields, 'paw_branch', file) ?? basename(name, '.md'),
      cli,
      prompt: split.body,
      ownedFiles: extractOwnedFiles(split.body),
      source,
    });
  }
  return { specs, warnings };
}
