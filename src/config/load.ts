// Loading configuration: the global file `<config dir>/git-paw/config.toml`, then the repo file
// `<repo root>/.git-paw/config.toml`, each validated, merged per key. Missing files are defaults.
// The TOML parser and validator are loaded only when a file exists (start-up speed).
import { open } from 'node:fs/promises';
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

/** A config file is a few hundred bytes; anything past this is a mistake, not a config. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Reads at most MAX_CONFIG_BYTES + 1 bytes, so a huge file costs neither time nor memory. */
async function readCapped(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled === buffer.length) break;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

/** 1-based line of the first byte sequence that is not UTF-8, or undefined when all of it is. */
function firstInvalidUtf8Line(bytes: Buffer): number | undefined {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let start = 0;
  while (start <= bytes.length) {
    const end = bytes.indexOf(0x0a, start);
    const stop = end === -1 ? bytes.length : end;
    try {
      decoder.decode(bytes.subarray(start, stop));
    } catch {
      return line;
    }
    if (end === -1) return undefined;
    start = end + 1;
    line += 1;
  }
  return undefined;
}

/**
 * The text of `path`, or undefined when the file does not exist. Config error for a file larger
 * than MAX_CONFIG_BYTES or one that is not UTF-8 (naming the line).
 */
export async function readConfigText(path: string): Promise<string | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readCapped(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new ConfigError(`${path}: cannot read: ${READ_FAILURES[code] ?? describeError(error)}`, {
      hint: 'make the file readable, or remove it to use the defaults',
    });
  }
  if (bytes.length > MAX_CONFIG_BYTES) {
    throw new ConfigError(`${path}: the file is larger than 1 MiB, the limit for a config file`, {
      hint: 'a config file holds a few settings; check that this is the file you meant',
    });
  }
  const invalidLine = firstInvalidUtf8Line(bytes);
  if (invalidLine !== undefined) {
    throw new ConfigError(`${path}: line ${invalidLine}: not valid UTF-8`, {
      hint: 'save the file as UTF-8',
    });
  }
  return bytes.toString('utf8');
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
