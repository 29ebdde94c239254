import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/validate.js';
import { ConfigError } from '../../src/util/errors.js';

const PATH = '/p/.git-paw/config.toml';

function errorOf(text: string): ConfigError {
  try {
    parseConfigText(text, PATH);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a Config error');
}

describe('parseConfigText', () => {
  it('accepts an empty file as all defaults', () => {
    expect(parseConfigText('', PATH)).toEqual({ file: {}, warnings: [] });
  });

  it('reads every known key', () => {
    const { file, warnings } = parseConfigText(
      [
        'default_cli = "claude"',
        'default_spec_cli = "codex"',
        'branch_prefix = ""',
        'mouse = false',
        '[clis.my-agent]',
        'command = "/bin/true"',
        'display_name = "My Agent"',
        '[presets.be]',
        'branches = ["feat/x", "feat/y"]',
        'cli = "claude"',
        '[specs]',
        'dir = "docs/specs"',
        'type = "markdown"',
        '[logging]',
        'enabled = true',
        '[broker]',
        'enabled = true',
        'port = 9200',
        'bind = "127.0.0.1"',
        'allow_remote = false',
        'auth = "none"',
      ].join('\n'),
      PATH,
    );
    expect(warnings).toEqual([]);
    expect(file).toEqual({
      default_cli: 'claude',
      default_spec_cli: 'codex',
      branch_prefix: '',
      mouse: false,
      clis: { 'my-agent': { command: '/bin/true', display_name: 'My Agent' } },
      presets: { be: { branches: ['feat/x', 'feat/y'], cli: 'claude' } },
      specs: { dir: 'docs/specs', type: 'markdown' },
      logging: { enabled: true },
      broker: { enabled: true, port: 9200, bind: '127.0.0.1', allow_remote: false, auth: 'none' },
    });
  });

  it('reports malformed TOML with the file and line, on one line', () => {
    const error = errorOf('mouse = true\nthis is not [valid toml\n');
    expect(error.message).toBe(`Config error: ${PATH}: line 2: illegal character in key`);
    expect(error.message).not.toContain('\n');
  });

  it('names file, line and key for a wrong type', () => {
    expect(errorOf('default_cli = "x"\n\nmouse = "yes"\n').message).toBe(
      `Config error: ${PATH}: line 3: mouse: expected a boolean, got a string`,
    );
  });

  it('rejects a port out of range, pointing at the key inside its table', () => {
    expect(errorOf('[broker]\nenabled = true\nport = 70000\n').message).toBe(
      `Config error: ${PATH}: line 3: broker.port: expected a port number between 1 and 65535, got 70000`,
    );
    expect(errorOf('[broker]\nport = 0\n').message).toContain('line 2: broker.port');
    expect(errorOf('[broker]\nport = 91.5\n').message).toContain('broker.port: expected an integer, got a float');
  });

  it('takes a log size limit with a binary unit, and names file, line and key for a bad one', () => {
    expect(parseConfigText('[broker]\nlog_limit = "8MiB"\n', PATH).file.broker?.log_limit).toBe('8MiB');
    const error = errorOf('[broker]\nenabled = true\nlog_limit = "lots"\n');
    expect(error.message).toBe(
      `Config error: ${PATH}: line 3: broker.log_limit: expected a size of at least 64KiB, such as "64MiB" (units: KiB, MiB, GiB)`,
    );
    expect(error.hint).toContain("'broker.log_limit'");
    expect(errorOf('[broker]\nlog_limit = "1KiB"\n').message).toContain('line 2: broker.log_limit: expected a size of at least 64KiB');
    expect(errorOf('[broker]\nlog_limit = 64\n').message).toContain('line 2: broker.log_limit: expected a string');
  });

  it('rejects preset branches that are not an array', () => {
    expect(errorOf('[presets.be]\ncli = "claude"\nbranches = "a"\n').message).toBe(
      `Config error: ${PATH}: line 3: presets.be.branches: expected an array, got a string`,
    );
    expect(errorOf('[presets.be]\ncli = "claude"\nbranches = ["a", 1]\n').message).toContain('presets.be.branches.1: expected a string, got an integer');
  });

  it('reports missing required sub-keys at the table header', () => {
    expect(errorOf('mouse = true\n[clis.x]\ndisplay_name = "X"\n').message).toBe(
      `Config error: ${PATH}: line 2: clis.x: missing required key 'command'`,
    );
    expect(errorOf('[presets.be]\nbranches = ["a"]\n').message).toBe(`Config error: ${PATH}: line 1: presets.be: missing required key 'cli'`);
  });

  it('lets a built-in CLI table leave out command to set its options only', () => {
    expect(parseConfigText('[clis.claude]\nintegrate = false\n', PATH).file.clis).toEqual({ claude: { integrate: false } });
    expect(errorOf('[clis.mine]\nintegrate = false\n').message).toBe(`Config error: ${PATH}: line 1: clis.mine: missing required key 'command'`);
  });

  it('rejects an unknown auth mode and a table written as a scalar', () => {
    expect(errorOf('[broker]\nauth = "basic"\n').message).toBe(
      `Config error: ${PATH}: line 2: broker.auth: expected "token" or "none", got "basic"`,
    );
    expect(errorOf('clis = "claude"\n').message).toBe(`Config error: ${PATH}: line 1: clis: expected a table, got a string`);
  });

  it('finds the line of keys written as dotted keys or inline tables', () => {
    expect(errorOf('broker.port = 70000\n').message).toContain('line 1: broker.port');
    expect(errorOf('a = 1\n\nbroker = { port = 70000 }\n').message).toContain('line 3: broker.port');
  });

  it('counts further problems without printing them', () => {
    expect(errorOf('mouse = 1\nbranch_prefix = 2\n').message).toMatch(/line 1: mouse: .* \(and 1 more\)$/);
  });

  it('warns about unknown keys at any depth, naming the file and key path', () => {
    const { file, warnings } = parseConfigText(
      'brokr = 1\n[broker]\nprot = 9119\n[clis.x]\ncommand = "/bin/true"\nargs = ["-v"]\n[specs]\nspecs_dir = "x"\n["odd key"]\n',
      PATH,
    );
    expect(warnings).toEqual([
      `unknown key 'brokr' in ${PATH}`,
      `unknown key 'broker.prot' in ${PATH}`,
      `unknown key 'clis.x.args' in ${PATH}`,
      `unknown key 'specs.specs_dir' in ${PATH}`,
      `unknown key '"odd key"' in ${PATH}`,
    ]);
    expect(file).toEqual({ broker: {}, clis: { x: { command: '/bin/true' } }, specs: {} });
  });
});
