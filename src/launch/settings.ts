// Launch settings from the merged config, read the same way by every launch path.
import { loggingEnabled, mouseEnabled } from '../config/effective.js';
import { loadConfig } from '../config/load.js';
import type { PawConfig } from '../config/schema.js';
import { warn } from '../util/output.js';
import type { LaunchSettings } from './types.js';

export function launchSettingsOf(config: PawConfig): LaunchSettings {
  return { mouse: mouseEnabled(config), logging: loggingEnabled(config) };
}

/** Loads the merged config of `repoRoot`, printing its warnings. */
export async function loadRepoConfig(repoRoot: string, env: NodeJS.ProcessEnv = process.env): Promise<PawConfig> {
  const { config, warnings } = await loadConfig({ repoRoot, env });
  for (const warning of warnings) warn(warning);
  return config;
}
