// Launch settings from the merged config, read the same way by every launch path. The
// coordination skill is resolved here, once per launch, so an unreadable override stops the
// launch before anything is created.
import { MCP_SKILL_NAME, resolveSkill } from '../broker/client/skill.js';
import {
  bootstrapSettings,
  brokerSettings,
  loggingEnabled,
  mouseEnabled,
  notificationSettings,
  portSettings,
} from '../config/effective.js';
import { loadConfig } from '../config/load.js';
import type { PawConfig } from '../config/schema.js';
import { warn } from '../util/output.js';
import type { LaunchSettings } from './types.js';

export function launchSettingsOf(
  config: PawConfig,
  repoRoot: string,
  env: NodeJS.ProcessEnv = process.env,
): LaunchSettings {
  const { enabled, ...broker } = brokerSettings(config);
  const bootstrap = bootstrapSettings(config);
  const ports = portSettings(config);
  return {
    mouse: mouseEnabled(config),
    logging: loggingEnabled(config),
    plainClis: Object.entries(config.clis)
      .filter(([, entry]) => entry.integrate === false)
      .map(([name]) => name),
    ...(config.tmux?.jump_key === undefined ? {} : { jumpKey: config.tmux.jump_key }),
    ...(bootstrap ? { bootstrap } : {}),
    ...(ports ? { ports } : {}),
    ...(enabled
      ? {
          broker: {
            ...broker,
            notifications: notificationSettings(config),
            skill: resolveSkill(repoRoot, env),
            ...(broker.mcp ? { mcpSkill: resolveSkill(repoRoot, env, MCP_SKILL_NAME) } : {}),
          },
        }
      : {}),
  };
}

/** Loads the merged config of `repoRoot`, printing its warnings. */
export async function loadRepoConfig(
  repoRoot: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PawConfig> {
  const { config, warnings } = await loadConfig({ repoRoot, env });
  for (const warning of warnings) warn(warning);
  return config;
}
