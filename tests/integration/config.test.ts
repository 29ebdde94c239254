// Configuration that needs no launch (config files, add-cli, remove-cli), and bad config input,
// through the built CLI.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

let sandbox: Sandbox;
let env: NodeJS.ProcessEnv;
let outside: string;
let globalPath: string;




function paw(args: string[], cwd = sandbox.repo) {
  return runCli(args, { cwd, env });
}

beforeEach(() => {
  sandbox = createSandbox();
  env = { ...sandbox.env, PATH: sandbox.isolatedPath() };
  outside = join(sandbox.root, 'outside');
  mkdirSync(outside);
  globalPath = join(sandbox.home, '.config', 'git-paw', 'config.toml');
});

afterEach(() => sandbox.cleanup());

describe('config files seen by list-clis', () => {
  it('fails on an invalid repo config, naming the file', async () => {
    sandbox.writeRepoConfig('this is not [valid toml');
    const result = await paw(['list-clis']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: Config error: ${join(sandbox.repo, '.git-paw', 'config.toml')}: line 1: illegal character in key\nhint: fix the TOML syntax there (strings need quotes, tables [brackets])\n`);
    expect(result.stdout).toBe('');
  });

  it('lists custom CLIs from both files', async () => {
    sandbox.writeGlobalConfig('[clis.a]\ncommand = "/bin/true"\n');
    sandbox.writeRepoConfig('[clis.b]\ncommand = "/bin/true"\n');
    const result = await paw(['list-clis']);
    expect(result.stdout).toContain('a               custom     /bin/true\n');
    expect(result.stdout).toContain('b               custom     /bin/true\n');
  });

  it('shows the repo command when both files define the same CLI', async () => {
    const globalBin = sandbox.fakeCli('x-global');
    const repoBin = sandbox.fakeCli('x-repo');
    sandbox.writeGlobalConfig(`[clis.x]\ncommand = "${globalBin}"\n`);
    sandbox.writeRepoConfig(`[clis.x]\ncommand = "${repoBin}"\n`);
    const result = await paw(['list-clis']);
    expect(result.stdout).toContain(`x               custom     ${repoBin}\n`);
    expect(result.stdout).not.toContain(globalBin);
  });

  it('reports a wrong type with file, line and key, and exit 1', async () => {
    sandbox.writeGlobalConfig('default_cli = "claude"\nmouse = "yes"\n');
    const result = await paw(['list-clis']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: Config error: ${globalPath}: line 2: mouse: expected a boolean, got a string\nhint: fix or remove 'mouse'; the README's configuration section lists every key and its type\n`);
  });

  it('reports a port out of range and preset branches that are not a list', async () => {
    sandbox.writeRepoConfig('[broker]\nport = 70000\n');
    expect((await paw(['list-clis'])).stderr).toContain('line 2: broker.port: expected a port number between 1 and 65535, got 70000');
    sandbox.writeRepoConfig('[presets.be]\nbranches = "a"\ncli = "claude"\n');
    expect((await paw(['list-clis'])).stderr).toContain("line 2: presets.be.branches: expected an array, got a string");
  });

  it('reports a [worktree] path that is not below the repository root, or is git\'s own directory', async () => {
    const expected = 'expected a path inside the repository, relative to its root (no leading "/", no "..", not the root itself or .git)';
    for (const [key, path] of [['copy', '../outside'], ['copy', '/etc/hosts'], ['link', './'], ['link', '.git/hooks']]) {
      sandbox.writeRepoConfig(`[worktree]\n${key} = ["${path}"]\n`);
      expect((await paw(['list-clis'])).stderr).toContain(`line 2: worktree.${key}.0: ${expected}\n`);
    }
  });

  it('reports a missing required sub-key', async () => {
    sandbox.writeRepoConfig('[clis.x]\ndisplay_name = "X"\n');
    const result = await paw(['list-clis']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("line 1: clis.x: missing required key 'command'");
  });

  it('warns about unknown keys on stderr and still works', async () => {
    sandbox.fakeCli('claude');
    sandbox.writeGlobalConfig('mouze = false\n');
    sandbox.writeRepoConfig('[broker]\nprot = 9119\n');
    const result = await paw(['list-clis']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `warning: unknown key 'mouze' in ${globalPath}\n` +
        `warning: unknown key 'broker.prot' in ${join(sandbox.repo, '.git-paw', 'config.toml')}\n`,
    );
    expect(result.stdout).toContain('claude');
  });

  it('reports an unreadable config file with its path', async () => {
    mkdirSync(join(sandbox.repo, '.git-paw', 'config.toml'), { recursive: true });
    const result = await paw(['list-clis']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: Config error: ${join(sandbox.repo, '.git-paw', 'config.toml')}: cannot read`);
  });
});

describe('add-cli', () => {
  it('stores the absolute path of a command found on PATH, outside any repo', async () => {
    const fake = sandbox.fakeCli('my-agent');
    const result = await paw(['add-cli', 'my-agent', 'my-agent', '--display-name', 'My Agent'], outside);
    expect(result).toMatchObject({ code: 0, stdout: "Added custom CLI 'my-agent'.\n", stderr: '' });
    expect(parse(readFileSync(globalPath, 'utf8'))).toEqual({ clis: { 'my-agent': { command: fake, display_name: 'My Agent' } } });
    expect(readFileSync(globalPath, 'utf8')).not.toContain('[broker]');
  });

  it('fails for a command not on PATH and leaves the config unchanged', async () => {
    sandbox.writeGlobalConfig('# keep me\nmouse = false\n');
    const result = await paw(['add-cli', 'ghost', 'surely-not-on-path-xyz']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "error: Config error: command 'surely-not-on-path-xyz' not found on PATH\nhint: install it first, or give its absolute path\n",
    );
    expect(readFileSync(globalPath, 'utf8')).toBe('# keep me\nmouse = false\n');
  });

  it('does not create a config file when it fails', async () => {
    expect((await paw(['add-cli', 'ghost', 'surely-not-on-path-xyz'])).code).toBe(1);
    expect(existsSync(globalPath)).toBe(false);
  });

  it('stores a missing absolute path verbatim with a warning', async () => {
    const result = await paw(['add-cli', 'abs', '/does/not/exist']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("Added custom CLI 'abs'.\n");
    expect(result.stderr).toBe("warning: '/does/not/exist' does not exist (stored anyway)\n");
    expect(parse(readFileSync(globalPath, 'utf8'))).toEqual({ clis: { abs: { command: '/does/not/exist' } } });
  });

  it('keeps comments, order, unknown keys and other tables of the global file', async () => {
    const original = '# my settings\nmouse = false # no mouse\nfuture_key = 1\n\n[broker]\nenabled = true\n\n# presets\n[presets.be]\nbranches = ["a"]\ncli = "claude"\n';
    sandbox.writeGlobalConfig(original);
    const fake = sandbox.fakeCli('helper');
    expect((await paw(['add-cli', 'helper', 'helper'])).code).toBe(0);
    expect(readFileSync(globalPath, 'utf8')).toBe(`${original}\n[clis.helper]\ncommand = "${fake}"\n`);
    expect((await paw(['remove-cli', 'helper'])).code).toBe(0);
    expect(readFileSync(globalPath, 'utf8')).toBe(original);
  });

  it('add-cli warns about unknown keys of the global file before storing the entry', async () => {
    sandbox.writeGlobalConfig('future_key = 1\n');
    const fake = sandbox.fakeCli('helper');
    const result = await paw(['add-cli', 'helper', 'helper']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`warning: unknown key 'future_key' in ${globalPath}\n`);
    expect(readFileSync(globalPath, 'utf8')).toBe(`future_key = 1\n\n[clis.helper]\ncommand = "${fake}"\n`);
  });

  it('refuses to edit a global config that does not parse', async () => {
    sandbox.writeGlobalConfig('this is not [valid toml');
    sandbox.fakeCli('helper');
    const result = await paw(['add-cli', 'helper', 'helper']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: Config error: ${globalPath}: line 1:`);
    expect(readFileSync(globalPath, 'utf8')).toBe('this is not [valid toml');
  });

  it('overwrites an existing entry of the same name', async () => {
    const first = sandbox.fakeCli('one');
    const second = sandbox.fakeCli('two');
    await paw(['add-cli', 'x', first]);
    await paw(['add-cli', 'x', second, '--display-name', 'X']);
    expect(parse(readFileSync(globalPath, 'utf8'))).toEqual({ clis: { x: { command: second, display_name: 'X' } } });
  });
});

describe('remove-cli', () => {
  it('removes one custom CLI and keeps the other', async () => {
    sandbox.writeGlobalConfig('[clis.one]\ncommand = "/bin/true"\n\n[clis.two]\ncommand = "/bin/false"\n');
    const result = await paw(['remove-cli', 'one']);
    expect(result).toMatchObject({ code: 0, stdout: "Removed custom CLI 'one'.\n" });
    expect(readFileSync(globalPath, 'utf8')).toBe('[clis.two]\ncommand = "/bin/false"\n');
  });

  it('fails for a name that is not in the global config', async () => {
    const result = await paw(['remove-cli', 'nothing-here']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("error: CLI 'nothing-here' not found in config\n");
    expect(existsSync(globalPath)).toBe(false);
  });

  it('explains in one sentence that a detected CLI cannot be removed', async () => {
    sandbox.fakeCli('claude');
    for (const cwd of [sandbox.repo, outside]) {
      const result = await paw(['remove-cli', 'claude'], cwd);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe("error: 'claude' is an auto-detected CLI, not a custom one; nothing to remove\n");
    }
  });

  it('points at the repo config when the CLI is defined only there', async () => {
    sandbox.writeRepoConfig('[clis.local]\ncommand = "/bin/true"\n');
    const result = await paw(['remove-cli', 'local']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: CLI 'local' not found in config\nhint: 'local' is defined in ${join(sandbox.repo, '.git-paw', 'config.toml')}; remove it there\n`,
    );
  });
});
