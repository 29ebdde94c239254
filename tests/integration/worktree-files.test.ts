// Files every new worktree gets from the main checkout: `[worktree] copy`, the git-ignored matches
// of `.worktreeinclude`, and `[worktree] link` symlinks — into the worktrees a launch or a
// recovery creates and no others, out of `git status`, listed by --dry-run, refused or skipped
// with a reason, and removed by rollback and purge without touching what a link points to.
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootstrapPipeline } from '../../src/bootstrap/files.js';
import { planBootstrap, type BootstrapPlan } from '../../src/bootstrap/plan.js';
import { resolveRepo } from '../../src/git/repo.js';
import { launchSession } from '../../src/launch/launch.js';
import { systemRunner, type CommandRunner } from '../../src/util/exec.js';
import { expectNothingCreated, paw, pawOk, worktreeDir } from '../helpers/lifecycle.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { skipWithoutTmux } from '../helpers/tmux.js';

const WORKTREE_TABLE = '[worktree]\ncopy = [".env"]\nlink = ["node_modules"]\n';

/**
 * The repo of a typical project: `.env` and `node_modules` ignored and present in the main
 * checkout, a `.worktreeinclude` matching one ignored file and one that git does not ignore.
 */
function prepareProject(sandbox: Sandbox, worktreeTable = WORKTREE_TABLE): void {
  const repo = sandbox.repo;
  writeFileSync(join(repo, '.gitignore'), 'node_modules/\n.env\n*.local\n');
  sandbox.git(['add', '.gitignore']);
  sandbox.git(['commit', '-q', '-m', 'ignore rules']);
  writeFileSync(join(repo, '.env'), 'SECRET=1\n');
  mkdirSync(join(repo, 'node_modules', 'pkg'), { recursive: true });
  writeFileSync(join(repo, 'node_modules', 'pkg', 'index.js'), 'module.exports = 1;\n');
  writeFileSync(join(repo, 'settings.local'), 'local\n');
  writeFileSync(join(repo, 'notes.txt'), 'not ignored\n');
  writeFileSync(join(repo, '.worktreeinclude'), '*.local\nnotes.txt\n');
  sandbox.writeRepoConfig(worktreeTable);
}

function excludeText(sandbox: Sandbox): string {
  return readFileSync(join(sandbox.repo, '.git', 'info', 'exclude'), 'utf8');
}

