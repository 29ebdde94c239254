import { describe, expect, it } from 'vitest';
import { mergeConfigFiles } from '../../src/config/merge.js';
import { emptyConfig } from '../../src/config/schema.js';
import { branchPrefix, brokerSettings, loggingEnabled, mouseEnabled } from '../../src/config/effective.js';
import { parseConfigText } from '../../src/config/validate.js';

function file(text: string) {
  return parseConfigText(text, '/x/config.toml').file;
}

describe('mergeConfigFiles', () => {
  it('gives the empty config when neither file sets anything', () => {
    expect(mergeConfigFiles({}, {})).toEqual(emptyConfig());
    expect(mergeConfigFiles({}, {}).specs).toBeUndefined();
  });

  it('takes mouse from the repo when set there, else from the global file', () => {
    expect(mouseEnabled(mergeConfigFiles({}, {}))).toBe(true);
    expect(mouseEnabled(mergeConfigFiles(file('mouse = false'), {}))).toBe(false);
    expect(mouseEnabled(mergeConfigFiles(file('mouse = false'), file('mouse = true')))).toBe(true);
    expect(mouseEnabled(mergeConfigFiles(file('mouse = true'), file('mouse = false')))).toBe(false);
  });

  it('overlays every scalar key by key', () => {
    const merged = mergeConfigFiles(file('default_cli = "codex"\nbranch_prefix = "feat/"'), file('default_cli = "claude"'));
    expect(merged.default_cli).toBe('claude');
    expect(branchPrefix(merged)).toBe('feat/');
    expect(branchPrefix(mergeConfigFiles(file('branch_prefix = "feat/"'), file('branch_prefix = ""')))).toBe('');
  });

  it('unions custom CLIs and lets a repo entry replace a global one as a whole', () => {
    const merged = mergeConfigFiles(
      file('[clis.a]\ncommand = "/bin/true"\n[clis.x]\ncommand = "/global/x"\ndisplay_name = "Global X"'),
      file('[clis.b]\ncommand = "/bin/true"\n[clis.x]\ncommand = "/repo/x"'),
    );
    expect(merged.clis).toEqual({ a: { command: '/bin/true' }, b: { command: '/bin/true' }, x: { command: '/repo/x' } });
  });

  it('a repo entry without a command only sets options of the CLI, keeping its global command', () => {
    const merged = mergeConfigFiles(file('[clis.claude]\ncommand = "/opt/claude"'), file('[clis.claude]\nintegrate = false'));
    expect(merged.clis).toEqual({ claude: { command: '/opt/claude', integrate: false } });
  });

  it('finds a repo preset next to global ones', () => {
    const merged = mergeConfigFiles(
      file('[presets.fe]\nbranches = ["feat/ui"]\ncli = "codex"'),
      file('[presets.be]\nbranches = ["feat/x", "feat/y"]\ncli = "claude"'),
    );
    expect(merged.presets.be).toEqual({ branches: ['feat/x', 'feat/y'], cli: 'claude' });
    expect(merged.presets.fe).toEqual({ branches: ['feat/ui'], cli: 'codex' });
    expect(merged.presets.nope).toBeUndefined();
  });

  it('merges [specs] per key (deliberately unlike 0.3.0, which replaced the whole table)', () => {
    const merged = mergeConfigFiles(file('[specs]\ndir = "docs/specs"'), file('[specs]\ntype = "markdown"'));
    expect(merged.specs).toEqual({ dir: 'docs/specs', type: 'markdown' });
    expect(mergeConfigFiles({}, file('[specs]')).specs).toEqual({});
  });

  it('merges [logging] per key', () => {
    expect(loggingEnabled(mergeConfigFiles(file('[logging]\nenabled = true'), file('[logging]')))).toBe(true);
    expect(loggingEnabled(mergeConfigFiles(file('[logging]\nenabled = true'), file('[logging]\nenabled = false')))).toBe(false);
  });

  it('lets a repo turn off a globally enabled broker, and keeps global keys the repo does not set', () => {
    const global = file('[broker]\nenabled = true\nport = 9300\nauth = "none"');
    expect(mergeConfigFiles(global, file('[broker]\nenabled = false')).broker).toEqual({ enabled: false, port: 9300, auth: 'none' });
    expect(mergeConfigFiles(global, file('[broker]\nport = 9200')).broker).toEqual({ enabled: true, port: 9200, auth: 'none' });
  });

  it('decides [broker] enabled by the repo when it says so, else by the global file, else on', () => {
    const enabled = (global: string, repo: string) => brokerSettings(mergeConfigFiles(file(global), file(repo))).enabled;
    expect(enabled('[broker]\nenabled = true', '[broker]\nenabled = false')).toBe(false);
    expect(enabled('[broker]\nenabled = false', '[broker]\nenabled = true')).toBe(true);
    expect(enabled('[broker]\nenabled = false', '[broker]\nport = 9200')).toBe(false);
    expect(enabled('', '[broker]\nenabled = false')).toBe(false);
    expect(enabled('', '')).toBe(true);
  });
});
