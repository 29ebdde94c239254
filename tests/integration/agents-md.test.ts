// AGENTS.md injection against real repositories and real linked worktrees:
// content, idempotency, and that git never sees the generated file.
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { END_MARKER, START_MARKER } from '../../src/agents-md/section.js';
import { EXCLUDE_ENTRY, removeAgentsMdExclude } from '../../src/agents-md/exclude.js';
import { writeWorktreeAgentsMd, writeWorktreesAgentsMd } from '../../src/agents-md/write.js';
import { resolveRepo, type RepoInfo } from '../../src/git/repo.js';
import { AgentsMdError } from '../../src/util/errors.js';
import type { CommandRunner } from '../../src/util/exec.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

let sandbox: Sandbox;
let runner: CommandRunner;
let repo: RepoInfo;

beforeEach(async () => {
  sandbox = createSandbox();
  // Real git, with the sandbox's isolated HOME (no user-level excludes file or config).
  runner = sandbox.runner;
  repo = await resolveRepo(runner, sandbox.repo);
});

afterEach(() => sandbox.cleanup());

function rootFile(name = 'AGENTS.md'): string {
  return join(sandbox.repo, name);
}

function commitRootAgentsMd(content: string): void {
  writeFileSync(rootFile(), content);
  sandbox.git(['add', 'AGENTS.md']);
  sandbox.git(['commit', '-q', '-m', 'agents']);
}

/** Creates a linked worktree beside the repo, like a launch does (new branch from HEAD unless it exists). */
function addWorktree(branch: string): string {
  const path = join(sandbox.root, `proj-${branch.replace(/\//g, '-')}`);
  const exists = sandbox.git(['branch', '--list', branch]) !== '';
  sandbox.git(exists ? ['worktree', 'add', '-q', path, branch] : ['worktree', 'add', '-q', '-b', branch, path]);
  return path;
}

function read(path: string): string {
  return readFileSync(join(path, 'AGENTS.md'), 'utf8');
}

function porcelain(cwd: string): string {
  return sandbox.git(['status', '--porcelain', '--untracked-files=all'], cwd);
}

function stagedAfterAddAll(cwd: string): string {
  sandbox.git(['add', '-A'], cwd);
  return sandbox.git(['diff', '--cached', '--name-only'], cwd);
}

function countStarts(text: string): number {
  return text.split('\n').filter((line) => line.startsWith('<!-- git-paw:start')).length;
}