describe.skipIf(skipWithoutTmux)('files copied and linked into new worktrees', () => {
  let sandbox: Sandbox;
  beforeEach(() => {
    sandbox = createSandbox({ broker: false });
    sandbox.fakeCli('claude');
  });
  afterEach(() => sandbox.cleanup());

  const start = (branches: string) =>
    pawOk(sandbox, ['start', '--no-attach', '--cli', 'claude', '--branches', branches]);

  it('copies .env and the ignored .worktreeinclude matches into every new worktree and links node_modules, all out of git status', async () => {
    prepareProject(sandbox);
    const mainStatus = sandbox.git(['status', '--porcelain']);
    const result = await start('feat/a,feat/b');
    expect(result.stderr).not.toContain('skipped');
    for (const slug of ['feat-a', 'feat-b']) {
      const dir = worktreeDir(sandbox, slug);
      expect(readFileSync(join(dir, '.env'), 'utf8')).toBe('SECRET=1\n');
      expect(readFileSync(join(dir, 'settings.local'), 'utf8')).toBe('local\n');
      // Matched by .worktreeinclude but not ignored by git: a file git would show is not copied.
      expect(existsSync(join(dir, 'notes.txt'))).toBe(false);
      expect(lstatSync(join(dir, 'node_modules')).isSymbolicLink()).toBe(true);
      expect(readlinkSync(join(dir, 'node_modules'))).toBe(join(sandbox.repo, 'node_modules'));
      expect(readFileSync(join(dir, 'node_modules', 'pkg', 'index.js'), 'utf8')).toBe(
        'module.exports = 1;\n',
      );
      // A symlink never matches the directory pattern `node_modules/`: only the exclude entry hides it.
      expect(sandbox.git(['status', '--porcelain', '--untracked-files=all'], dir)).toBe('');
      sandbox.git(['add', '-A'], dir);
      expect(sandbox.git(['diff', '--cached', '--name-only'], dir)).toBe('');
    }
    expect(sandbox.git(['status', '--porcelain'])).toBe(mainStatus);
  });

  it('copies a directory around a link inside it', async () => {
    prepareProject(sandbox, '[worktree]\ncopy = ["node_modules"]\nlink = ["node_modules/.cache"]\n');
    mkdirSync(join(sandbox.repo, 'node_modules', '.cache'));
    writeFileSync(join(sandbox.repo, 'node_modules', '.cache', 'entry'), 'cached\n');
    await start('feat/a');
    const modules = join(worktreeDir(sandbox, 'feat-a'), 'node_modules');
    expect(lstatSync(modules).isDirectory()).toBe(true);
    expect(readFileSync(join(modules, 'pkg', 'index.js'), 'utf8')).toBe('module.exports = 1;\n');
    expect(readlinkSync(join(modules, '.cache'))).toBe(join(sandbox.repo, 'node_modules', '.cache'));
    expect(
      sandbox.git(['status', '--porcelain', '--untracked-files=all'], worktreeDir(sandbox, 'feat-a')),
    ).toBe('');
  });

  it('gives a worktree recovery recreates its files, and none to a worktree that still exists', async () => {
    prepareProject(sandbox);
    await start('feat/a,feat/b');
    await pawOk(sandbox, ['stop']);
    rmSync(worktreeDir(sandbox, 'feat-a'), { recursive: true, force: true });
    rmSync(join(worktreeDir(sandbox, 'feat-b'), '.env'));
    await pawOk(sandbox, ['start', '--no-attach']);
    expect(readFileSync(join(worktreeDir(sandbox, 'feat-a'), '.env'), 'utf8')).toBe('SECRET=1\n');
    expect(lstatSync(join(worktreeDir(sandbox, 'feat-a'), 'node_modules')).isSymbolicLink()).toBe(true);
    expect(existsSync(join(worktreeDir(sandbox, 'feat-b'), '.env'))).toBe(false);
  });

  it('warns about a copy path missing in the main checkout and one git tracks, and copies the rest', async () => {
    prepareProject(sandbox, '[worktree]\ncopy = ["missing.env", "README.md", ".env"]\n');
    const result = await start('feat/a');
    expect(result.stderr).toContain(
      `warning: [worktree] copy 'missing.env' skipped: it does not exist in the main checkout (${sandbox.repo})\n`,
    );
    expect(result.stderr).toContain(
      "warning: [worktree] copy 'README.md' skipped: it is tracked by git, so every worktree checks it out\n",
    );
    expect(readFileSync(join(worktreeDir(sandbox, 'feat-a'), '.env'), 'utf8')).toBe('SECRET=1\n');
    expect(readFileSync(join(worktreeDir(sandbox, 'feat-a'), 'README.md'), 'utf8')).toBe('# proj\n');
  });

  it('says so when the entry keeping a copied file out of the worktrees hides it in the main checkout too; purge undoes it', async () => {
    prepareProject(sandbox, '[worktree]\ncopy = ["notes.txt"]\n');
    expect(sandbox.git(['status', '--porcelain'])).toContain('?? notes.txt');
    const result = await start('feat/a');
    expect(result.stderr).toContain(
      `warning: added '/notes.txt' to ${join(sandbox.repo, '.git', 'info', 'exclude')} so session worktrees stay clean; the untracked ${join(sandbox.repo, 'notes.txt')} is now ignored by git too\n`,
    );
    expect(sandbox.git(['status', '--porcelain'], worktreeDir(sandbox, 'feat-a'))).toBe('');
    expect(sandbox.git(['status', '--porcelain'])).not.toContain('notes.txt');
    await pawOk(sandbox, ['purge', '--force']);
    expect(sandbox.git(['status', '--porcelain'])).toContain('?? notes.txt');
  });

  it('refuses a link to a tracked path before creating anything', async () => {
    prepareProject(sandbox, '[worktree]\nlink = ["README.md"]\n');
    const exclude = excludeText(sandbox);
    const result = await paw(sandbox, ['start', '--no-attach', '--cli', 'claude', '--branches', 'feat/a']);
    expect(result).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(
        "error: Config error: [worktree] link 'README.md' is tracked by git, so every worktree has its own\nhint: remove 'README.md' from link in [worktree]\n",
      ) as unknown,
    });
    expectNothingCreated(sandbox);
    expect(excludeText(sandbox)).toBe(exclude);
  });

  it('purge removes the copies and links with the worktrees and leaves the link target untouched', async () => {
    prepareProject(sandbox);
    const exclude = excludeText(sandbox);
    await start('feat/a,feat/b');
    await pawOk(sandbox, ['purge', '--force']);
    expect(existsSync(worktreeDir(sandbox, 'feat-a'))).toBe(false);
    expect(existsSync(worktreeDir(sandbox, 'feat-b'))).toBe(false);
    expect(readFileSync(join(sandbox.repo, 'node_modules', 'pkg', 'index.js'), 'utf8')).toBe(
      'module.exports = 1;\n',
    );
    expect(readFileSync(join(sandbox.repo, '.env'), 'utf8')).toBe('SECRET=1\n');
    expect(excludeText(sandbox)).toBe(exclude);
  });

  it('--dry-run lists what will be copied and linked, and creates nothing', async () => {
    prepareProject(sandbox);
    const result = await pawOk(sandbox, ['start', '--dry-run', '--cli', 'claude', '--branches', 'feat/a']);
    expect(result.stdout).toBe(
      [
        'Dry run — session plan:',
        '',
        '  Session:  paw-proj',
        '  Mouse:    on',
        '',
        '  feat/a → claude (../proj-feat-a)',
        '',
        '  Copied into each new worktree:',
        '    .env',
        '    settings.local',
        '  Linked into each new worktree:',
        `    node_modules → ${join(sandbox.repo, 'node_modules')}`,
        '',
      ].join('\n'),
    );
    expectNothingCreated(sandbox);
  });

  it('a failed launch removes the copies and links with its worktrees, and the exclude entries', async () => {
    prepareProject(sandbox);
    const exclude = excludeText(sandbox);
    const command = sandbox.fakeCli('claude');
    // git cannot add the third worktree: the first two exist, with their files, by then.
    const copiedInto: string[] = [];
    const failing: CommandRunner = {
      run: async (program, args, options) => {
        if (program === 'cp') copiedInto.push(args[args.indexOf('-t') + 1] ?? '');
        return program === 'git' && args[1] === 'add' && args.includes(worktreeDir(sandbox, 'feat-c'))
          ? { code: 128, stdout: '', stderr: 'fatal: out of inodes' }
          : sandbox.runner.run(program, args, options);
      },
    };
    const repo = await resolveRepo(sandbox.runner, sandbox.repo);
    await expect(
      launchSession({
        runner: failing,
        repo,
        env: sandbox.env,
        agents: ['feat/a', 'feat/b', 'feat/c'].map((branch) => ({
          branch,
          cli: { name: 'claude', command },
        })),
        settings: {
          mouse: true,
          logging: false,
          bootstrap: { copy: ['.env'], link: ['node_modules'], setup: [] },
        },
      }),
    ).rejects.toThrow('fatal: out of inodes');
    expect(copiedInto).toEqual([worktreeDir(sandbox, 'feat-a'), worktreeDir(sandbox, 'feat-b')]);
    expectNothingCreated(sandbox);
    expect(readFileSync(join(sandbox.repo, 'node_modules', 'pkg', 'index.js'), 'utf8')).toBe(
      'module.exports = 1;\n',
    );
    expect(excludeText(sandbox)).toBe(exclude);
  });
});

