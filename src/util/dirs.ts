// Platform directories, as upstream: XDG on Linux (only absolute values count), Application
// Support on macOS. Everything git-paw keeps outside a repo lives under these two roots.
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { ConfigError, SessionError } from './errors.js';

type Env = NodeJS.ProcessEnv;

function home(env: Env): string | undefined {
  const value = env.HOME ?? (env === process.env ? homedir() : undefined);
  return value ? value : undefined;
}

function xdg(env: Env, key: 'XDG_CONFIG_HOME' | 'XDG_DATA_HOME'): string | undefined {
  const value = env[key];
  return value && isAbsolute(value) ? value : undefined;
}

/** `<config dir>`; undefined when neither HOME nor a usable XDG variable is set. */
export function configBaseDir(env: Env = process.env, platform = process.platform): string | undefined {
  const h = home(env);
  if (platform === 'darwin') return h ? join(h, 'Library', 'Application Support') : undefined;
  return xdg(env, 'XDG_CONFIG_HOME') ?? (h ? join(h, '.config') : undefined);
}

/** `<data dir>`; undefined when neither HOME nor a usable XDG variable is set. */
export function dataBaseDir(env: Env = process.env, platform = process.platform): string | undefined {
  const h = home(env);
  if (platform === 'darwin') return h ? join(h, 'Library', 'Application Support') : undefined;
  return xdg(env, 'XDG_DATA_HOME') ?? (h ? join(h, '.local', 'share') : undefined);
}

/** `<config dir>/git-paw`, or a Config error when it cannot be determined. */
export function gitPawConfigDir(env: Env = process.env): string {
  const base = configBaseDir(env);
  if (!base) throw new ConfigError('could not determine config directory', { hint: 'set HOME' });
  return join(base, 'git-paw');
}

/** `<data dir>/git-paw/sessions`, or a Session error when it cannot be determined. */
export function sessionsDir(env: Env = process.env): string {
  const base = dataBaseDir(env);
  if (!base) throw new SessionError('could not determine XDG data directory', { hint: 'set HOME' });
  return join(base, 'git-paw', 'sessions');
}