describe('tracked root AGENTS.md', () => {
  it('puts the branch section after the rules and keeps it out of status and git add -A', async () => {
    commitRootAgentsMd('# Rules\n');
    const before = readFileSync(rootFile());
    const wt = addWorktree('feat/a');
    await writeWorktreeAgentsMd(runner, repo, wt, { branch: 'feat/a', cli: 'claude' });

    const text = read(wt);
    expect(text.startsWith(`# Rules\n\n${START_MARKER}\n`)).toBe(true);
    expect(text).toContain('- **Branch:** `feat/a`');
    expect(text).toContain('- **CLI:** claude');
    expect(text.endsWith(`${END_MARKER}\n`)).toBe(true);
    expect(porcelain(wt)).toBe('');
    expect(stagedAfterAddAll(wt)).toBe('');
    expect(readFileSync(rootFile()).equals(before)).toBe(true);
    expect(porcelain(sandbox.repo)).toBe('');
  });

  it('survives git stash and reset --hard in the worktree, and commits never include it', async () => {
    commitRootAgentsMd('# Rules\n');
    const wt = addWorktree('feat/a');
    await writeWorktreeAgentsMd(runner, repo, wt, { branch: 'feat/a', cli: 'claude' });
    const injected = read(wt);

    writeFileSync(join(wt, 'README.md'), 'changed\n');
    sandbox.git(['stash', '-q'], wt);
    expect(read(wt)).toBe(injected);
    sandbox.git(['stash', 'pop', '-q'], wt);
    sandbox.git(['reset', '-q', '--hard'], wt);
    expect(read(wt)).toBe(injected);

    writeFileSync(join(wt, 'work.txt'), 'agent work\n');
    sandbox.git(['add', '-A'], wt);
    sandbox.git(['commit', '-q', '-m', 'agent work'], wt);
    expect(sandbox.git(['show', '--name-only', '--format=', 'HEAD'], wt)).toBe('work.txt');
    expect(sandbox.git(['show', 'HEAD:AGENTS.md'], wt)).toBe('# Rules');
  });

  it("uses the branch's own committed AGENTS.md, not main's", async () => {
    commitRootAgentsMd('# Main rules\n');
    sandbox.git(['checkout', '-q', '-b', 'feat/own']);
    writeFileSync(rootFile(), '# Branch rules\n');
    sandbox.git(['commit', '-q', '-am', 'branch rules']);
    sandbox.git(['checkout', '-q', 'main']);
    const before = readFileSync(rootFile());

    const wt = addWorktree('feat/own');
    await writeWorktreeAgentsMd(runner, repo, wt, { branch: 'feat/own', cli: 'codex' });
    expect(read(wt).startsWith(`# Branch rules\n\n${START_MARKER}`)).toBe(true);
    expect(read(wt)).not.toContain('Main rules');
    expect(porcelain(wt)).toBe('');
    expect(readFileSync(rootFile()).equals(before)).toBe(true);
  });

  it('re-injection (recovery) reads the committed text again and yields exactly one section', async () => {
    commitRootAgentsMd('# Rules\n');
    const wt = addWorktree('feat/a');
    await writeWorktreeAgentsMd(runner, repo, wt, { branch: 'feat/a', cli: 'claude' });
    await writeWorktreeAgentsMd(runner, repo, wt, { branch: 'feat/a', cli: 'gemini', ownedFiles: ['src/x.ts'] });
    const text = read(wt);
    expect(countStarts(text)).toBe(1);
    expect(text).toContain('- **CLI:** gemini');
    expect(text).not.toContain('- **CLI:** claude');
    expect(text.startsWith('# Rules\n\n')).toBe(true);
    expect(porcelain(wt)).toBe('');
  });

  it('follows a committed AGENTS.md symlink for the base text and leaves its target alone', async () => {
    writeFileSync(rootFile('CLAUDE.md'), '# Shared rules\n');
    symlinkSync('CLAUDE.md', rootFile());
    sandbox.git(['add', 'CLAUDE.md', 'AGENTS.md']);
    sandbox.git(['commit', '-q', '-m', 'linked rules']);
    const wt = addWorktree('feat/link');
    await writeWorktreeAgentsMd(runner, repo, wt, { branch: 'feat/link', cli: 'claude' });
    expect(read(wt).startsWith(`# Shared rules\n\n${START_MARKER}`)).toBe(true);
    expect(readFileSync(join(wt, 'CLAUDE.md'), 'utf8')).toBe('# Shared rules\n');
    expect(porcelain(wt)).toBe('');
  });

  it('falls back to assume-unchanged where sparse-checkout clears skip-worktree', async () => {
    commitRootAgentsMd('# Rules\n');
    sandbox.git(['sparse-checkout', 'set', '--no-cone', '/*']);
    const wt = addWorktree('feat/sparse');
    await writeWorktreeAgentsMd(runner, repo, wt, { branch: 'feat/sparse', cli: 'claude' });
    expect(read(wt)).toContain('`feat/sparse`');
    expect(porcelain(wt)).toBe('');
    expect(stagedAfterAddAll(wt)).toBe('');
  });
});

