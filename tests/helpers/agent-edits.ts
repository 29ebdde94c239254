// What the conflict tests do in agents' worktrees: edit one line of a shared 30-line file and
// commit everything, as an agent would.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { worktreeDir } from './lifecycle.js';
import type { Sandbox } from './sandbox.js';

/** The committed content of `shared.txt` before any agent edits it. */
export const SHARED_LINES = Array.from({ length: 30 }, (_, index) => `line ${index + 1}`);

/** Replaces line `line` (1-based) of shared.txt in the agent's worktree. */
export function editSharedLine(sandbox: Sandbox, agent: string, line: number, text: string): void {
  const lines = [...SHARED_LINES];
  lines[line - 1] = text;
  writeFileSync(join(worktreeDir(sandbox, agent), 'shared.txt'), `${lines.join('\n')}\n`);
}

/** `git add -A` and a commit in the agent's worktree. */
export function commitAll(sandbox: Sandbox, agent: string, message: string): void {
  const dir = worktreeDir(sandbox, agent);
  sandbox.git(['add', '-A'], dir);
  sandbox.git(['commit', '-q', '-m', message], dir);
}
