// `start --from-specs` through the built CLI, including the fixes over 0.3.0.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { pollUntil } from '../helpers/poll.js';
import { skipWithoutTmux } from '../helpers/tmux.js';
import { expectNothingCreated, paw, pawOk, readState, worktreeDir } from '../helpers/lifecycle.js';

let sandbox: Sandbox;

beforeEach(() => {
  sandbox = createSandbox({ broker: false });
  sandbox.fakeCli('claude');
  sandbox.fakeCli('gemini');
});
afterEach(() => sandbox.cleanup());


function markdownSpec(name: string, frontmatter: string, body = 'Do the thing.\n'): void {
  sandbox.writeFile(`proj/specs/${name}`, `---\n${frontmatter}\n---\n${body}`);
}

describe('start --from-specs', () => {
  it('without a [specs] section it fails naming [specs] and creates nothing', async () => {
    const result = await paw(sandbox, ['start', '--from-specs', '--cli', 'claude']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[specs]');
    expectNothingCreated(sandbox);
  });

  it('an empty spec dir prints "No pending specs found." and exits 0', async () => {
    sandbox.writeRepoConfig('[specs]\ndir = "openspec/changes"\ntype = "openspec"\n');
    sandbox.writeFile('proj/openspec/changes/.keep', '');
    const result = await pawOk(sandbox, ['start', '--from-specs']);
    expect(result.stdout).toBe('No pending specs found.\n');
    expectNothingCreated(sandbox);
  });

  it('the dry run uses the "(from specs)" header and derived branches', async () => {
    sandbox.writeRepoConfig('[specs]\ndir = "openspec/changes"\n');
    sandbox.writeFile('proj/openspec/changes/add-auth/tasks.md', 'Implement authentication\n');
    const result = await pawOk(sandbox, ['start', '--from-specs', '--dry-run', '--cli', 'claude']);
    expect(result.stdout).toContain('Dry run — session plan (from specs):');
    expect(result.stdout).toContain('  spec/add-auth → claude (../proj-spec-add-auth)');
    expectNothingCreated(sandbox);
  });

  it('paw_cli and default_spec_cli assign CLIs without a prompt, in spec-id order', async () => {
    sandbox.writeRepoConfig('default_spec_cli = "claude"\n[specs]\ntype = "markdown"\n');
    markdownSpec('a.md', 'paw_status: pending');
    markdownSpec('b.md', 'paw_status: "pending"\npaw_cli: "gemini"');
    const result = await pawOk(sandbox, ['start', '--from-specs', '--dry-run']);
    const lines = result.stdout.split('\n').filter((line) => line.includes(' → '));
    expect(lines).toEqual(['  spec/a → claude (../proj-spec-a)', '  spec/b → gemini (../proj-spec-b)']);
  });

  it('unknown CLIs from paw_cli or --cli fail with the upstream message', async () => {
    sandbox.writeRepoConfig('[specs]\ntype = "markdown"\n');
    markdownSpec('a.md', 'paw_status: pending\npaw_cli: nonexistent');
    const own = await paw(sandbox, ['start', '--from-specs', '--dry-run']);
    expect(own.code).toBe(1);
    expect(own.stderr).toContain("CLI 'nonexistent' not found in config");
    const flag = await paw(sandbox, ['start', '--from-specs', '--dry-run', '--cli', 'nope']);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toContain("CLI 'nope' not found in config");
  });

  it('no CLI source and no terminal fails with "Interactive prompt failed"', async () => {
    sandbox.writeRepoConfig('[specs]\ntype = "markdown"\n');
    markdownSpec('a.md', 'paw_status: pending');
    const result = await paw(sandbox, ['start', '--from-specs']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Interactive prompt failed');
    expect(result.stderr).toContain('hint: pass --cli');
    expectNothingCreated(sandbox);
  });

  it('two specs deriving the same branch are refused before anything is created', async () => {
    sandbox.writeRepoConfig('[specs]\ntype = "markdown"\n');
    markdownSpec('a.md', 'paw_status: pending\npaw_branch: same');
    markdownSpec('b.md', 'paw_status: pending\npaw_branch: same');
    const result = await paw(sandbox, ['start', '--from-specs', '--cli', 'claude']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/a\.md.*b\.md|b\.md.*a\.md/);
    expectNothingCreated(sandbox);
  });
});

describe.skipIf(skipWithoutTmux)('start --from-specs launches', () => {
  it('AGENTS.md carries the spec and owned files, and the pane is logged', async () => {
    sandbox.writeRepoConfig('[logging]\nenabled = true\n[specs]\ndir = "openspec/changes"\n');
    sandbox.fakeCli('claude', '#!/bin/sh\nprintf "HELLO\\033[31mRED\\033[0m\\n"\nexec sleep 3600\n');
    sandbox.writeFile(
      'proj/openspec/changes/add-auth/tasks.md',
      '---\npaw_cli: claude\n---\nBuild the login.\n\nFiles owned:\n- src/a.rs\n* `src/b.rs`\n',
    );
    const result = await pawOk(sandbox, ['start', '--from-specs']);
    expect(result.stdout).toContain("Session 'paw-proj' is running");

    const agents = readFileSync(join(worktreeDir(sandbox, 'spec-add-auth'), 'AGENTS.md'), 'utf8');
    expect(agents).toContain('### Spec\n\nBuild the login.');
    expect(agents).not.toContain('paw_cli');
    expect(agents).toContain('### File Ownership\n\n- `src/a.rs`\n- `src/b.rs`');
    expect(readState(sandbox).worktrees.map((w) => [w.branch, w.cli, w.branch_created])).toEqual([
      ['spec/add-auth', 'claude', true],
    ]);

    const log = join(sandbox.repo, '.git-paw', 'logs', 'paw-proj', 'spec--add-auth.log');
    const text = await pollUntil(
      () => (existsSync(log) ? readFileSync(log, 'utf8') : ''),
      (content) => content.includes('HELLO'),
      { what: 'the pane log to receive the CLI output' },
    );
    expect(text).toContain('\u001b[31mRED');
  });
});
