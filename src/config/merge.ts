// Merging the global and the repo config file. Every table merges per key ("was the key
// written?"), so a repo `[broker] enabled = false` turns off a globally enabled broker.
// `[clis.*]` and `[presets.*]` entries of the same name are replaced whole, as upstream, except a
// repo `[clis.*]` entry without a command: it only sets options (such as `integrate`) of that CLI.
import type { ConfigFile, PawConfig } from './schema.js';

const SCALAR_KEYS = ['default_cli', 'default_spec_cli', 'branch_prefix', 'mouse'] as const;

/** `base` overlaid with every key that `top` actually sets. */
function overlay<T extends object>(base: T | undefined, top: T | undefined): T {
  const result = { ...base } as Record<string, unknown>;
  for (const [key, value] of Object.entries(top ?? {})) {
    if (value !== undefined) result[key] = value;
  }
  return result as T;
}

function pickScalars(file: ConfigFile): Pick<ConfigFile, (typeof SCALAR_KEYS)[number]> {
  return Object.fromEntries(
    SCALAR_KEYS.filter((key) => file[key] !== undefined).map((key) => [key, file[key]]),
  );
}

function mergeCliEntries(
  global: ConfigFile['clis'],
  repo: ConfigFile['clis'],
): NonNullable<ConfigFile['clis']> {
  const merged = { ...global };
  for (const [name, entry] of Object.entries(repo ?? {})) {
    merged[name] = entry.command === undefined ? overlay(merged[name], entry) : entry;
  }
  return merged;
}

/** The merged configuration: `global` first, `repo` overlaid per key. */
export function mergeConfigFiles(global: ConfigFile, repo: ConfigFile): PawConfig {
  const scalars = overlay(pickScalars(global), pickScalars(repo));
  return {
    ...scalars,
    clis: mergeCliEntries(global.clis, repo.clis),
    presets: { ...global.presets, ...repo.presets },
    ...(global.specs || repo.specs ? { specs: overlay(global.specs, repo.specs) } : {}),
    logging: overlay(global.logging, repo.logging),
    broker: overlay(global.broker, repo.broker),
    ...(global.tmux || repo.tmux ? { tmux: overlay(global.tmux, repo.tmux) } : {}),
    notifications: overlay(global.notifications, repo.notifications),
    ...(global.worktree || repo.worktree ? { worktree: overlay(global.worktree, repo.worktree) } : {}),
    ...(global.ports || repo.ports ? { ports: overlay(global.ports, repo.ports) } : {}),
  };
}
