// Robustness when the data dir cannot take the state or the message log: a full disk (a 4 KiB
// tmpfs over the sessions dir, filled up, in a private mount namespace), a file-size limit (`ulimit -f` or
// `prlimit`, EFBIG), a read-only data dir (read-only mount) and a data dir below a regular file
// (ENOTDIR). Tests run as root, so permissions alone would not stop a write; these are real
// kernel refusals. Each must give one clear error and leave no partial state, temp file or line.
import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { shellJoin } from '../../src/util/shell.js';
import { startBrokerProcess, type RunningBroker } from '../helpers/broker-process.js';
import { pollUntil } from '../helpers/poll.js';
import { CLI_PATH, type CliResult } from '../helpers/run-cli.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { skipWithoutTmux } from '../helpers/tmux.js';
import {
  expectNothingCreated,
  liveSessions,
  paw,
  pawOk,
  readState,
  sessionsDirOf,
  statePath,
} from '../helpers/lifecycle.js';

/** Whether this machine lets us mount a tmpfs in a private mount namespace (root + CAP_SYS_ADMIN). */
function mountProblem(): string | undefined {
  const probe = mkdtempSync(join(tmpdir(), 'paw-mount-probe-'));
  try {
    execFileSync('unshare', ['-m', 'sh', '-c', `mount -t tmpfs -o size=4k tmpfs '${probe}'`], {
      stdio: 'pipe',
    });
    return undefined;
  } catch (error) {
    return `cannot mount in a private mount namespace here (${String((error as { stderr?: Buffer }).stderr ?? error).trim()})`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}
const noMount = mountProblem();
if (noMount) console.warn(`skipping the tmpfs / read-only mount variants: ${noMount}`);

/** Runs a sh script (`$PAW` = the built CLI) with the sandbox's environment. */
function sh(sandbox: Sandbox, script: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script], {
      cwd: sandbox.repo,
      env: { ...sandbox.env, PAW: shellJoin([process.execPath, CLI_PATH]) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, stdout, stderr });
    });
  });
}

const START = 'eval "$PAW start --cli claude --branches feat/a,feat/b"';
const BRANCH_WARNINGS =
  "warning: branch 'feat/a' does not exist; it will be created from HEAD\n" +
  "warning: branch 'feat/b' does not exist; it will be created from HEAD\n";

