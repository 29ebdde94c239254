// `init` through the built CLI: what it creates, a second run, partial setups, outside a repo.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { brokerSettings, branchPrefix, loggingEnabled, mouseEnabled } from '../../src/config/effective.js';
import { loadConfig } from '../../src/config/load.js';
import { emptyConfig } from '../../src/config/schema.js';
import { runCli } from '../helpers/run-cli.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

let sandbox: Sandbox;

const CREATED_ALL = [
  '  Created .git-paw/',
  '  Created .git-paw/logs/',
  '  Created .git-paw/config.toml',
  '  Updated .gitignore',
  'Initialized git-paw.',
  '',
].join('\n');

function init(cwd = sandbox.repo) {
  return runCli(['init'], { cwd, env: sandbox.env });
}

/** Every file under the repo (except .git) with its content, to compare two runs byte for byte. */
function snapshot(dir: string, prefix = ''): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === '.git') continue;
    const path = join(dir, entry.name);
    const key = `${prefix}${entry.name}`;
    if (entry.isDirectory()) Object.assign(files, { [`${key}/`]: '' }, snapshot(path, `${key}/`));
    else files[key] = `${readFileSync(path, 'utf8')}@${statSync(path).mtimeMs}`;
  }
  return files;
}

beforeEach(() => {
  sandbox = createSandbox();
});

afterEach(() => sandbox.cleanup());

describe('init', () => {
  it('creates the directory, logs dir, config and .gitignore rule', async () => {
    const result = await init();
    expect(result).toMatchObject({ code: 0, stdout: CREATED_ALL, stderr: '' });
    expect(statSync(join(sandbox.repo, '.git-paw')).isDirectory()).toBe(true);
    expect(statSync(join(sandbox.repo, '.git-paw', 'logs')).isDirectory()).toBe(true);
    expect(existsSync(join(sandbox.repo, '.git-paw', 'config.toml'))).toBe(true);
    expect(readFileSync(join(sandbox.repo, '.gitignore'), 'utf8')).toBe('.git-paw/logs/\n');
    expect(sandbox.git(['status', '--porcelain', '--untracked-files=all'])).toBe('?? .git-paw/config.toml\n?? .gitignore');
  });

  it('changes nothing on a second run', async () => {
    await init();
    const before = snapshot(sandbox.repo);
    const result = await init();
    expect(result).toMatchObject({ code: 0, stdout: 'Already initialized. Nothing to do.\n', stderr: '' });
    expect(snapshot(sandbox.repo)).toEqual(before);
  });

  it('appends the rule on a new line when .gitignore lacks a final newline', async () => {
    writeFileSync(join(sandbox.repo, '.gitignore'), 'node_modules/');
    await init();
    expect(readFileSync(join(sandbox.repo, '.gitignore'), 'utf8')).toBe('node_modules/\n.git-paw/logs/\n');
  });

  it('recognises an existing rule, even with surrounding spaces', async () => {
    writeFileSync(join(sandbox.repo, '.gitignore'), 'dist/\n  .git-paw/logs/  \n');
    const result = await init();
    expect(result.stdout).not.toContain('Updated .gitignore');
    expect(readFileSync(join(sandbox.repo, '.gitignore'), 'utf8')).toBe('dist/\n  .git-paw/logs/  \n');
  });

  it('keeps an existing config and creates only what is missing', async () => {
    mkdirSync(join(sandbox.repo, '.git-paw'));
    writeFileSync(join(sandbox.repo, '.git-paw', 'config.toml'), 'mouse = false # mine\n');
    const result = await init();
    expect(result.stdout).toBe('  Created .git-paw/logs/\n  Updated .gitignore\nInitialized git-paw.\n');
    expect(readFileSync(join(sandbox.repo, '.git-paw', 'config.toml'), 'utf8')).toBe('mouse = false # mine\n');
  });

  it('fails outside a repository and creates nothing', async () => {
    const outside = join(sandbox.root, 'outside');
    mkdirSync(outside);
    const result = await init(outside);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: Not a git repository. Run git-paw from inside a git project.\n');
    expect(readdirSync(outside)).toEqual([]);
  });

  it('writes a config that parses to all defaults, every setting commented out', async () => {
    await init();
    const text = readFileSync(join(sandbox.repo, '.git-paw', 'config.toml'), 'utf8');
    expect(parse(text)).toEqual({});
    const { config, warnings } = await loadConfig({ repoRoot: sandbox.repo, env: sandbox.env });
    expect(warnings).toEqual([]);
    expect(config).toEqual(emptyConfig());
    expect(mouseEnabled(config)).toBe(true);
    expect(branchPrefix(config)).toBe('spec/');
    expect(loggingEnabled(config)).toBe(false);
    expect(brokerSettings(config)).toMatchObject({ enabled: true, port: undefined, bind: '127.0.0.1', auth: 'token' });
    for (const key of ['default_cli', 'mouse', 'default_spec_cli', 'branch_prefix', '[specs]', '[logging]', '[broker]', 'allow_remote', 'auth', '[worktree]', '[ports]', '[clis.my-agent]', '[presets.my-preset]']) {
      expect(text, key).toContain(`# ${key}`);
    }
    expect(text).not.toContain('--broker');
  });

  it('uncommenting the template examples gives a valid config', async () => {
    await init();
    const path = join(sandbox.repo, '.git-paw', 'config.toml');
    const uncommented = readFileSync(path, 'utf8').replace(/^# ((?:\[|[a-z_]+ = ).*)$/gm, '$1');
    writeFileSync(path, uncommented);
    const { config, warnings } = await loadConfig({ repoRoot: sandbox.repo, env: sandbox.env });
    expect(warnings).toEqual([]);
    expect(config.specs).toEqual({ dir: 'specs', type: 'openspec' });
    expect(config.presets['my-preset']).toEqual({ branches: ['feat/api', 'feat/ui'], cli: 'claude' });
    expect(brokerSettings(config)).toEqual({ enabled: true, port: 9119, bind: '127.0.0.1', allowRemote: false, auth: 'token', mcp: true, logLimit: 64 * 1024 * 1024 });
    expect(config.worktree).toEqual({ copy: ['.env'], link: ['node_modules/.cache'], setup: ['npm ci --prefer-offline'] });
    expect(config.ports).toEqual({ range: '3100-3999', per_agent: 10 });
  });

  it('initialises the main worktree when run inside a linked worktree', async () => {
    const linked = join(sandbox.root, 'proj-linked');
    sandbox.git(['worktree', 'add', '-q', '-b', 'feat/linked', linked]);
    expect((await init(linked)).stdout).toBe(CREATED_ALL);
    expect(existsSync(join(sandbox.repo, '.git-paw', 'config.toml'))).toBe(true);
    expect(existsSync(join(linked, '.git-paw'))).toBe(false);
  });
});
