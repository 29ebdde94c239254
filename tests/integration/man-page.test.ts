// `git paw --help`: git turns it into `man git-paw`, so the package ships a manual page built from
// the CLI's own help, and a global npm install puts it where man looks.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI_PATH } from '../helpers/run-cli.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

const PROJECT = fileURLToPath(new URL('../../', import.meta.url));
const PAGE = join(PROJECT, 'dist', 'man', 'git-paw.1');

function hasMan(): boolean {
  return spawnSync('sh', ['-c', 'command -v man'], { stdio: 'ignore' }).status === 0;
}
const skipWithoutMan = !hasMan() && !process.env.CI;

/** The commands the CLI's own top-level help lists (but `help`). */
function listedCommands(): string[] {
  const help = execFileSync(process.execPath, [CLI_PATH, '--help'], { encoding: 'utf8' });
  const section = help.split(/^Commands:$/m)[1]?.split(/^\S/m)[0] ?? '';
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)]
    .map((match) => match[1] as string)
    .filter((name) => name !== 'help');
}

let sandbox: Sandbox;
beforeEach(() => {
  sandbox = createSandbox();
});
afterEach(() => sandbox.cleanup());

/** Drops nroff's overstrike (`X\\bX` bold, `_\\bX` underline): each backspace and the character before it. */
function stripOverstrike(text: string): string {
  return text.replace(new RegExp(`.${String.fromCharCode(8)}`, 'g'), '');
}

/** man's output as plain text (no pager, no overstrike bold), in `env`. */
function manText(
  args: string[],
  env: NodeJS.ProcessEnv,
  program = 'man',
): { status: number | null; text: string } {
  const result = spawnSync(program, args, {
    cwd: sandbox.repo,
    env: {
      ...env,
      MANPAGER: 'cat',
      PAGER: 'cat',
      MANWIDTH: '100',
      MAN_KEEP_FORMATTING: '',
      GROFF_NO_SGR: '1',
    },
    encoding: 'utf8',
  });
  return { status: result.status, text: stripOverstrike(`${result.stdout}${result.stderr}`) };
}

describe.skipIf(skipWithoutMan)('the manual page', () => {
  it('shows every command with its options', () => {
    const commands = listedCommands();
    expect(commands).toContain('start');
    const { status, text } = manText(['-l', PAGE], sandbox.env);
    expect(status, text).toBe(0);
    expect(text).toContain('GIT-PAW(1)');
    for (const command of commands)
      expect(text, `section of ${command}`).toMatch(new RegExp(`Usage: git-paw ${command}\\b`));
    expect(text).toContain('--branches <BRANCHES>');
  });

  it('is what `git paw --help` shows after a global npm install', () => {
    const prefix = join(sandbox.root, 'prefix');
    execFileSync(
      'npm',
      [
        'install',
        '--global',
        '--prefix',
        prefix,
        '--offline',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        PROJECT,
      ],
      {
        env: { ...process.env, npm_config_loglevel: 'error' },
        stdio: 'pipe',
      },
    );
    const env = {
      ...sandbox.env,
      PATH: `${join(prefix, 'bin')}:${sandbox.env.PATH ?? ''}`,
      MANPATH: undefined,
    };
    const { status, text } = manText(['paw', '--help'], env, 'git');
    expect(status, text).toBe(0);
    expect(text).toContain('GIT-PAW(1)');
    expect(text).toMatch(/Usage: git-paw start \[options\]/);
  });
});
