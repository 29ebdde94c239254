// From spec to a worktree's AGENTS.md: scan real spec files,
// resolve the CLI, create a real linked worktree and inject the assignment.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeWorktreeAgentsMd } from '../../src/agents-md/write.js';
import { detectClis } from '../../src/clis/detect.js';
import { emptyConfig, type PawConfig } from '../../src/config/schema.js';
import { resolveRepo } from '../../src/git/repo.js';
import { assignSpecClis } from '../../src/specs/assign-cli.js';
import { scanSpecs } from '../../src/specs/scan.js';
import type { CommandRunner } from '../../src/util/exec.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

let sandbox: Sandbox;
let runner: CommandRunner;

beforeEach(() => {
  sandbox = createSandbox();
  sandbox.fakeCli('claude');
  runner = sandbox.runner;
});

afterEach(() => sandbox.cleanup());

const config: PawConfig = { ...emptyConfig(), specs: { dir: 'openspec/changes', type: 'openspec' } };

/** What a from-specs launch does per spec, minus tmux: worktree + AGENTS.md. Returns the file text. */
async function launchSpecs(): Promise<Map<string, string>> {
  const repo = await resolveRepo(runner, sandbox.repo);
  const { specs } = await scanSpecs(repo.root, config);
  const clis = detectClis(emptyConfig(), sandbox.bin).clis;
  const plan = await assignSpecClis({ specs, clis, pick: () => Promise.reject(new Error('Interactive prompt failed')) });
  const files = new Map<string, string>();
  for (const { spec, cli } of plan) {
    const worktree = join(sandbox.root, `proj-${spec.branch.replace(/\//g, '-')}`);
    sandbox.git(['worktree', 'add', '-q', '-b', spec.branch, worktree]);
    await writeWorktreeAgentsMd(runner, repo, worktree, { branch: spec.branch, cli: cli.name, specText: spec.prompt, ownedFiles: spec.ownedFiles });
    expect(sandbox.git(['status', '--porcelain'], worktree)).toBe('');
    files.set(spec.branch, readFileSync(join(worktree, 'AGENTS.md'), 'utf8'));
  }
  return files;
}

describe('spec assignment in AGENTS.md', () => {
  it('the Spec block holds the body only and File Ownership lists the owned files', async () => {
    sandbox.writeFile(
      'proj/openspec/changes/add-auth/tasks.md',
      '---\npaw_cli: claude\n---\n# Tasks\n\n- [ ] Implement login\n\nFiles owned:\n- src/a.rs\n- `src/b.rs`\n',
    );
    const text = (await launchSpecs()).get('spec/add-auth') ?? '';
    expect(text).toContain('- **Branch:** `spec/add-auth`\n- **CLI:** claude\n');
    expect(text).toContain('### Spec\n\n# Tasks\n\n- [ ] Implement login\n\nFiles owned:\n- src/a.rs\n- `src/b.rs`\n');
    expect(text).not.toContain('paw_cli');
    expect(text.split('\n')).not.toContain('---');
    expect(text).toContain('### File Ownership\n\n- `src/a.rs`\n- `src/b.rs`\n');
  });

  it('capability specs follow the tasks as "## Spec: <capability>" sections', async () => {
    sandbox.writeFile('proj/openspec/changes/add-auth/tasks.md', '---\npaw_cli: claude\n---\nTasks body\n');
    sandbox.writeFile('proj/openspec/changes/add-auth/specs/jwt/spec.md', 'Tokens expire after 1h.\n');
    const text = (await launchSpecs()).get('spec/add-auth') ?? '';
    expect(text).toContain('### Spec\n\nTasks body\n\n\n## Spec: jwt\n\nTokens expire after 1h.\n');
    expect(text).not.toContain('### File Ownership');
  });
});
