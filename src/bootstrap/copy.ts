// The `cp` command lines that copy a worktree's files from the main checkout, the cheapest way
// the system offers: GNU cp with `--reflink=auto` (copy-on-write clones on btrfs, XFS, bcachefs;
// an ordinary copy on ext4) and `--parents` (one process for every path), macOS cp with `-c`
// (clonefile on APFS), or a plain recursive copy. Modes and timestamps are kept, since build
// caches compare them; symlinks inside a copied directory stay symlinks. Node's fs.cp is no
// alternative: it copies file by file from JavaScript, many times slower on big trees.
import { join, posix } from 'node:path';

export type CopyMethod = 'reflink' | 'clone' | 'plain';

/** The method to try first on `platform`; copyInto falls back to 'plain' when it fails. */
export function initialCopyMethod(platform: NodeJS.Platform): CopyMethod {
  if (platform === 'linux') return 'reflink';
  if (platform === 'darwin') return 'clone';
  return 'plain';
}

/** One `cp` run, with the directory it copies into made first when `makeDir` is set. */
export interface CopyCommand {
  args: string[];
  makeDir?: string;
}

/**
 * The cp runs that copy repo-relative `paths` from `source` into `worktree` (run with `source`
 * as the working directory). GNU cp recreates the parents itself; other cps get one run per
 * destination directory.
 */
export function copyCommands(
  method: CopyMethod,
  source: string,
  worktree: string,
  paths: readonly string[],
): CopyCommand[] {
  if (method === 'reflink') {
    return [
      {
        args: [
          '-R',
          '--preserve=mode,timestamps',
          '--reflink=auto',
          '--parents',
          '-t',
          worktree,
          '--',
          ...paths,
        ],
      },
    ];
  }
  const byParent = new Map<string, string[]>();
  for (const path of paths) {
    const parent = posix.dirname(path);
    byParent.set(parent, [...(byParent.get(parent) ?? []), join(source, path)]);
  }
  return [...byParent].map(([parent, sources]) => {
    const target = join(worktree, parent);
    return { makeDir: target, args: ['-R', '-p', ...(method === 'clone' ? ['-c'] : []), ...sources, target] };
  });
}

/** True when cp's complaint is about its options (a cp without GNU's), not about the files. */
export function isOptionError(stderr: string): boolean {
  return /unrecognized option|invalid option|illegal option|unknown option|usage:/i.test(stderr);
}
