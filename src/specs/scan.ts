// scanSpecs: the pending specs of a repository for `start --from-specs`,
// sorted by id, each with a validated, unique branch name. Everything is checked
// here, before anything is created.
import { resolve } from 'node:path';
import { branchPrefix } from '../config/effective.js';
import type { PawConfig } from '../config/schema.js';
import { SpecError } from '../util/errors.js';
import { branchNameProblem, deriveBranch } from './branch-name.js';
import { displayPath, statIfExists } from './files.js';
import { scanMarkdown } from './markdown.js';
import { scanOpenSpec } from './openspec.js';
import type { BackendResult, ScannedSpec, SpecEntry } from './types.js';

export type { SpecEntry } from './types.js';

const BACKENDS: Record<string, (repoRoot: string, specsDir: string) => BackendResult> = {
  openspec: scanOpenSpec,
  markdown: scanMarkdown,
};

const SPECS_HINT =
  'run `git paw init`, then in .git-paw/config.toml uncomment [specs] and set dir = "<specs dir>" and type = "openspec" or "markdown"';

function compareIds(a: ScannedSpec, b: ScannedSpec): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Branch names that git cannot hold side by side: equal, or one a directory of the other. */
function clash(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

function withBranches(repoRoot: string, specs: ScannedSpec[], prefix: string): SpecEntry[] {
  const entries: SpecEntry[] = [];
  for (const spec of specs) {
    const branch = deriveBranch(prefix, spec.id);
    const file = displayPath(repoRoot, spec.source);
    const problem = branchNameProblem(branch);
    if (problem) {
      throw new SpecError(`spec '${spec.id}' (${file}) gives the invalid branch name '${branch}': ${problem}`, {
        hint: 'rename the spec (or set paw_branch in a markdown spec) to a valid git branch name',
      });
    }
    const other = entries.find((entry) => clash(entry.branch, branch));
    if (other) {
      const detail =
        other.branch === branch
          ? `both map to branch '${branch}'`
          : `map to branches '${other.branch}' and '${branch}', which git cannot hold together`;
      throw new SpecError(`specs ${displayPath(repoRoot, other.source)} and ${file} ${detail}`, {
        hint: 'give one of them a different id (paw_branch in a markdown spec)',
      });
    }
    entries.push({ ...spec, branch });
  }
  return entries;
}

/**
 * Finds the pending specs under `<repoRoot>/<[specs] dir>` with the `[specs] type` backend.
 * Returns them sorted by id (code-point order) with their branches, plus warnings to print.
 * Throws SpecError for a missing `[specs]` table, a missing specs dir, an unknown type, an
 * unreadable or broken spec file, an invalid derived branch name, or two specs on one branch.
 */
export async function scanSpecs(repoRoot: string, config: PawConfig): Promise<{ specs: SpecEntry[]; warnings: string[] }> {
  if (!config.specs) throw new SpecError('no [specs] section in config', { hint: SPECS_HINT });
  const specsDir = resolve(repoRoot, config.specs.dir ?? 'specs');
  const stats = statIfExists(repoRoot, specsDir);
  if (!stats) throw new SpecError(`specs directory does not exist: ${specsDir}`, { hint: 'create it or set [specs] dir in .git-paw/config.toml' });
  if (!stats.isDirectory()) throw new SpecError(`specs path is not a directory: ${specsDir}`);
  const type = config.specs.type ?? 'openspec';
  const backend = Object.hasOwn(BACKENDS, type) ? BACKENDS[type] : undefined;
  if (!backend) throw new SpecError(`unknown spec type: ${type}`, { hint: 'set [specs] type to "openspec" or "markdown"' });
  const { specs, warnings } = backend(repoRoot, specsDir);
  return { specs: withBranches(repoRoot, [...specs].sort(compareIds), branchPrefix(config)), warnings };
}
