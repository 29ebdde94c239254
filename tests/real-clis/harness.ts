// Runs one real AI CLI (Claude Code, Codex or Gemini CLI, pinned, from the install cache) in a
// pane git-paw launched, against a mock model server: a sandbox whose HOME holds the CLI's
// first-run answers (written here, in the test HOME only), a repo with the branch's own committed
// instruction files, `git paw start` with the broker on, and helpers to type into the pane, read
// the screen and read the agent's state from the broker. Closing it ends every process the CLI
// started, found by the sandbox path in their command line or environment.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pollUntil } from '../helpers/poll.js';
import { runCli } from '../helpers/run-cli.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { capturePane, listPanes } from '../helpers/tmux.js';
import { randomFreePort } from '../helpers/broker-process.js';
import { startAnthropicMock } from '../helpers/mock-models/anthropic.js';
import { startGeminiMock } from '../helpers/mock-models/gemini.js';
import { startOpenAiMock } from '../helpers/mock-models/openai.js';
import type { MockModelServer } from '../helpers/mock-models/server.js';

export type RealCli = 'claude' | 'codex' | 'gemini';

/** Where scripts/install-real-clis.mjs puts the CLIs (same rule as the script). */
export function realClisDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.GIT_PAW_REAL_CLIS || join(env.HOME || homedir(), '.cache', 'git-paw', 'real-clis');
}

/** The text every branch's own instruction file carries, so a test can find it in a request. */
export const COMMITTED_MARKER: Readonly<Record<string, string>> = {
  'AGENTS.md': 'PAW-COMMITTED-AGENTS-MD: keep functions small.',
  'CLAUDE.md': 'PAW-COMMITTED-CLAUDE-MD: prefer tabs in Makefiles.',
  'GEMINI.md': 'PAW-COMMITTED-GEMINI-MD: answer in English.',
};

export const BRANCH = 'feat-a';
export const SESSION = 'paw-proj';
const API_KEY = 'sk-paw-mock-0123456789abcdefghijklmnopqrstuv';

/** The agent's entry in the broker's `/status` (only what these tests read). */
export interface AgentStatus {
  agent_id: string;
  state?: string;
  state_detail?: string;
  state_since?: string;
  state_source?: string;
  [key: string]: unknown;
}

export interface RealCliSession {
  cli: RealCli;
  sandbox: Sandbox;
  mock: MockModelServer;
  worktree: string;
  agentId: string;
  /** The agent's tmux pane id. */
  pane: string;
  screen(): string;
  waitForScreen(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Presses keys in the pane (tmux key names, e.g. `Enter`). */
  keys(...names: string[]): void;
  /** Types a prompt and submits it; resolves once the model received it. */
  submit(prompt: string): Promise<void>;
  /** Types the CLI's quit command (e.g. `/exit`) and presses Enter until the pane's shell is back. */
  quit(command: string): Promise<void>;
  /** Presses Enter on the dialog matching `dialog` until the tool's result reaches the model. */
  approve(dialog: RegExp): Promise<void>;
  /** Waits until the mock holds the turn's answer, then lets it go. */
  releaseHeldTurn(): Promise<void>;
  agent(): Promise<AgentStatus>;
  waitForState(state: string, options?: { detail?: RegExp; timeoutMs?: number }): Promise<AgentStatus>;
  close(): Promise<void>;
}

/** A text on the screen that means the CLI's input is drawn and ready. */
const READY: Record<RealCli, RegExp> = {
  claude: /\? for shortcuts/,
  codex: /\? for shortcuts|Ask Codex to do anything/,
  gemini: /Type your message/,
};

function writeJson(path: string, value: unknown): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * The first-run answers a user who has set the CLI up already has, written into the test HOME
 * only, and the environment that points the CLI at the mock. git-paw itself answers none of these.
 */
function prepareCli(
  cli: RealCli,
  sandbox: Sandbox,
  mock: MockModelServer,
  worktree: string,
): NodeJS.ProcessEnv {
  const folders = [sandbox.repo, worktree];
  switch (cli) {
    case 'claude':
      writeJson(join(sandbox.home, '.claude.json'), {
        hasCompletedOnboarding: true,
        customApiKeyResponses: { approved: [API_KEY.slice(-20)], rejected: [] },
        projects: Object.fromEntries(folders.map((dir) => [dir, { hasTrustDialogAccepted: true }])),
      });
      return {
        ANTHROPIC_BASE_URL: mock.url,
        ANTHROPIC_API_KEY: API_KEY,
        DISABLE_AUTOUPDATER: '1',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      };
    case 'codex': {
      const codexHome = join(sandbox.home, '.codex');
      mkdirSync(codexHome, { recursive: true });
      // No retries: an error reaches the screen at once. on-request: a command that asks to leave
      // the sandbox waits for the user.
      const config = [
        'model = "gpt-mock"',
        'model_provider = "mock"',
        'approval_policy = "on-request"',
        '',
        '[model_providers.mock]',
        'name = "Mock"',
        `base_url = "${mock.url}/v1"`,
        'wire_api = "responses"',
        'env_key = "MOCK_API_KEY"',
        'request_max_retries = 0',
        'stream_max_retries = 0',
        '',
        '[tui]',
        'screen_reader_detection_done = true',
        '',
        ...folders.flatMap((dir) => [`[projects."${dir}"]`, 'trust_level = "trusted"', '']),
      ];
      writeFileSync(join(codexHome, 'config.toml'), config.join('\n'));
      return { CODEX_HOME: codexHome, MOCK_API_KEY: API_KEY };
    }
    case 'gemini':
      // A fixed model and one attempt: Gemini's automatic model routing retries on its own schedule.
      writeJson(join(sandbox.home, '.gemini', 'settings.json'), {
        security: { auth: { selectedType: 'gemini-api-key' } },
        model: { name: 'gemini-2.5-flash' },
        general: { maxAttempts: 1 },
      });
      writeJson(
        join(sandbox.home, '.gemini', 'trustedFolders.json'),
        Object.fromEntries(folders.map((dir) => [dir, 'TRUST_FOLDER'])),
      );
      return { GEMINI_API_KEY: API_KEY, GOOGLE_GEMINI_BASE_URL: mock.url };
  }
}

function startMock(cli: RealCli): Promise<MockModelServer> {
  if (cli === 'claude') return startAnthropicMock();
  if (cli === 'codex') return startOpenAiMock();
  return startGeminiMock();
}

/**
 * A private parent for sandboxes: Gemini CLI refuses its settings layer under any group- or
 * world-writable directory (so not /tmp), and the session's data dir lives inside the sandbox.
 */
function sandboxParent(): string {
  const dir = join(realClisDir(), 'sandboxes');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** Pids of live processes whose command line or environment names `path` (the sandbox root). */
export function processesUnder(path: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (cmdline.includes(path) || environ.includes(path)) pids.push(pid);
    } catch {
      // The process ended while we looked, or is not ours to read.
    }
  }
  return pids;
}

