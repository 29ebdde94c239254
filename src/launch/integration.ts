// What each agent's pane gets from its CLI's adapter: the flags appended to the CLI's command, the
// pane's own variables, and the files the CLI reads (settings layers), which live in the
// session's private agents directory next to its state file, never in the worktree. Asked once
// the worktrees exist (an adapter may read the branch's own settings), on every launch and
// recovery, so the files are always written afresh; purge removes the directory.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { adapterFor } from '../agents/adapters/index.js';
import type { GeneratedFile, Integration } from '../agents/adapter.js';
import { agentIdOf } from '../git/names.js';
import type { SessionState } from '../session/schema.js';
import type { PanePlan } from '../tmux/plan.js';
import { sessionsDir } from '../util/dirs.js';
import { SessionError, describeError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { shellJoin } from '../util/shell.js';
import type { Rollback } from './rollback.js';
import type { LaunchSettings } from './types.js';

const NO_INTEGRATION: Integration = { args: [], env: {}, files: [] };

/** `<sessions dir>/<session>.agents`: the generated files of a session's agents. */
export function agentFilesDir(sessionName: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(sessionsDir(env), `${sessionName}.agents`);
}

/** `<broker>/mcp/<agent id>`: an agent's MCP endpoint. */
export function mcpUrl(brokerUrl: string, agentId: string): string {
  return `${brokerUrl.replace(/\/+$/, '')}/mcp/${encodeURIComponent(agentId)}`;
}

/** Each worktree entry's integration, in worktree order (none for CLIs with `integrate = false`). */
export function agentIntegrations(
  state: SessionState,
  settings: LaunchSettings,
  brokerUrl: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Integration[] {
  const dir = agentFilesDir(state.session_name, env);
  return state.worktrees.map((entry) => {
    if (settings.plainClis?.includes(entry.cli)) return NO_INTEGRATION;
    const agentId = agentIdOf(entry.branch);
    return adapterFor(entry.cli).integrate({
      worktreePath: entry.worktree_path,
      branch: entry.branch,
      agentId,
      privateDir: join(dir, agentId),
      brokerUrl,
      ...(brokerUrl === undefined || settings.broker?.mcp === false
        ? {}
        : { mcpUrl: mcpUrl(brokerUrl, agentId) }),
      env,
    });
  });
}

/** An agent's pane with its integration: the flags after the CLI's command, its variables added. */
export function integratedPane(pane: PanePlan, integration: Integration): PanePlan {
  if (integration.args.length === 0 && Object.keys(integration.env).length === 0) return pane;
  return {
    ...pane,
    command: integration.args.length === 0 ? pane.command : `${pane.command} ${shellJoin(integration.args)}`,
    env: { ...pane.env, ...integration.env },
  };
}

/**
 * Writes the agents' generated files — their integrations' and their setup scripts (private:
 * directories 0700, files 0600). A launch that fails later removes the session's agents directory
 * again when it made it.
 */
export function writeIntegrationFiles(
  sessionName: string,
  files: readonly GeneratedFile[],
  rollback: Rollback,
  env: NodeJS.ProcessEnv = process.env,
): void {
  if (files.length === 0) return;
  const dir = agentFilesDir(sessionName, env);
  try {
    const created = mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (created !== undefined)
      rollback.add(`agent files '${dir}'`, () => rmSync(dir, { recursive: true, force: true }));
    for (const file of files) {
      mkdirSync(join(file.path, '..'), { recursive: true, mode: 0o700 });
      writeFileAtomic(file.path, file.content, { mode: 0o600, durable: false });
    }
  } catch (error) {
    throw new SessionError(`cannot write the agents' settings under ${dir}: ${describeError(error)}`);
  }
}

/** Removes a session's generated agent files (purge). */
export function removeAgentFiles(sessionName: string, env: NodeJS.ProcessEnv = process.env): void {
  rmSync(agentFilesDir(sessionName, env), { recursive: true, force: true });
}