describe('no tracked AGENTS.md', () => {
  it('writes only the section and git status shows nothing, not even ?? AGENTS.md', async () => {
    const wt = addWorktree('feat/a');
    await writeWorktreeAgentsMd(runner, repo, wt, { branch: 'feat/a', cli: 'claude' });
    expect(read(wt).startsWith(START_MARKER)).toBe(true);
    expect(porcelain(wt)).toBe('');
    expect(stagedAfterAddAll(wt)).toBe('');
    expect(existsSync(rootFile())).toBe(false);
    expect(porcelain(sandbox.repo)).toBe('');
  });

  it('adds one anchored exclude entry to the common dir, creating info/ and keeping existing lines', async () => {
    rmSync(join(repo.commonDir, 'info'), { recursive: true, force: true });
    const first = addWorktree('feat/a');
    await writeWorktreeAgentsMd(runner, repo, first, { branch: 'feat/a', cli: 'claude' });
    const exclude = join(repo.commonDir, 'info', 'exclude');
    expect(readFileSync(exclude, 'utf8').split('\n')).toContain(EXCLUDE_ENTRY);

    writeFileSync(exclude, `${readFileSync(exclude, 'utf8')}*.log`); // user line, no final newline
    const second = addWorktree('feat/b');
    await writeWorktreeAgentsMd(runner, repo, second, { branch: 'feat/b', cli: 'claude' });
    await writeWorktreeAgentsMd(runner, repo, first, { branch: 'feat/a', cli: 'claude' });
    const lines = readFileSync(exclude, 'utf8').split('\n');
    expect(lines.filter((line) => line === EXCLUDE_ENTRY)).toHaveLength(1);
    expect(lines).toContain('*.log');
    expect(porcelain(second)).toBe('');
  });

  it('handles concurrent set-up of several worktrees without duplicating the entry', async () => {
    const paths = ['a', 'b', 'c'].map((name) => addWorktree(`feat/${name}`));
    await Promise.all(paths.map((wt, i) => writeWorktreeAgentsMd(runner, repo, wt, { branch: `feat/${i}`, cli: 'x' })));
    const lines = readFileSync(join(repo.commonDir, 'info', 'exclude'), 'utf8').split('\n');
    expect(lines.filter((line) => line === EXCLUDE_ENTRY)).toHaveLength(1);
    for (const wt of paths) expect(porcelain(wt)).toBe('');
  });

  it('does not touch info/exclude when a .gitignore already ignores AGENTS.md', async () => {
    writeFileSync(rootFile('.gitignore'), 'AGENTS.md\n');
    sandbox.git(['add', '.gitignore']);
    sandbox.git(['commit', '-q', '-m', 'ignore']);
    const exclude = join(repo.commonDir, 'info', 'exclude');
    const before = readFileSync(exclude, 'utf8');
    const wt = addWorktree('feat/a');
    await writeWorktreeAgentsMd(runner, repo, wt, { branch: 'feat/a', cli: 'claude' });
    expect(readFileSync(exclude, 'utf8')).toBe(before);
    expect(porcelain(wt)).toBe('');
  });

  it("uses the main worktree's untracked AGENTS.md as base, warns that it is now ignored, and never changes it", async () => {
    const original = `# Local rules\r\n\r\n${START_MARKER}\r\nold\r\n${END_MARKER}\r\n## After\r\n`;
    writeFileSync(rootFile(), original);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const wt = addWorktree('feat/a');
      await writeWorktreeAgentsMd(runner, repo, wt, { branch: 'feat/a', cli: 'claude' });
      const text = read(wt);
      expect(text).toContain('- **Branch:** `feat/a`');
      expect(text).not.toContain('old');
      expect(text).not.toContain('\r');
      expect(text.startsWith(`# Local rules\n\n${START_MARKER}\n`)).toBe(true);
      expect(text.endsWith(`${END_MARKER}\n## After\n`)).toBe(true);
      expect(porcelain(wt)).toBe('');
      const warnings = stderr.mock.calls.map(([chunk]) => String(chunk)).join('');
      expect(warnings).toContain('warning: ');
      expect(warnings).toContain('is now ignored by git too');
    } finally {
      stderr.mockRestore();
    }
    expect(readFileSync(rootFile(), 'utf8')).toBe(original);
  });

  it('re-injection after purge and re-launch of the same branch gives exactly one section', async () => {
    const wt = addWorktree('feat/a');
    await writeWorktreeAgentsMd(runner, repo, wt, { branch: 'feat/a', cli: 'claude' });
    sandbox.git(['worktree', 'remove', '--force', wt]);
    const again = addWorktree('feat/a');
    await writeWorktreeAgentsMd(runner, repo, again, { branch: 'feat/a', cli: 'claude' });
    await writeWorktreeAgentsMd(runner, repo, again, { branch: 'feat/a', cli: 'claude' });
    expect(countStarts(read(again))).toBe(1);
    expect(porcelain(again)).toBe('');
  });

  it('removeAgentsMdExclude takes out only its own entry', async () => {
    const exclude = join(repo.commonDir, 'info', 'exclude');
    const userText = readFileSync(exclude, 'utf8');
    const wt = addWorktree('feat/a');
    await writeWorktreeAgentsMd(runner, repo, wt, { branch: 'feat/a', cli: 'claude' });
    expect(removeAgentsMdExclude(repo)).toBe(true);
    expect(readFileSync(exclude, 'utf8')).toBe(userText);
    expect(removeAgentsMdExclude(repo)).toBe(false);
  });
});

