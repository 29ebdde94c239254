// Clear errors, nothing half-made: every refusal is one `error:` line with a `hint:` where one
// helps, names the file it is about, and leaves nothing behind — run through the built CLI in a
// sandbox repo with the broker on, real git and a private tmux server.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { skipWithoutTmux } from '../helpers/tmux.js';
import { enableBroker } from '../helpers/broker-session.js';
import { expectNothingCreated, paw, pawOk } from '../helpers/lifecycle.js';

describe.skipIf(skipWithoutTmux)('clear errors', () => {
  let sandbox: Sandbox;
  let configPath: string;
  beforeEach(async () => {
    sandbox = createSandbox();
    sandbox.fakeCli('claude');
    await enableBroker(sandbox);
    configPath = join(sandbox.repo, '.git-paw', 'config.toml');
  });
  afterEach(() => sandbox.cleanup());

  /** The repo config: the broker table the sandbox got, then `extra`. */
  function appendToConfig(extra: string | Buffer): void {
    writeFileSync(configPath, extra, { flag: 'a' });
  }

  it('start with no choices and no terminal is a usage error whose hint names the flags', async () => {
    const result = await paw(sandbox, ['start']);
    expect(result).toMatchObject({
      code: 2,
      stderr:
        'error: Interactive prompt failed: cannot prompt without a terminal\nhint: pass --branches and --cli (or --preset)\n',
    });
    expectNothingCreated(sandbox);
  });

  it('a config value of the wrong type names file, line and key, with a hint', async () => {
    writeFileSync(configPath, `mouse = "yes"\n${readFileSync(configPath, 'utf8')}`);
    const result = await paw(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: Config error: ${configPath}: line 1: mouse: expected a boolean, got a string\n` +
        "hint: fix or remove 'mouse'; the README's configuration section lists every key and its type\n",
    );
    expectNothingCreated(sandbox);
  });

  it('a TOML syntax error names file and line, with a hint', async () => {
    appendToConfig('mouse = \n');
    const result = await paw(sandbox, ['start', '--dry-run', '--cli', 'claude', '--branches', 'feat/a']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^error: Config error: ${configPath}: line 4: .*\nhint: fix the TOML syntax`),
    );
  });

  it('refuses a config file over 1 MiB at once', async () => {
    appendToConfig(`# ${'x'.repeat(1024 * 1024)}\n`);
    const result = await paw(sandbox, ['start', '--dry-run', '--cli', 'claude', '--branches', 'feat/a']);
    expect(result).toMatchObject({
      code: 1,
      stderr: `error: Config error: ${configPath}: the file is larger than 1 MiB, the limit for a config file\nhint: a config file holds a few settings; check that this is the file you meant\n`,
    });
  });

  it('refuses a config file that is not UTF-8, naming the line', async () => {
    appendToConfig(Buffer.from([0x23, 0x20, 0xff, 0xfe, 0x0a]));
    const result = await paw(sandbox, ['start', '--dry-run', '--cli', 'claude', '--branches', 'feat/a']);
    expect(result).toMatchObject({
      code: 1,
      stderr: `error: Config error: ${configPath}: line 4: not valid UTF-8\nhint: save the file as UTF-8\n`,
    });
  });

  it('names a bare repository as such', async () => {
    const bare = join(sandbox.root, 'bare.git');
    execFileSync('git', ['init', '-q', '--bare', bare], { env: sandbox.env });
    const result = await paw(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a'], { cwd: bare });
    expect(result).toMatchObject({
      code: 1,
      stderr: `error: '${bare}' is a bare git repository (it has no working tree)\nhint: run git-paw in a clone with a working tree, e.g. \`git clone <this repository> <dir>\`\n`,
    });
  });

  it('names the spec file whose frontmatter has too many YAML aliases', async () => {
    appendToConfig('[specs]\ntype = "markdown"\n');
    const aliases = (name: string, count: number) =>
      `[${Array.from({ length: count }, () => `*${name}`).join(', ')}]`;
    sandbox.writeFile(
      'proj/specs/bomb.md',
      `---\npaw_status: pending\na: &a [x, x]\nb: &b ${aliases('a', 10)}\nc: &c ${aliases('b', 10)}\nd: ${aliases('c', 10)}\n---\nBody\n`,
    );
    const result = await paw(sandbox, ['start', '--from-specs', '--cli', 'claude']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error: Spec error: invalid frontmatter in \S*bomb\.md: Excessive alias count.*\nhint: /,
    );
    expectNothingCreated(sandbox);
  });

  it('init that cannot finish removes what it created', async () => {
    mkdirSync(join(sandbox.repo, '.gitignore'));
    const result = await paw(sandbox, ['init'], { cwd: sandbox.repo });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: Init error: failed to read .*\.gitignore: /);
    // The repo config of this test existed before init and stays; nothing else was left.
    expect(existsSync(join(sandbox.repo, '.git-paw', 'logs'))).toBe(false);
    expect(existsSync(configPath)).toBe(true);
  });

  it('init in a fresh repo leaves no .git-paw behind when it cannot finish', async () => {
    const fresh = createSandbox();
    try {
      mkdirSync(join(fresh.repo, '.gitignore'));
      const result = await paw(fresh, ['init']);
      expect(result.code).toBe(1);
      expect(existsSync(join(fresh.repo, '.git-paw'))).toBe(false);
    } finally {
      fresh.cleanup();
    }
  });

  for (const name of ['@', '#', '!!']) {
    it(`refuses --branches '${name}' (no usable worktree name) before anything is made`, async () => {
      for (const args of [['--dry-run'], ['--no-attach']]) {
        const result = await paw(sandbox, [
          'start',
          ...args,
          '--cli',
          'claude',
          '--branches',
          `feat/a,${name}`,
        ]);
        expect(result).toMatchObject({
          code: 1,
          stderr: `error: Branch error: branch '${name}' leaves nothing to name its worktree directory after\nhint: use a branch name with at least one letter, digit, \`-\`, \`_\` or \`.\`\n`,
        });
        expectNothingCreated(sandbox);
      }
    });
  }

  it("start --dry-run on a running session prints that session's plan and says it is running", async () => {
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/b', '--no-attach']);
    const result = await paw(sandbox, ['start', '--dry-run']);
    expect(result).toMatchObject({
      code: 0,
      stdout:
        "Dry run — session 'paw-proj' is running; `git paw start` reattaches to it:\n\n" +
        '  Session:  paw-proj\n  Mouse:    on\n\n' +
        '  feat/a → claude (../proj-feat-a)\n  feat/b → claude (../proj-feat-b)\n',
      stderr: '',
    });
    expect(await paw(sandbox, ['stop'])).toMatchObject({ code: 0 });
    expect((await paw(sandbox, ['start', '--dry-run'])).stdout).toContain(
      "Dry run — session 'paw-proj' is stopped; `git paw start` recovers it:",
    );
  });
});
