// `git paw dashboard`: open the live dashboard of this repo's session in the current terminal.
// Pane 0 of a broker-enabled session runs this same command. The view (Ink) is imported only
// here, after every check passed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveRepo } from '../git/repo.js';
import type { RosterAgent } from '../dashboard/rows.js';
import { brokerUrlOf, sessionStateSchema, type SessionState } from '../session/schema.js';
import { sessionsDir } from '../util/dirs.js';
import { DashboardError } from '../util/errors.js';
import { systemRunner } from '../util/exec.js';
import { isInteractive } from '../util/output.js';

/** Interim lookup of the session whose `repo_path` is `repoRoot` (replaced by the state store). */
function findSessionOf(repoRoot: string): SessionState | undefined {
  let names: string[];
  try {
    names = readdirSync(sessionsDir()).filter((name) => name.endsWith('.json'));
  } catch {
    return undefined;
  }
  for (const name of names) {
    try {
      const parsed = sessionStateSchema.safeParse(JSON.parse(readFileSync(join(sessionsDir(), name), 'utf8')));
      if (parsed.success && parsed.data.repo_path === repoRoot) return parsed.data;
    } catch {
      // Unreadable or not JSON: not this repo's session.
    }
  }
  return undefined;
}

/** Interim agent id of a branch (upstream slugify_branch; replaced by the broker's own). */
function agentIdOf(branch: string): string {
  const slug = branch
    .replace(/[A-Z]/g, (char) => char.toLowerCase())
    .replace(/[^a-z0-9_]/gu, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return slug || 'agent';
}

export async function runDashboard(): Promise<void> {
  const repo = await resolveRepo(systemRunner);
  const state = findSessionOf(repo.root);
  if (!state) {
    throw new DashboardError('no git-paw session for this repo', {
      hint: 'start one with `git paw start` (the dashboard needs `[broker] enabled = true` in .git-paw/config.toml)',
    });
  }
  const brokerUrl = brokerUrlOf(state);
  if (!brokerUrl) {
    throw new DashboardError(`session '${state.session_name}' runs without a broker`, {
      hint: 'set `[broker] enabled = true` in .git-paw/config.toml, then `git paw stop` and `git paw start`',
    });
  }
  if (!isInteractive()) {
    throw new DashboardError('the dashboard needs a terminal (stdin and stdout must be a TTY)', {
      hint: 'run `git paw dashboard` in a terminal; `git paw status` prints the agents once',
    });
  }
  const roster: RosterAgent[] = state.worktrees.map((worktree) => ({ agent_id: agentIdOf(worktree.branch), cli: worktree.cli }));
  const { showDashboard } = await import('../dashboard/app.js');
  await showDashboard({ session: state.session_name, brokerUrl, roster });
}