describe('a whole session at once (writeWorktreesAgentsMd)', () => {
  /** Real git, recording each git subcommand it runs. */
  function recording(): CommandRunner & { commands: string[] } {
    const commands: string[] = [];
    return {
      commands,
      run: (program, args, options) => {
        commands.push(args[0] ?? '');
        return runner.run(program, args, options);
      },
    };
  }

  it('gives each worktree the base of its own commit, hides tracked and untracked files alike, reading each commit once', async () => {
    sandbox.git(['checkout', '-q', '-b', 'feat/own']);
    writeFileSync(rootFile(), '# Branch rules\n');
    sandbox.git(['add', 'AGENTS.md']);
    sandbox.git(['commit', '-q', '-m', 'branch rules']);
    sandbox.git(['checkout', '-q', 'main']);
    const worktrees = ['feat/own', 'feat/a', 'feat/b', 'feat/c'].map((branch) => ({ branch, path: addWorktree(branch) }));
    const recorder = recording();
    await writeWorktreesAgentsMd(
      recorder,
      repo,
      worktrees.map(({ branch, path }) => ({ worktreePath: path, assignment: { branch, cli: 'claude' } })),
    );
    const [own, ...fresh] = worktrees;
    expect(read(own?.path ?? '').startsWith(`# Branch rules\n\n${START_MARKER}`)).toBe(true);
    for (const { branch, path } of fresh) {
      expect(read(path).startsWith(START_MARKER)).toBe(true);
      expect(read(path)).toContain(`- **Branch:** \`${branch}\``);
    }
    for (const { path } of worktrees) {
      expect(porcelain(path)).toBe('');
      expect(stagedAfterAddAll(path)).toBe('');
    }
    const exclude = readFileSync(join(repo.commonDir, 'info', 'exclude'), 'utf8').split('\n');
    expect(exclude.filter((line) => line === EXCLUDE_ENTRY)).toHaveLength(1);
    // Two distinct commits: one ls-tree each. The exclude entry exists once the first untracked
    // worktree is done, so each later one needs a single check-ignore.
    expect(recorder.commands.filter((command) => command === 'ls-tree')).toHaveLength(2);
    expect(recorder.commands.filter((command) => command === 'check-ignore').length).toBeLessThanOrEqual(fresh.length + 1);
  });

  it('reports the first failure in worktree order after writing the others', async () => {
    const good = addWorktree('feat/a');
    const missing = join(sandbox.root, 'gone');
    await expect(
      writeWorktreesAgentsMd(runner, repo, [
        { worktreePath: missing, assignment: { branch: 'x', cli: 'claude' } },
        { worktreePath: good, assignment: { branch: 'feat/a', cli: 'claude' } },
      ]),
    ).rejects.toThrow(`failed to write '${join(missing, 'AGENTS.md')}'`);
    expect(read(good)).toContain('`feat/a`');
    expect(porcelain(good)).toBe('');
  });
});

describe('bad input', () => {
  it('reports an unreadable root AGENTS.md and writes nothing', async () => {
    mkdirSync(rootFile());
    const wt = addWorktree('feat/a');
    const attempt = writeWorktreeAgentsMd(runner, repo, wt, { branch: 'feat/a', cli: 'claude' });
    await expect(attempt).rejects.toThrow(AgentsMdError);
    await expect(attempt).rejects.toThrow(`AGENTS.md error: failed to read '${rootFile()}': is a directory`);
    expect(existsSync(join(wt, 'AGENTS.md'))).toBe(false);
  });

  it('reports a failed write', async () => {
    const wt = addWorktree('feat/a');
    mkdirSync(join(wt, 'AGENTS.md', 'inner'), { recursive: true });
    await expect(writeWorktreeAgentsMd(runner, repo, wt, { branch: 'feat/a', cli: 'claude' })).rejects.toThrow(
      `AGENTS.md error: failed to write '${join(wt, 'AGENTS.md')}': `,
    );
  });

  it('refuses to write the main worktree and a missing worktree', async () => {
    commitRootAgentsMd('# Rules\n');
    await expect(writeWorktreeAgentsMd(runner, repo, sandbox.repo, { branch: 'main', cli: 'claude' })).rejects.toThrow(
      "repository's own AGENTS.md",
    );
    expect(readFileSync(rootFile(), 'utf8')).toBe('# Rules\n');
    const missing = join(sandbox.root, 'gone');
    await expect(writeWorktreeAgentsMd(runner, repo, missing, { branch: 'x', cli: 'claude' })).rejects.toThrow(
      `failed to write '${join(missing, 'AGENTS.md')}'`,
    );
    expect(existsSync(missing)).toBe(false);
  });
});
