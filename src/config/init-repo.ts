// `git paw init`: creates `.git-paw/`, `.git-paw/logs/`, the commented config template and a
// `.gitignore` rule for the logs, each only when missing. A second run changes nothing; a run
// that cannot finish removes what it created, so it is all or nothing.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describeError, InitError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { repoConfigPath } from './load.js';
import { REPO_CONFIG_TEMPLATE } from './template.js';

const LOGS_RULE = '.git-paw/logs/';

function attempt<T>(what: string, action: () => T): T {
  try {
    return action();
  } catch (error) {
    throw new InitError(`${what}: ${describeError(error)}`);
  }
}

/** Creates `path` when missing; registers its removal in `created`. Returns true when it did. */
function ensureDir(path: string, created: string[]): boolean {
  if (existsSync(path)) return false;
  attempt(`failed to create ${path}`, () => mkdirSync(path));
  created.push(path);
  return true;
}

/** `.gitignore` with the logs rule appended, or undefined when a line already is that rule. */
export function withLogsRule(gitignore: string | undefined): string | undefined {
  const text = gitignore ?? '';
  if (text.split('\n').some((line) => line.trim() === LOGS_RULE)) return undefined;
  return `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${LOGS_RULE}\n`;
}

/** Sets up `.git-paw/` in the repository at `root`; returns what was done, in order. */
export function initRepo(root: string): string[] {
  const done: string[] = [];
  // What this run created, newest last: removed again when a later step fails.
  const created: string[] = [];
  try {
    if (ensureDir(join(root, '.git-paw'), created)) done.push('Created .git-paw/');
    if (ensureDir(join(root, '.git-paw', 'logs'), created)) done.push('Created .git-paw/logs/');
    const configPath = repoConfigPath(root);
    if (!existsSync(configPath)) {
      attempt(`failed to write ${configPath}`, () => writeFileAtomic(configPath, REPO_CONFIG_TEMPLATE));
      created.push(configPath);
      done.push('Created .git-paw/config.toml');
    }
    const gitignorePath = join(root, '.gitignore');
    const current = existsSync(gitignorePath)
      ? attempt(`failed to read ${gitignorePath}`, () => readFileSync(gitignorePath, 'utf8'))
      : undefined;
    const updated = withLogsRule(current);
    if (updated !== undefined) {
      const mode = current === undefined ? 0o644 : statSync(gitignorePath).mode & 0o777;
      // The last step: once it succeeds nothing can fail any more.
      attempt(`failed to write ${gitignorePath}`, () => writeFileAtomic(gitignorePath, updated, { mode }));
      done.push('Updated .gitignore');
    }
  } catch (error) {
    for (const path of created.reverse()) rmSync(path, { recursive: true, force: true });
    throw error;
  }
  return done;
}
