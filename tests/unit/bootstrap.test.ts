// The pure parts of copying and linking files into new worktrees: the cp command lines of each
// copy method, the exclude pattern of a path, and the --dry-run lines.
import { describe, expect, it } from 'vitest';
import { copyCommands, initialCopyMethod, isOptionError } from '../../src/bootstrap/copy.js';
import { anchoredPattern } from '../../src/bootstrap/files.js';
import { bootstrapDryRunLines } from '../../src/bootstrap/plan.js';

describe('copyCommands', () => {
  it('copies every path into a worktree with one GNU cp, copy-on-write where the file system can', () => {
    expect(copyCommands('reflink', '/main', '/wt', ['.env', 'a/b'])).toEqual([
      {
        args: [
          '-R',
          '--preserve=mode,timestamps',
          '--reflink=auto',
          '--parents',
          '-t',
          '/wt',
          '--',
          '.env',
          'a/b',
        ],
      },
    ]);
  });

  it('without --parents, runs one cp per destination directory, made first; -c clones on macOS', () => {
    expect(copyCommands('clone', '/main', '/wt', ['.env', 'a/b', 'a/c'])).toEqual([
      { makeDir: '/wt', args: ['-R', '-p', '-c', '/main/.env', '/wt'] },
      { makeDir: '/wt/a', args: ['-R', '-p', '-c', '/main/a/b', '/main/a/c', '/wt/a'] },
    ]);
    expect(copyCommands('plain', '/main', '/wt', ['x'])).toEqual([
      { makeDir: '/wt', args: ['-R', '-p', '/main/x', '/wt'] },
    ]);
  });

  it('tries GNU cp on Linux, clonefile on macOS, a plain copy elsewhere', () => {
    expect(
      ['linux', 'darwin', 'freebsd'].map((platform) => initialCopyMethod(platform as NodeJS.Platform)),
    ).toEqual(['reflink', 'clone', 'plain']);
  });

  it('tells a cp that lacks the options from a copy that failed', () => {
    expect(isOptionError("cp: unrecognized option '--reflink=auto'")).toBe(true);
    expect(isOptionError('cp: illegal option -- -\nusage: cp [-R [-H | -L | -P]] ...')).toBe(true);
    expect(isOptionError("cp: cannot create regular file '/wt/.env': No space left on device")).toBe(false);
  });
});

describe('anchoredPattern', () => {
  it('matches exactly the path under the root, glob characters and a trailing space taken literally', () => {
    expect(anchoredPattern('.env')).toBe('/.env');
    expect(anchoredPattern('node_modules/.cache')).toBe('/node_modules/.cache');
    expect(anchoredPattern('a[1]*?\\b ')).toBe('/a\\[1]\\*\\?\\\\b\\ ');
    expect(anchoredPattern('!important')).toBe('/!important');
  });
});

describe('bootstrapDryRunLines', () => {
  it('adds nothing without files, so the dry run reads as before', () => {
    expect(bootstrapDryRunLines(undefined)).toEqual([]);
  });

  it('lists copies, and links with what they point to', () => {
    const plan = { source: '/r/proj', copy: ['.env'], link: ['node_modules'], hide: [], unignoredInMain: [] };
    expect(bootstrapDryRunLines(plan)).toEqual([
      '',
      '  Copied into each new worktree:',
      '    .env',
      '  Linked into each new worktree:',
      '    node_modules → /r/proj/node_modules',
    ]);
    expect(bootstrapDryRunLines({ ...plan, link: [] })).toEqual([
      '',
      '  Copied into each new worktree:',
      '    .env',
    ]);
  });
});
