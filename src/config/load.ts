// Loading configuration: the global file `<config dir>/git-paw/config.toml`, then the repo file
// `<repo root>/.git-paw/config.toml`, each validated, merged per key. Missing files are defaults.
// The TOML parser and validator are loaded only when a file exists (start-up speed).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveRepo } from '../git/repo.js';
import { gitPawConfigDir } from '../util/dirs.js';
import { ConfigError, describeError, NotAGitRepoError } from '../util/errors.js';
import type { CommandRunner } from '../util/exec.js';
import { mergeConfigFiles } from './merge.js';
import type { ConfigFile, PawConfig } from './schema.js';

/** `<config dir>/git-paw/config.toml` (Config error when HOME is unknown). */
export function globalConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(gitPawConfigDir(env), 'config.toml');
}

/** `<repo root>/.git-paw/config.toml`. */
export function repoConfigPath(repoRoot: string): string {
  return join(repoRoot, '.git-paw', 'config.toml');
}

const READ_FAILURES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory, not a file',
};

/** The text of `path`, or undefined when the file does not exist. */
export async function readConfigText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new ConfigError(`${path}: cannot read: ${READ_FAILURES[code] ?? describeError(error)}`);
  }
}

/** One validated config file; an absent file is empty. */
export async function loadConfigFile(path: string): Promise<{ file: ConfigFile; warnings: string[] }> {
  const text = await readConfigText(path);
  if (text === undefined) return { file: {}, warnings: [] };
  const { parseConfigText } = await import('./validate.js');
  return parseConfigText(text, path);
}

export interface LoadConfigOptions {
  /** Root of the repository whose `.git-paw/config.toml` overlays the global file. */
  repoRoot?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * The merged configuration. Warnings (unknown keys) are returned for the caller to print;
 * unreadable or invalid files throw a ConfigError naming the file.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<{ config: PawConfig; warnings: string[] }> {
  const global = await loadConfigFile(globalConfigPath(options.env));
  const repo = options.repoRoot === undefined ? { file: {}, warnings: [] } : await loadConfigFile(repoConfigPath(options.repoRoot));
  return { config: mergeConfigFiles(global.file, repo.file), warnings: [...global.warnings, ...repo.warnings] };
}

/**
 * The configuration that applies in `cwd`: merged with the repo file inside a repository, the
 * global file alone outside one (list-clis and remove-cli work anywhere).
 */
export async function loadConfigAt(
  runner: CommandRunner,
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ config: PawConfig; warnings: string[]; repoRoot: string | undefined }> {
  let repoRoot: string | undefined;
  try {
    repoRoot = (await resolveRepo(runner, cwd)).root;
  } catch (error) {
    if (!(error instanceof NotAGitRepoError)) throw error;
  }
  return { ...(await loadConfig({ repoRoot, env })), repoRoot };
}
