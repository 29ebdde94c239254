import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { globalConfigPath, loadConfig, repoConfigPath } from '../../src/config/load.js';
import { emptyConfig } from '../../src/config/schema.js';
import { ConfigError } from '../../src/util/errors.js';

let root: string;
let env: NodeJS.ProcessEnv;
let repo: string;

function write(path: string, content: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'paw-config-'));
  env = { HOME: join(root, 'home'), XDG_CONFIG_HOME: join(root, 'xdg') };
  repo = join(root, 'repo');
  mkdirSync(repo);
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('config paths', () => {
  it('puts the global file under the XDG config dir and the repo file under .git-paw', () => {
    expect(globalConfigPath(env)).toBe(join(root, 'xdg', 'git-paw', 'config.toml'));
    expect(repoConfigPath('/r')).toBe('/r/.git-paw/config.toml');
  });

  it('fails with a Config error when no config dir can be determined', () => {
    expect(() => globalConfigPath({})).toThrow('Config error: could not determine config directory');
  });
});

describe('loadConfig', () => {
  it('returns defaults when no file exists', async () => {
    expect(await loadConfig({ repoRoot: repo, env })).toEqual({ config: emptyConfig(), warnings: [] });
  });

  it('overlays the repo file on the global file', async () => {
    write(globalConfigPath(env), 'mouse = false\n[clis.a]\ncommand = "/bin/true"\n');
    write(repoConfigPath(repo), '[clis.b]\ncommand = "/bin/true"\n');
    const { config } = await loadConfig({ repoRoot: repo, env });
    expect(config.mouse).toBe(false);
    expect(Object.keys(config.clis).sort()).toEqual(['a', 'b']);
  });

  it('reads only the global file without a repo root', async () => {
    write(globalConfigPath(env), 'default_cli = "claude"\n');
    write(repoConfigPath(repo), 'default_cli = "codex"\n');
    expect((await loadConfig({ env })).config.default_cli).toBe('claude');
  });

  it('returns unknown-key warnings of both files, global first', async () => {
    write(globalConfigPath(env), 'brokr = 1\n');
    write(repoConfigPath(repo), '[broker]\nprot = 1\n');
    expect((await loadConfig({ repoRoot: repo, env })).warnings).toEqual([
      `unknown key 'brokr' in ${globalConfigPath(env)}`,
      `unknown key 'broker.prot' in ${repoConfigPath(repo)}`,
    ]);
  });

  it('names the repo file in a parse error', async () => {
    write(repoConfigPath(repo), 'this is not [valid toml');
    await expect(loadConfig({ repoRoot: repo, env })).rejects.toThrow(`Config error: ${repoConfigPath(repo)}: line 1:`);
  });

  it('reports a config path that is a directory', async () => {
    mkdirSync(globalConfigPath(env), { recursive: true });
    await expect(loadConfig({ env })).rejects.toThrow(`Config error: ${globalConfigPath(env)}: cannot read: is a directory, not a file`);
  });

  it.skipIf(process.getuid?.() === 0)('reports an unreadable file with its path', async () => {
    write(globalConfigPath(env), 'mouse = true\n');
    chmodSync(globalConfigPath(env), 0o000);
    const error: unknown = await loadConfig({ env }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(`Config error: ${globalConfigPath(env)}: cannot read: permission denied`);
  });
});
