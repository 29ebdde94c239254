// The conflict watcher on real git worktrees, driven directly (no broker): what a check spawns,
// what it watches, and that a huge ignored directory costs it nothing; checks never overlap.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckSession } from '../../src/conflicts/check.js';
import { gitConflictReader } from '../../src/conflicts/git.js';
import { ConflictWatcher, type DirWatch } from '../../src/conflicts/watcher.js';
import { systemRunner, type CommandRunner } from '../../src/util/exec.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

let sandbox: Sandbox;
let session: CheckSession;
let watcher: ConflictWatcher | undefined;

beforeEach(() => {
  sandbox = createSandbox();
  for (let dir = 0; dir < 5; dir += 1) {
    sandbox.writeFile(`proj/src/d${dir}/file.txt`, `dir ${dir}\n`);
  }
  sandbox.writeFile('proj/.gitignore', 'build/\n');
  sandbox.git(['add', '-A']);
  sandbox.git(['commit', '-q', '-m', 'tree']);
  const targets = ['feat-a', 'feat-b'].map((agent) => {
    const worktree = join(sandbox.root, `proj-${agent}`);
    sandbox.git(['worktree', 'add', '-q', '-b', agent, worktree]);
    return { agent, branch: agent, worktree };
  });
  session = { repo: sandbox.repo, baseBranch: 'main', targets };
});
afterEach(() => {
  watcher?.stop();
  sandbox.cleanup();
});

/** A runner that counts the git processes it starts. */
function countingRunner(): { runner: CommandRunner; count: () => number } {
  let count = 0;
  return {
    runner: {
      run: (program, args, options) => {
        count += 1;
        return systemRunner.run(program, args, options);
      },
    },
    count: () => count,
  };
}

/** Records every directory watched (nothing is really watched: checks run only when asked). */
function recordingWatch(): { watch: DirWatch; dirs: string[] } {
  const dirs: string[] = [];
  return { watch: (dir) => (dirs.push(dir), { close: () => undefined }), dirs };
}

async function fullCheck(): Promise<{
  processes: number;
  watched: string[];
  report: ConflictWatcher['report'];
}> {
  const counting = countingRunner();
  const recording = recordingWatch();
  watcher = new ConflictWatcher({
    load: () => session,
    git: gitConflictReader(counting.runner),
    watchDir: recording.watch,
  });
  const report = await watcher.checkNow();
  watcher.stop();
  return { processes: counting.count(), watched: recording.dirs, report };
}

describe('the conflict watcher on real worktrees', () => {
  it('a huge ignored directory is neither listed, nor watched, nor walked by an extra process', async () => {
    const without = await fullCheck();
    const build = join(session.targets[0]?.worktree ?? '', 'build');
    for (let dir = 0; dir < 100; dir += 1) {
      mkdirSync(join(build, `chunk-${dir}`), { recursive: true });
      for (let file = 0; file < 100; file += 1) writeFileSync(join(build, `chunk-${dir}`, `f${file}.o`), '');
    }
    const withBuild = await fullCheck();
    expect(withBuild.report.conflicts).toEqual([]);
    expect(withBuild.report.check.unchecked).toEqual([]);
    expect(withBuild.processes).toBe(without.processes);
    expect(withBuild.watched.filter((dir) => dir.startsWith(build))).toEqual([]);
    expect(withBuild.watched).toEqual(without.watched);
  });

  it('watches each worktree, its tracked directories and its git dir', async () => {
    const { watched } = await fullCheck();
    const a = session.targets[0]?.worktree ?? '';
    expect(watched).toEqual(
      expect.arrayContaining([
        a,
        join(a, 'src'),
        join(a, 'src', 'd4'),
        join(sandbox.repo, '.git', 'worktrees', 'proj-feat-a'),
      ]),
    );
  });

  it('a first check spawns one status per worktree and nothing per pair that cannot collide', async () => {
    writeFileSync(join(session.targets[0]?.worktree ?? '', 'src', 'd0', 'file.txt'), 'a\n');
    sandbox.git(['commit', '-qam', 'a'], session.targets[0]?.worktree);
    writeFileSync(join(session.targets[1]?.worktree ?? '', 'src', 'd1', 'file.txt'), 'b\n');
    sandbox.git(['commit', '-qam', 'b'], session.targets[1]?.worktree);
    const { processes, report } = await fullCheck();
    expect(report.conflicts).toEqual([]);
    // Per worktree: status, diff against the base, the listing of tracked directories; no merge-tree.
    expect(processes).toBe(6);
  });

  it('overlapping changes to a check in progress wait for it: one check at a time', async () => {
    let running = 0;
    let most = 0;
    const runner: CommandRunner = {
      run: async (program, args, options) => {
        running += 1;
        most = Math.max(most, running);
        try {
          return await systemRunner.run(program, args, options);
        } finally {
          running -= 1;
        }
      },
    };
    const reader = gitConflictReader(runner);
    let statuses = 0;
    const counted = { ...reader, status: (worktree: string) => ((statuses += 1), reader.status(worktree)) };
    watcher = new ConflictWatcher({
      load: () => session,
      git: counted,
      watchDir: recordingWatch().watch,
      debounceMs: 0,
    });
    const first = watcher.checkNow();
    for (let touch = 0; touch < 20; touch += 1) watcher.touch('feat-a');
    const second = watcher.checkNow();
    await Promise.all([first, second]);
    // Two worktrees per check, two status reads at most at once.
    expect(most).toBeLessThanOrEqual(2);
    expect(statuses).toBeLessThanOrEqual(6);
  });

  it('a repository where checks are slow: the watcher backs off and says so, and recovers', async () => {
    const reader = gitConflictReader(systemRunner);
    let slow = true;
    const git = {
      ...reader,
      status: async (worktree: string) => {
        const status = await reader.status(worktree);
        if (slow) await new Promise((resolve) => setTimeout(resolve, 2_000));
        return status;
      },
    };
    watcher = new ConflictWatcher({
      load: () => session,
      git,
      watchDir: recordingWatch().watch,
      slowCheckMs: 1_500,
    });
    const backedOff = await watcher.checkNow();
    expect(backedOff.check.notes.join('\n')).toMatch(
      /^checking is slow in this repository \(last check \d+\.\d s\): checked every \d+ s, and at most every \d+ s after a change$/,
    );
    slow = false;
    const recovered = await watcher.checkNow();
    expect(recovered.check.notes).toEqual([]);
  });
});
