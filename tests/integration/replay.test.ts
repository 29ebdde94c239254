// `git paw replay` end to end on hand-made `.git-paw/logs/...` files (listing,
// lookup, escape stripping, less, lenient decoding). Needs a built dist/ (npm run build).
import { chmodSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

let sandbox: Sandbox;

beforeEach(() => {
  sandbox = createSandbox();
});

afterEach(() => {
  sandbox.cleanup();
});

function logPath(session: string, file: string): string {
  return join(sandbox.repo, '.git-paw', 'logs', session, file);
}

function writeLog(session: string, file: string, content: string | Buffer): string {
  const path = logPath(session, file);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

function setMtime(path: string, seconds: number): void {
  utimesSync(path, seconds, seconds);
}

function replay(args: string[], env: NodeJS.ProcessEnv = sandbox.env, cwd = sandbox.repo) {
  return runCli(['replay', ...args], { cwd, env });
}

function standardLogs(): void {
  writeLog('paw-test', 'feat--auth.log', 'auth \x1b[1mlog\x1b[0m\n');
  writeLog('paw-test', 'main.log', '\x1b[31mred\x1b[0m plain');
}

describe('replay --list', () => {
  it('says there are no sessions when no logs dir exists', async () => {
    const result = await replay(['--list']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe('No log sessions found. Start a session with logging enabled to capture output.\n');
  });

  it('lists sessions and their logs', async () => {
    standardLogs();
    writeLog('paw-other', 'fix--x.log', 'x');
    writeLog('paw-test', 'notes.txt', 'not a log');
    const result = await replay(['--list']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      'paw-other (1 branch)\n' +
        '  fix--x.log  →  fix/x\n' +
        'paw-test (2 branches)\n' +
        '  feat--auth.log  →  feat/auth\n' +
        '  main.log  →  main\n',
    );
  });

  it('works from a subdirectory of the repo', async () => {
    standardLogs();
    const sub = join(sandbox.repo, 'deep', 'er');
    mkdirSync(sub, { recursive: true });
    const result = await replay(['--list'], sandbox.env, sub);
    expect(result.stdout).toContain('paw-test (2 branches)');
  });

  it('fails outside a git repository', async () => {
    const result = await replay(['--list'], sandbox.env, sandbox.root);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: Not a git repository. Run git-paw from inside a git project.\n');
  });
});

describe('replay BRANCH', () => {
  it('prints the log with escape codes stripped', async () => {
    standardLogs();
    const result = await replay(['main', '--session', 'paw-test']);
    expect(result).toEqual({ code: 0, stdout: 'red plain', stderr: '' });
  });

  it('finds a log by branch, file stem or file name', async () => {
    standardLogs();
    const outputs = await Promise.all(['feat--auth', 'feat/auth', 'feat--auth.log'].map((query) => replay([query])));
    for (const result of outputs) expect(result).toEqual({ code: 0, stdout: 'auth log\n', stderr: '' });
  });

  it('lists the available logs when nothing matches', async () => {
    standardLogs();
    const result = await replay(['nonexistent-branch', '--session', 'paw-test']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      "error: Replay error: No log matching 'nonexistent-branch' in session 'paw-test'. Available branches:\n" +
        '  feat--auth.log  →  feat/auth\n' +
        '  main.log  →  main\n',
    );
  });

  it('rejects an unknown --session and points at --list', async () => {
    standardLogs();
    const result = await replay(['main', '--session', 'nope']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "error: Replay error: Session 'nope' not found. Run `git paw replay --list` to see available sessions.\n",
    );
  });

  it('fails clearly when there are no log sessions at all', async () => {
    const result = await replay(['main']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: Replay error: No log sessions found. Session logging may not be enabled.\n');
  });

  it('reads the session with the newest log file by default', async () => {
    const newer = writeLog('paw-new', 'main.log', 'from paw-new');
    const older = writeLog('paw-old', 'main.log', 'from paw-old');
    setMtime(newer, 2_000_000_000);
    setMtime(older, 1_000_000_000);
    // Directory mtimes point the other way: upstream would pick paw-old.
    setMtime(join(newer, '..'), 1_000_000_000);
    setMtime(join(older, '..'), 2_000_000_000);
    expect((await replay(['main'])).stdout).toBe('from paw-new');

    setMtime(older, 2_100_000_000);
    expect((await replay(['main'])).stdout).toBe('from paw-old');
  });

  it('matches a unique prefix or substring of a branch', async () => {
    writeLog('paw-test', 'feat--auth.log', 'auth');
    writeLog('paw-test', 'fix--login-bug.log', 'login');
    writeLog('paw-test', 'main.log', 'main');
    expect(await replay(['feat/a'])).toEqual({ code: 0, stdout: 'auth', stderr: '' });
    expect(await replay(['fix--lo'])).toEqual({ code: 0, stdout: 'login', stderr: '' });
    expect(await replay(['ma'])).toEqual({ code: 0, stdout: 'main', stderr: '' });
    expect(await replay(['bug'])).toEqual({ code: 0, stdout: 'login', stderr: '' });
  });

  it('lists the candidates of an ambiguous match', async () => {
    writeLog('paw-test', 'feat--api.log', 'api');
    writeLog('paw-test', 'feat--auth.log', 'auth');
    writeLog('paw-test', 'main.log', 'main');
    const result = await replay(['feat']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      "error: Replay error: 'feat' matches more than one log in session 'paw-test':\n" +
        '  feat--api.log  →  feat/api\n' +
        '  feat--auth.log  →  feat/auth\n' +
        'hint: give more of the branch name, or the full log file name\n',
    );
  });

  it('strips OSC titles and keeps hyperlink text', async () => {
    writeLog('paw-test', 'title.log', '\x1b]0;t\x07');
    writeLog('paw-test', 'link.log', '\x1b]8;;u\x1b\\x\x1b]8;;\x1b\\');
    expect(await replay(['title'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await replay(['link'])).toEqual({ code: 0, stdout: 'x', stderr: '' });
  });

  it('collapses progress redraws and removes charset remnants', async () => {
    writeLog('paw-test', 'main.log', '\x1b(B\x1b[mStep 1%\rStep 50%\rStep 100%\r\nok\x1b(B\r\n');
    expect((await replay(['main'])).stdout).toBe('Step 100%\nok\n');
  });

  it('prints invalid UTF-8 leniently instead of failing', async () => {
    writeLog('paw-test', 'main.log', Buffer.concat([Buffer.from('before '), Buffer.from([0xff, 0xfe]), Buffer.from(' after')]));
    const result = await replay(['main']);
    expect(result).toEqual({ code: 0, stdout: 'before \uFFFD\uFFFD after', stderr: '' });
  });

  it('prints nothing for an empty log', async () => {
    writeLog('paw-test', 'main.log', '');
    expect(await replay(['main'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await replay(['main', '--color'])).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('names a log that cannot be read (dangling link)', async () => {
    writeLog('paw-test', 'main.log', 'main');
    const broken = logPath('paw-test', 'feat--gone.log');
    symlinkSync(join(sandbox.root, 'no-such-file'), broken);
    const list = await replay(['--list']);
    expect(list.stdout).toContain('  feat--gone.log  →  feat/gone');
    const result = await replay(['feat/gone']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`error: Replay error: cannot read log file '${broken}': no such file or directory\n`);
  });

  // Root reads files regardless of their mode, so the permission case can only be shown as a
  // normal user; the dangling-link test above covers the unreadable path for root.
  it.skipIf(process.getuid?.() === 0)('names a log without read permission', async () => {
    const path = writeLog('paw-test', 'main.log', 'secret');
    chmodSync(path, 0o000);
    const result = await replay(['main']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: Replay error: cannot read log file '${path}': permission denied\n`);
  });
});

describe('replay --color', () => {
  it('passes raw bytes through less -R', async () => {
    standardLogs();
    const result = await replay(['main', '--color', '--session', 'paw-test']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('\x1b[31mred\x1b[0m plain');
    expect(result.stderr).toBe('');
  });

  it('prints raw bytes with a warning when less is missing', async () => {
    standardLogs();
    const gitOnly = join(sandbox.root, 'git-only-bin');
    mkdirSync(gitOnly);
    symlinkSync('/usr/bin/git', join(gitOnly, 'git'));
    const result = await replay(['main', '--color', '--session', 'paw-test'], { ...sandbox.env, PATH: gitOnly });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("warning: 'less' not found, printing raw output\n");
    expect(result.stdout).toBe('\x1b[31mred\x1b[0m plain');
  });
});