// GNU cp is the first choice on Linux only.
describe.skipIf(process.platform !== 'linux')('copying without GNU cp', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'paw-copy-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('falls back to a plain cp per directory when cp rejects the GNU options, for every later worktree too', async () => {
    const source = join(root, 'main');
    mkdirSync(join(source, '.git', 'info'), { recursive: true });
    mkdirSync(join(source, 'config', 'deep'), { recursive: true });
    writeFileSync(join(source, '.env'), 'SECRET=1\n');
    writeFileSync(join(source, 'config', 'deep', 'local.json'), '{}\n');
    const calls: string[][] = [];
    const bsdLike: CommandRunner = {
      run: async (program, args, options) => {
        calls.push([program, ...args]);
        if (args.includes('--reflink=auto'))
          return {
            code: 64,
            stdout: '',
            stderr: "cp: unrecognized option '--reflink=auto'\nusage: cp ...\n",
          };
        return systemRunner.run(program, args, options);
      },
    };
    const plan: BootstrapPlan = {
      source,
      copy: ['.env', 'config/deep'],
      link: [],
      hide: [],
      unignoredInMain: [],
    };
    const repo = { root: source, project: 'main', commonDir: join(source, '.git') };
    const files = bootstrapPipeline(bsdLike, repo, plan);
    for (const name of ['wt1', 'wt2']) {
      mkdirSync(join(root, name));
      files.add(join(root, name));
    }
    await files.done();
    for (const name of ['wt1', 'wt2']) {
      expect(readFileSync(join(root, name, '.env'), 'utf8')).toBe('SECRET=1\n');
      expect(readFileSync(join(root, name, 'config', 'deep', 'local.json'), 'utf8')).toBe('{}\n');
    }
    expect(calls.filter((call) => call.includes('--reflink=auto'))).toHaveLength(1);
  });
});

