// CLI detection through `git paw list-clis`, plus:
// list-clis works outside a repository with the global config alone.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

let sandbox: Sandbox;
let env: NodeJS.ProcessEnv;




function listClis(cwd = sandbox.repo) {
  return runCli(['list-clis'], { cwd, env });
}

beforeEach(() => {
  sandbox = createSandbox();
  env = { ...sandbox.env, PATH: sandbox.isolatedPath() };
});

afterEach(() => sandbox.cleanup());

describe('list-clis', () => {
  it('lists detected CLIs sorted by display name with their paths', async () => {
    sandbox.fakeCli('claude');
    sandbox.fakeCli('aider');
    const result = await listClis();
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      [
        'NAME            SOURCE     PATH',
        `aider           detected   ${join(sandbox.bin, 'aider')}`,
        `claude          detected   ${join(sandbox.bin, 'claude')}`,
        '',
      ].join('\n'),
    );
  });

  it('says so when no CLI is found', async () => {
    const result = await listClis();
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('No AI CLIs found.\nInstall one or use `git paw add-cli` to register a custom CLI.\n');
  });

  it('warns about a custom CLI that is not found and leaves it out', async () => {
    sandbox.fakeCli('claude');
    sandbox.writeRepoConfig('[clis.ghost]\ncommand = "/nonexistent/ghost"\n');
    const result = await listClis();
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("warning: custom CLI 'ghost' not found at '/nonexistent/ghost', skipping\n");
    expect(result.stdout).not.toContain('ghost');
    expect(result.stdout).toContain('claude');
  });

  it('shows one custom row for a custom CLI that shadows a detected one', async () => {
    sandbox.fakeCli('claude');
    sandbox.writeRepoConfig('[clis.claude]\ncommand = "claude"\ndisplay_name = "My Claude"\n');
    const result = await listClis();
    const rows = result.stdout.split('\n').filter((line) => line.startsWith('claude'));
    expect(rows).toEqual([`claude          custom     ${join(sandbox.bin, 'claude')}`]);
  });

  it('orders detected and custom CLIs together', async () => {
    sandbox.fakeCli('qwen');
    sandbox.fakeCli('aider');
    const zebra = sandbox.fakeCli('zebra-bin');
    sandbox.writeGlobalConfig(`[clis.zebra]\ncommand = "${zebra}"\n`);
    const result = await listClis();
    const names = result.stdout.split('\n').slice(1).filter(Boolean).map((line) => line.split(/\s+/)[0]);
    expect(names).toEqual(['aider', 'qwen', 'zebra']);
  });

  it('works outside a repository with the global config only', async () => {
    sandbox.fakeCli('codex');
    const outside = join(sandbox.root, 'elsewhere');
    mkdirSync(outside);
    sandbox.writeGlobalConfig('[clis.mine]\ncommand = "codex"\n');
    sandbox.writeRepoConfig('[clis.repo-only]\ncommand = "codex"\n');
    const result = await listClis(outside);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'NAME            SOURCE     PATH',
        `codex           detected   ${join(sandbox.bin, 'codex')}`,
        `mine            custom     ${join(sandbox.bin, 'codex')}`,
        '',
      ].join('\n'),
    );
  });

  it('uses the repo config from a subdirectory of the repo', async () => {
    sandbox.fakeCli('codex');
    sandbox.writeRepoConfig('[clis.repo-only]\ncommand = "codex"\n');
    const sub = join(sandbox.repo, 'src', 'deep');
    mkdirSync(sub, { recursive: true });
    expect((await listClis(sub)).stdout).toContain('repo-only');
  });
});
