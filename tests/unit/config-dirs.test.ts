import { describe, expect, it } from 'vitest';
import { configBaseDir, dataBaseDir, gitPawConfigDir, sessionsDir } from '../../src/util/dirs.js';

describe('platform directories', () => {
  it('uses XDG variables on Linux when they are absolute', () => {
    const env = { HOME: '/home/u', XDG_CONFIG_HOME: '/xdg/config', XDG_DATA_HOME: '/xdg/data' };
    expect(configBaseDir(env, 'linux')).toBe('/xdg/config');
    expect(dataBaseDir(env, 'linux')).toBe('/xdg/data');
  });

  it('ignores relative or empty XDG variables and falls back to HOME', () => {
    const env = { HOME: '/home/u', XDG_CONFIG_HOME: 'relative/config', XDG_DATA_HOME: '' };
    expect(configBaseDir(env, 'linux')).toBe('/home/u/.config');
    expect(dataBaseDir(env, 'linux')).toBe('/home/u/.local/share');
  });

  it('uses Application Support on macOS, whatever XDG says', () => {
    const env = { HOME: '/Users/u', XDG_CONFIG_HOME: '/xdg/config', XDG_DATA_HOME: '/xdg/data' };
    expect(configBaseDir(env, 'darwin')).toBe('/Users/u/Library/Application Support');
    expect(dataBaseDir(env, 'darwin')).toBe('/Users/u/Library/Application Support');
    expect(configBaseDir({}, 'darwin')).toBeUndefined();
  });

  it('works from XDG alone on Linux, and gives up without HOME or XDG', () => {
    expect(configBaseDir({ XDG_CONFIG_HOME: '/xdg' }, 'linux')).toBe('/xdg');
    expect(configBaseDir({}, 'linux')).toBeUndefined();
    expect(dataBaseDir({ XDG_DATA_HOME: 'rel' }, 'linux')).toBeUndefined();
  });

  it('derives the git-paw dirs and fails with upstream messages when they cannot be determined', () => {
    const env = { HOME: '/home/u' };
    expect(gitPawConfigDir(env)).toBe(`${configBaseDir(env)}/git-paw`);
    expect(sessionsDir(env)).toBe(`${dataBaseDir(env)}/git-paw/sessions`);
    expect(() => gitPawConfigDir({})).toThrow('Config error: could not determine config directory');
    expect(() => sessionsDir({})).toThrow('Session error: could not determine XDG data directory');
  });
});
