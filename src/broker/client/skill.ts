// The coordination skill injected into each worktree's AGENTS.md: resolution (repo override →
// user override → embedded default) and rendering (`{{BRANCH_ID}}` → the
// agent id, `{{BROKER_URL}}` → the broker URL, any other `{{NAME}}` kept with a warning).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentIdOf } from '../../git/names.js';
import { configBaseDir } from '../../util/dirs.js';
import { PawError } from '../../util/errors.js';
import { packageFile } from '../../util/self.js';

export const SKILL_NAME = 'coordination';
/** The variant for agents whose CLI has git-paw's MCP tools: it names the tools instead of curl. */
export const MCP_SKILL_NAME = 'coordination-mcp';

export type SkillSource = 'repo' | 'user' | 'embedded';

export interface ResolvedSkill {
  text: string;
  source: SkillSource;
  /** File the text came from. */
  path: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads an override; undefined when it does not exist, an error when it exists but is unusable. */
function readOverride(path: string): string | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === 'ENOENT' ||
      (error as NodeJS.ErrnoException).code === 'ENOTDIR'
    )
      return undefined;
    throw unreadable(path, error);
  }
  try {
    return utf8.decode(bytes);
  } catch (error) {
    throw unreadable(path, error);
  }
}

function unreadable(path: string, cause: unknown): PawError {
  return new PawError(`cannot read skill override at '${path}' — check file permissions and encoding`, {
    cause,
  });
}

/** Where the two overrides live for a repo: `<repo>/.git-paw/agent-skills/` and `<config dir>/git-paw/agent-skills/`. */
export function skillOverridePaths(
  repoRoot: string,
  env: NodeJS.ProcessEnv = process.env,
  name = SKILL_NAME,
): { repo: string; user: string | undefined } {
  const base = configBaseDir(env);
  return {
    repo: join(repoRoot, '.git-paw', 'agent-skills', `${name}.md`),
    user: base === undefined ? undefined : join(base, 'git-paw', 'agent-skills', `${name}.md`),
  };
}

/** The coordination skill text for a repo and where it came from. */
export function resolveSkill(
  repoRoot: string,
  env: NodeJS.ProcessEnv = process.env,
  name = SKILL_NAME,
): ResolvedSkill {
  const paths = skillOverridePaths(repoRoot, env, name);
  const repoText = readOverride(paths.repo);
  if (repoText !== undefined) return { text: repoText, source: 'repo', path: paths.repo };
  if (paths.user !== undefined) {
    const userText = readOverride(paths.user);
    if (userText !== undefined) return { text: userText, source: 'user', path: paths.user };
  }
  const embedded = packageFile(`assets/agent-skills/${name}.md`);
  return { text: readFileSync(embedded, 'utf8'), source: 'embedded', path: embedded };
}

export interface RenderedSkill {
  text: string;
  /** `unsubstituted placeholder {{NAME}} in skill 'coordination'`, one per leftover occurrence. */
  warnings: string[];
}

/** Substitutes the known placeholders; leftovers stay in the text and produce warnings. */
export function renderSkill(text: string, values: { branch: string; brokerUrl: string }): RenderedSkill {
  const rendered = text
    .replaceAll('{{BRANCH_ID}}', agentIdOf(values.branch))
    .replaceAll('{{BROKER_URL}}', values.brokerUrl);
  const warnings = [...rendered.matchAll(/\{\{[^{}]*\}\}/g)].map(
    (match) => `unsubstituted placeholder ${match[0]} in skill '${SKILL_NAME}'`,
  );
  return { text: rendered, warnings };
}