describe('planning the files of new worktrees', () => {
  let sandbox: Sandbox;
  let gitRuns: string[][];
  let counting: CommandRunner;
  beforeEach(() => {
    sandbox = createSandbox({ broker: false });
    gitRuns = [];
    counting = {
      run: (program, args, options) => {
        if (program === 'git') gitRuns.push([...args]);
        return sandbox.runner.run(program, args, options);
      },
    };
  });
  afterEach(() => sandbox.cleanup());

  it('asks git nothing when nothing is configured and there is no .worktreeinclude', async () => {
    expect(await planBootstrap(counting, sandbox.repo, undefined)).toBeUndefined();
    expect(gitRuns).toEqual([]);
  });

  it('asks git three times in all, whatever it finds', async () => {
    prepareProject(sandbox);
    const plan = await planBootstrap(counting, sandbox.repo, { copy: ['.env'], link: ['node_modules'] });
    expect(plan).toEqual({
      source: sandbox.repo,
      copy: ['.env', 'settings.local'],
      link: ['node_modules'],
      hide: ['.env', 'node_modules'],
      unignoredInMain: [],
    });
    expect(gitRuns.map((args) => args.find((arg) => !arg.startsWith('-')))).toEqual([
      'ls-files',
      'ls-files',
      'check-ignore',
    ]);
  });

  it('names each path once, as git does, and copies a wholly ignored directory as one', async () => {
    prepareProject(sandbox);
    mkdirSync(join(sandbox.repo, 'cache', 'sub'), { recursive: true });
    writeFileSync(join(sandbox.repo, 'cache', 'sub', 'x'), 'x\n');
    mkdirSync(join(sandbox.repo, 'secrets', 'deep'), { recursive: true });
    writeFileSync(join(sandbox.repo, 'secrets', 'deep', 'key.local'), 'k\n');
    mkdirSync(join(sandbox.repo, '.git-paw', 'logs'), { recursive: true });
    writeFileSync(join(sandbox.repo, '.git-paw', 'logs', 'session.local'), 'log\n');
    writeFileSync(
      join(sandbox.repo, '.gitignore'),
      'node_modules/\n.env\n*.local\nsecrets/\n.git-paw/logs/\n',
    );
    writeFileSync(join(sandbox.repo, '.worktreeinclude'), 'secrets/\n*.local\nnode_modules/pkg/\n');
    const plan = await planBootstrap(sandbox.runner, sandbox.repo, {
      copy: ['./.env', 'cache/', 'cache/sub'],
      link: ['node_modules'],
    });
    // secrets/deep/key.local is matched on its own too; node_modules/pkg is linked already; git-paw's
    // own directory is never copied.
    expect(plan?.copy).toEqual(['.env', 'cache', 'secrets', 'settings.local']);
    expect(plan?.unignoredInMain).toEqual(['cache']);
  });

  it('refuses a copy at or inside a link: the link shares it already', async () => {
    prepareProject(sandbox);
    await expect(
      planBootstrap(sandbox.runner, sandbox.repo, { copy: ['node_modules/pkg'], link: ['node_modules'] }),
    ).rejects.toThrow(
      "Config error: [worktree] copy 'node_modules/pkg' is inside 'node_modules', which is in link",
    );
    await expect(
      planBootstrap(sandbox.runner, sandbox.repo, { copy: ['node_modules'], link: ['node_modules'] }),
    ).rejects.toThrow("Config error: [worktree] copy 'node_modules' is also in link");
  });
});