function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // Already gone.
    }
  }
}

function httpGetJson(port: number, path: string, token: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`GET ${path} answered ${res.statusCode}: ${body}`));
          else resolve(JSON.parse(body) as unknown);
        });
      },
    );
    req.on('error', reject);
    req.setTimeout(5_000, () => req.destroy(new Error(`GET ${path} timed out`)));
    req.end();
  });
}

/** Launches `cli` with git-paw in a fresh sandbox and waits until its input is ready. */
export async function startRealCliSession(cli: RealCli): Promise<RealCliSession> {
  const bin = join(realClisDir(), 'node_modules', '.bin');
  const sandbox = createSandbox({ parentDir: sandboxParent(), pathDirs: [bin] });
  const mock = await startMock(cli);
  const worktree = join(sandbox.root, `proj-${BRANCH}`);
  let session: RealCliSession | undefined;
  try {
    for (const [file, text] of Object.entries(COMMITTED_MARKER))
      writeFileSync(join(sandbox.repo, file), `${text}\n`);
    sandbox.git(['add', '.']);
    sandbox.git(['commit', '-q', '-m', 'the branch has its own instruction files']);
    Object.assign(sandbox.env, prepareCli(cli, sandbox, mock, worktree));
    sandbox.writeRepoConfig(`[broker]\nenabled = true\nport = ${await randomFreePort()}\n`);

    const started = await runCli(['start', '--cli', cli, '--branches', BRANCH, '--no-attach'], {
      cwd: sandbox.repo,
      env: sandbox.env,
    });
    if (started.code !== 0) {
      throw new Error(`git paw start exited ${started.code}\n${started.stdout}\n${started.stderr}`);
    }
    const state = JSON.parse(
      readFileSync(join(sandbox.home, '.local', 'share', 'git-paw', 'sessions', `${SESSION}.json`), 'utf8'),
    ) as { broker_port: number; broker_token: string };
    const pane = listPanes(sandbox, SESSION).find((p) => p.path === worktree)?.id;
    if (pane === undefined)
      throw new Error(`no pane in ${worktree}: ${JSON.stringify(listPanes(sandbox, SESSION))}`);

    const screen = (): string => capturePane(sandbox, pane);
    const waitForScreen = async (pattern: RegExp, timeoutMs = 30_000): Promise<string> =>
      pollUntil(screen, (text) => pattern.test(text), {
        timeoutMs,
        intervalMs: 200,
        what: `pane to show ${pattern}`,
      });
    const keys = (...names: string[]): void => void sandbox.tmux(['send-keys', '-t', pane, ...names]);
    const type = (text: string): void => void sandbox.tmux(['send-keys', '-t', pane, '-l', text]);
    const agent = async (): Promise<AgentStatus> => {
      const status = (await httpGetJson(state.broker_port, '/status', state.broker_token)) as {
        agents: AgentStatus[];
      };
      const entry = status.agents.find((a) => a.agent_id === BRANCH);
      if (entry === undefined) throw new Error(`no agent ${BRANCH} in /status: ${JSON.stringify(status)}`);
      return entry;
    };
    const withScreen = async <T>(work: Promise<T>): Promise<T> => {
      try {
        return await work;
      } catch (error) {
        throw new Error(`${(error as Error).message}\n--- pane ---\n${screen()}`);
      }
    };

    /**
     * Enter until `done()`: the CLIs draw their input before they accept a submission, drop or
     * keep text typed too early, and take text plus Enter sent at once for a paste.
     */
    const typeAndEnter = async (text: string, done: () => boolean, what: string): Promise<void> => {
      const visible = text.slice(0, 24);
      const deadline = Date.now() + 60_000;
      type(text);
      while (Date.now() < deadline) {
        const shown = await pollUntil(screen, (s) => s.includes(visible), {
          timeoutMs: 3_000,
          intervalMs: 100,
        }).then(
          () => true,
          () => false,
        );
        if (!shown && !done()) {
          type(text);
          continue;
        }
        keys('Enter');
        const ok = await pollUntil(done, (d) => d, { timeoutMs: 3_000, intervalMs: 100 }).then(
          () => true,
          () => false,
        );
        if (ok) return;
      }
      throw new Error(`timed out submitting ${what}\n--- pane ---\n${screen()}`);
    };

    session = {
      cli,
      sandbox,
      mock,
      worktree,
      agentId: BRANCH,
      pane,
      screen,
      waitForScreen: (pattern, timeoutMs) => withScreen(waitForScreen(pattern, timeoutMs)),
      keys,
      agent,
      async submit(prompt) {
        const before = mock.requests.length;
        const received = (): boolean =>
          mock.requests.slice(before).some((r) => r.answered !== 'side' && r.prompt.includes(prompt));
        await typeAndEnter(prompt, received, JSON.stringify(prompt));
      },
      async approve(dialog) {
        // Done when the tool's result reaches the model: the dialog's text can vanish for a
        // moment while the CLI redraws, and Gemini CLI ignores keys just after it draws a dialog.
        const before = mock.requests.length;
        const approved = (): boolean => mock.requests.slice(before).some((r) => r.answered === 'tool-result');
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline) {
          if (dialog.test(screen())) keys('Enter');
          const ok = await pollUntil(approved, (a) => a, { timeoutMs: 2_000, intervalMs: 100 }).then(
            () => true,
            () => false,
          );
          if (ok) return;
        }
        throw new Error(`dialog ${dialog} not approved by Enter\n--- pane ---\n${screen()}`);
      },
      async releaseHeldTurn() {
        // The state can change before the CLI's request reaches the mock (a hook fires first).
        await withScreen(
          pollUntil(
            () => mock.heldCount(),
            (n) => n > 0,
            { timeoutMs: 30_000, what: 'a held request at the mock' },
          ),
        );
        mock.release();
      },
      async quit(command) {
        const shellBack = (): boolean =>
          /^(?:sh|bash|dash|zsh)$/.test(
            sandbox.tmux(['display-message', '-p', '-t', pane, '#{pane_current_command}']),
          );
        await typeAndEnter(command, shellBack, command);
      },
      waitForState: (wanted, options = {}) =>
        withScreen(
          pollUntil(
            agent,
            (a) =>
              a.state === wanted &&
              (options.detail === undefined || options.detail.test(a.state_detail ?? '')),
            {
              timeoutMs: options.timeoutMs ?? 30_000,
              intervalMs: 100,
              what: `agent state ${wanted} ${options.detail ?? ''}`,
            },
          ),
        ),
      async close() {
        await closeAll(sandbox, mock);
      },
    };
    await session.waitForScreen(READY[cli], 60_000);
    return session;
  } catch (error) {
    if (session === undefined) await closeAll(sandbox, mock);
    throw error;
  }
}

/** Ends the tmux server, then every process still naming the sandbox (e.g. Codex's daemon). */
async function closeAll(sandbox: Sandbox, mock: MockModelServer): Promise<void> {
  try {
    execFileSync('tmux', ['kill-server'], { env: sandbox.env, stdio: 'ignore' });
  } catch {
    // No server was running.
  }
  signal(processesUnder(sandbox.root), 'SIGTERM');
  const left = await pollUntil(
    () => processesUnder(sandbox.root),
    (pids) => pids.length === 0,
    { timeoutMs: 5_000, intervalMs: 100 },
  ).catch(() => processesUnder(sandbox.root));
  signal(left, 'SIGKILL');
  await mock.close();
  await pollUntil(
    () => processesUnder(sandbox.root),
    (pids) => pids.length === 0,
    { timeoutMs: 5_000, what: `processes of ${sandbox.root} to end` },
  );
  sandbox.cleanup();
}
