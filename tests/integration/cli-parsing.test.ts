// Command-line parsing that needs no session (help, version, usage errors), run against dist/cli.js.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

let sandbox: Sandbox;

beforeEach(() => {
  sandbox = createSandbox({ noRepo: true });
});

afterEach(() => sandbox.cleanup());

function run(args: string[]) {
  return runCli(args, { cwd: sandbox.root, env: sandbox.env });
}

describe('CLI parsing', () => {
  it('prints the version', async () => {
    const result = await run(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: 'git-paw 0.3.0\n', stderr: '' });
    expect((await run(['-V'])).stdout).toBe('git-paw 0.3.0\n');
  });

  it('lists every command and the Quick Start, and each listed command has its own help', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    const commandSection = result.stdout.split('Commands:\n')[1]?.split('\n\n')[0] ?? '';
    const commands = [...commandSection.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((match) => match[1] ?? '');
    for (const command of ['start', 'stop', 'purge', 'status', 'list-clis', 'add-cli', 'remove-cli', 'init', 'replay', 'dashboard', 'demo', 'help']) {
      expect(commands, command).toContain(command);
    }
    expect(result.stdout).toContain('Quick Start');
    expect((await run(['-h'])).stdout).toBe(result.stdout);
    // A listed name that is not a command would fall through to "unknown command".
    const listed = commands.filter((name) => name !== 'help');
    const helps = await Promise.all(listed.map((name) => run(['help', name])));
    helps.forEach((help, index) => {
      expect(help.code, listed[index]).toBe(0);
      expect(help.stdout, listed[index]).toMatch(`Usage: git-paw ${listed[index]}`);
    });
  });

  it('runs the internal broker command but leaves it out of the help', async () => {
    // It exists, for the broker windows of sessions that earlier versions started (it asks for
    // the configuration git-paw passes it inside a session) ...
    const broker = await run(['__broker']);
    expect(broker.code).not.toBe(0);
    expect(broker.stderr).toContain('GIT_PAW_BROKER_CONFIG is not set');
    // ... and the command list does not show it.
    expect((await run(['--help'])).stdout).not.toContain('__broker');
  });

  it('shows the start flags', async () => {
    const result = await run(['start', '--help']);
    expect(result.code).toBe(0);
    for (const flag of ['--cli', '--branches', '--from-specs', '--dry-run', '--preset', '--no-attach', '--rerun-setup']) {
      expect(result.stdout, flag).toContain(flag);
    }
  });

  it('shows the flags and arguments of purge, add-cli and replay', async () => {
    expect((await run(['purge', '--help'])).stdout).toContain('--force');
    const addCli = await run(['add-cli', '--help']);
    for (const text of ['<NAME>', '<COMMAND>', '--display-name']) expect(addCli.stdout, text).toContain(text);
    const replay = await run(['help', 'replay']);
    expect(replay.code).toBe(0);
    for (const flag of ['--list', '--color', '--session']) expect(replay.stdout, flag).toContain(flag);
  });

  it('rejects an unknown command with exit 2', async () => {
    const result = await run(['nonexistent']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: /);
    expect(result.stdout).toBe('');
  });

  it('rejects add-cli and remove-cli without arguments with exit 2', async () => {
    for (const args of [['add-cli'], ['add-cli', 'only-name'], ['remove-cli']]) {
      const result = await run(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(/^error: missing required argument/);
    }
  });

  it('rejects replay without a branch or --list with exit 2', async () => {
    const result = await run(['replay']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('required');
  });

  it('rejects start flags at top level with exit 2', async () => {
    const result = await run(['--cli', 'claude']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--cli'");
  });
});
