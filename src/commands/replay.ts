// `git paw replay [BRANCH] [--list] [--session S] [--color]`: show captured pane logs.
import { resolveRepo } from '../git/repo.js';
import { pageWithLess, replay, writeStdout } from '../logs/replay.js';
import { systemRunner } from '../util/exec.js';
import { warn } from '../util/output.js';
import { which } from '../util/which.js';

export async function runReplay(
  branch: string | undefined,
  flags: { list?: boolean; color?: boolean; session?: string },
): Promise<void> {
  const repo = await resolveRepo(systemRunner);
  // A reader that closes the pipe early (`git paw replay x | head`) is not an error.
  process.stdout.on('error', () => undefined);
  await replay(
    { repoRoot: repo.root, list: flags.list === true, branch, session: flags.session, color: flags.color === true },
    { write: writeStdout, warn, lessPath: which('less'), page: pageWithLess },
  );
}