describe.skipIf(skipWithoutTmux)('a data dir that cannot take the state', () => {
  let sandbox: Sandbox;
  let sessions: string;
  beforeEach(() => {
    sandbox = createSandbox({ broker: false });
    sandbox.fakeCli('claude');
    sessions = sessionsDirOf(sandbox);
    mkdirSync(sessions, { recursive: true, mode: 0o700 });
  });
  afterEach(() => sandbox.cleanup());

  function expectSaveError(stderr: string, cause: string): void {
    expect(stderr).toBe(
      BRANCH_WARNINGS +
        `error: Session error: cannot save session state '${statePath(sandbox)}': ${cause}\n` +
        `hint: make sure ${sessions} is writable\n`,
    );
  }

  it.skipIf(noMount)(
    'disk full while saving the state: clear error, launch rolled back, no temp file',
    async () => {
      // A filler takes the tmpfs's only page (the repo lock lives in its own dir, not here); the
      // state's temp file then gets ENOSPC. The filler goes before listing what start left.
      const result = await sh(
        sandbox,
        `unshare -m sh -c 'mount -t tmpfs -o size=4k,mode=0700 tmpfs "$0" && head -c 4096 /dev/zero > "$0/.filler" && { ${START}; echo "rc=$?"; rm "$0/.filler"; ls -A "$0"; }' '${sessions}'`,
      );
      expect(result.stdout).toBe('rc=1\n');
      expectSaveError(result.stderr, 'ENOSPC: no space left on device, write');
      expectNothingCreated(sandbox);
    },
  );

  it('a file-size limit (ulimit -f) while saving the state: EFBIG, rolled back, no cut-off file', async () => {
    // 512 bytes hold the lock, the worktrees' git files and AGENTS.md, but not the state (~560).
    const result = await sh(sandbox, `ulimit -f 1 && ${START}`);
    expect(result.code).toBe(1);
    expectSaveError(result.stderr, 'EFBIG: file too large, write');
    expectNothingCreated(sandbox);
    expect(readdirSync(sessions)).toEqual([]);
  });

  it.skipIf(noMount)('a read-only data dir: start refuses before creating anything', async () => {
    // The whole git-paw data dir (locks and sessions, as an earlier run left them) is read-only.
    mkdirSync(join(dirname(sessions), 'locks'), { mode: 0o700 });
    const result = await sh(
      sandbox,
      `unshare -m sh -c 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && ${START}' '${dirname(sessions)}'`,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error: Session error: cannot create lock file '.*\.lock\.1': EROFS: read-only file system, open '.*\.lock\.1\.\d+\.tmp'\n$/,
    );
    expectNothingCreated(sandbox);
  });

  it.skipIf(noMount)(
    'a data dir turned read-only under a live session: status works, stop refuses and changes nothing',
    async () => {
      await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
      const saved = readFileSync(statePath(sandbox), 'utf8');
      const readOnly = (command: string) =>
        sh(
          sandbox,
          `unshare -m sh -c 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && ${command}' '${dirname(sessions)}'`,
        );

      const status = await readOnly('eval "$PAW status"');
      expect(status.code).toBe(0);
      expect(status.stdout).toContain('Status:  🟢 active\n');
      const stop = await readOnly('eval "$PAW stop"');
      expect(stop.code).toBe(1);
      expect(stop.stderr).toMatch(
        /^error: Session error: cannot create lock file '.*': EROFS: read-only file system/,
      );
      expect(liveSessions(sandbox)).toEqual(['paw-proj']);
      expect(readFileSync(statePath(sandbox), 'utf8')).toBe(saved);
      expect(readState(sandbox).status).toBe('active');
    },
  );

  it('a data dir below a regular file (ENOTDIR): start, status and purge say so, nothing is created', async () => {
    const file = join(sandbox.root, 'not-a-dir');
    writeFileSync(file, 'x');
    const env = { XDG_DATA_HOME: join(file, 'data') };
    const dir = join(file, 'data', 'git-paw', 'sessions');
    // The repo lock is taken first, so start and purge trip over its dir before the sessions dir.
    const locks = join(file, 'data', 'git-paw', 'locks');

    const start = await paw(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a'], { env });
    expect(start).toMatchObject({ code: 1, stdout: '' });
    expect(start.stderr).toBe(
      `error: Session error: cannot create lock directory '${locks}': ENOTDIR: not a directory, mkdir '${locks}'\n`,
    );
    const status = await paw(sandbox, ['status'], { env });
    expect(status.code).toBe(1);
    expect(status.stderr).toBe(
      `error: Session error: failed to read ${dir}: ENOTDIR: not a directory, scandir '${dir}'\n`,
    );
    const purge = await paw(sandbox, ['purge', '--force'], { env });
    expect(purge.code).toBe(1);
    expect(purge.stderr).toContain(`cannot create lock directory '${locks}': ENOTDIR`);
    expectNothingCreated(sandbox);
    expect(existsSync(join(file, 'data'))).toBe(false);
  });
});

describe('a message log that stops growing half-way through a write', () => {
  let broker: RunningBroker | undefined;
  afterEach(async () => {
    await broker?.stop();
    broker = undefined;
  });

  it('a failed batch leaves no line behind: replay has no duplicate seq and every 202 is delivered once', async () => {
    broker = await startBrokerProcess('paw-torn', {
      roster: [
        { branch: 'feat/a', cli: 'claude' },
        { branch: 'feat/b', cli: 'claude' },
      ],
    });
    const { url, token, logPath } = broker.plan;
    const headers = { authorization: `Bearer ${token ?? ''}` };
    const publish = async (marker: string) => {
      const reply = await fetch(`${url}/publish`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'agent.artifact',
          agent_id: 'feat-a',
          payload: { status: 'done', exports: [marker], modified_files: [] },
        }),
      });
      return { marker, status: reply.status };
    };
    const serverPid = async () => ((await (await fetch(`${url}/status`)).json()) as { pid: number }).pid;

    const acked: string[] = [];
    for (const marker of ['before-1', 'before-2', 'before-3']) {
      expect(await publish(marker)).toEqual({ marker, status: 202 });
      acked.push(marker);
    }
    // A file-size limit a line and a half above the log's size: the next batch is cut off after
    // its first line (a real EFBIG from the kernel, like a disk that fills up mid-write).
    const pid = await serverPid();
    const limit = statSync(logPath).size + 300;
    execFileSync('prlimit', ['--pid', String(pid), `--fsize=${limit}:unlimited`]);
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => publish(`burst-${i}`)));
    const refused = burst.filter((reply) => reply.status === 500);
    expect(refused.length).toBeGreaterThan(0);
    for (const reply of burst) if (reply.status === 202) acked.push(reply.marker);
    expect(statSync(logPath).size).toBeLessThanOrEqual(limit);

    execFileSync('prlimit', ['--pid', String(pid), '--fsize=unlimited:unlimited']);
    for (const marker of ['after-1', 'after-2', 'after-3']) {
      expect(await publish(marker)).toEqual({ marker, status: 202 });
      acked.push(marker);
    }

    // The broker window's loop restarts the killed server, which replays the log.
    process.kill(pid, 'SIGKILL');
    await pollUntil(
      () => serverPid(),
      (next) => next !== pid,
      { what: 'a restarted broker server' },
    );
    const inbox = (await (await fetch(`${url}/messages/feat-b`, { headers })).json()) as {
      messages: { seq: number; payload: { exports: string[] } }[];
    };
    const seqs = inbox.messages.map((message) => message.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(inbox.messages.map((message) => message.payload.exports[0]).sort()).toEqual([...acked].sort());
  });
});
