#!/usr/bin/env node
// The built-in demo agent that `git paw demo` runs in each pane instead of an AI CLI. It talks to
// the session's broker exactly as the coordination skill teaches a real agent (status, inbox
// polling with a cursor, blocked, artifact) and narrates what it does, so a newcomer sees the
// panes and the dashboard come alive within seconds. Plain node, no dependencies: it runs as
// `node dist/demo/agent.js` with GIT_PAW_BROKER_URL, GIT_PAW_BROKER_TOKEN and GIT_PAW_AGENT_ID.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { describeError } from '../util/errors.js';

/** provider finishes something others need; consumer blocks on the provider; writer documents. */
export type DemoRole = 'provider' | 'consumer' | 'writer' | 'solo';

export interface DemoSettings {
  brokerUrl: string;
  token: string | undefined;
  agentId: string;
  role: DemoRole;
  /** Agent the consumer waits for; discovered from /status when not given. */
  peer: string | undefined;
  /** Milliseconds per script step (1000 / GIT_PAW_DEMO_SPEED). */
  stepMs: number;
}

export interface InboxMessage {
  type: string;
  agent_id: string;
  payload: { status?: string; exports?: string[]; needs?: string; from?: string; message?: string | null };
}

export interface InboxReply {
  messages: InboxMessage[];
  last_seq: number;
}

const ROLES: readonly DemoRole[] = ['provider', 'consumer', 'writer', 'solo'];
const DEFAULT_PROVIDER = 'feat-api';
/** How long the agent keeps retrying a broker that does not answer before giving up. */
const PATIENCE_MS = 120_000;

/** Role of an agent from its id: `feat-api` provides, `feat-ui` consumes, `feat-docs` writes. */
export function roleOf(agentId: string): DemoRole {
  if (/(^|-)api($|-)/.test(agentId)) return 'provider';
  if (/(^|-)(ui|web|frontend)($|-)/.test(agentId)) return 'consumer';
  if (/(^|-)docs?($|-)/.test(agentId)) return 'writer';
  return 'solo';
}

function optionValue(argv: readonly string[], name: string): string | undefined {
  const index = argv.indexOf(name);
  return index >= 0 ? argv[index + 1] : undefined;
}

/** Settings from the environment and `--role R`, `--peer ID`, `--agent-id ID`; throws a one-line reason. */
export function readSettings(env: NodeJS.ProcessEnv, argv: readonly string[]): DemoSettings {
  const brokerUrl = env.GIT_PAW_BROKER_URL?.replace(/\/+$/, '');
  if (!brokerUrl)
    throw new Error('GIT_PAW_BROKER_URL is not set (the demo agent runs inside `git paw demo`)');
  const agentId = optionValue(argv, '--agent-id') ?? env.GIT_PAW_AGENT_ID;
  if (!agentId || !/^[a-z0-9_-]+$/.test(agentId)) {
    throw new Error(
      `GIT_PAW_AGENT_ID must be a valid agent id ([a-z0-9_-]+), got ${JSON.stringify(agentId ?? '')}`,
    );
  }
  const roleText = optionValue(argv, '--role');
  if (roleText !== undefined && !ROLES.includes(roleText as DemoRole)) {
    throw new Error(`--role must be one of ${ROLES.join(', ')}`);
  }
  const speed = Number(env.GIT_PAW_DEMO_SPEED ?? '1');
  if (!Number.isFinite(speed) || speed <= 0) throw new Error('GIT_PAW_DEMO_SPEED must be a positive number');
  return {
    brokerUrl,
    token: env.GIT_PAW_BROKER_TOKEN || undefined,
    agentId,
    role: (roleText as DemoRole | undefined) ?? roleOf(agentId),
    peer: optionValue(argv, '--peer'),
    stepMs: 1000 / speed,
  };
}

/** The cursor rule: move to `last_seq` only on a non-empty reply; an empty one keeps the cursor. */
export function advanceCursor(since: number, reply: InboxReply): number {
  return reply.messages.length > 0 ? Math.max(since, reply.last_seq) : since;
}

/** One line about a message found in the inbox. */
export function describeInboxMessage(message: InboxMessage): string {
  const { payload } = message;
  if (message.type === 'agent.artifact') {
    const exports = payload.exports?.length ? `, exports ${payload.exports.join(', ')}` : '';
    return `${message.agent_id} is ${payload.status ?? 'done'}${exports}`;
  }
  if (message.type === 'agent.blocked')
    return `${message.agent_id} is blocked and needs "${payload.needs ?? ''}" from me`;
  return `${message.agent_id}: ${message.type}`;
}

class BrokerGaveUp extends Error {}

/** A demo agent run: HTTP with polite retries, narration, and the role scripts. */
class DemoAgent {
  private since = 0;

  constructor(
    private readonly settings: DemoSettings,
    private readonly print: (line: string) => void,
  ) {}

  private pause(steps: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, steps * this.settings.stepMs));
  }

  /** Sends one request, retrying (with backoff) while the broker is not up or failing. */
  private async request(path: string, init: { method: string; body?: string }): Promise<string> {
    const headers: Record<string, string> = {};
    if (this.settings.token) headers.Authorization = `Bearer ${this.settings.token}`;
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    const deadline = Date.now() + PATIENCE_MS;
    let waitMs = 250;
    let told = false;
    for (;;) {
      let problem: string;
      try {
        const response = await fetch(`${this.settings.brokerUrl}${path}`, {
          ...init,
          headers,
          signal: AbortSignal.timeout(5_000),
        });
        const text = await response.text();
        if (response.ok) return text;
        if (response.status < 500)
          throw new BrokerGaveUp(
            `the broker refused ${init.method} ${path}: HTTP ${response.status} ${text}`,
          );
        problem = `HTTP ${response.status}`;
      } catch (error) {
        if (error instanceof BrokerGaveUp) throw error;
        const cause = (error as { cause?: { code?: string } }).cause;
        problem = cause?.code ?? describeError(error);
      }
      if (Date.now() > deadline)
        throw new BrokerGaveUp(
          `the broker at ${this.settings.brokerUrl} did not answer (${problem}); giving up`,
        );
      if (!told) this.print(`… waiting for the broker at ${this.settings.brokerUrl} (${problem}); retrying`);
      told = true;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      waitMs = Math.min(2_000, waitMs * 2);
    }
  }

  private publish(type: string, payload: Record<string, unknown>): Promise<string> {
    return this.request('/publish', {
      method: 'POST',
      body: JSON.stringify({ type, agent_id: this.settings.agentId, payload }),
    });
  }

  private async working(message: string, modifiedFiles: string[] = []): Promise<void> {
    this.print(`→ status working: ${message}`);
    await this.publish('agent.status', { status: 'working', modified_files: modifiedFiles, message });
  }

  private async blocked(needs: string, from: string): Promise<void> {
    this.print(`→ blocked: need "${needs}" from ${from}`);
    await this.publish('agent.blocked', { needs, from });
  }

  private async done(exports: string[], modifiedFiles: string[]): Promise<void> {
    this.print(`→ artifact done${exports.length ? `: exports ${exports.join(', ')}` : ''}`);
    await this.publish('agent.artifact', { status: 'done', exports, modified_files: modifiedFiles });
  }

  /** Reads new inbox messages (cursor kept on empty replies) and narrates them. */
  private async checkInbox(): Promise<InboxMessage[]> {
    const asked = this.since;
    const reply = JSON.parse(
      await this.request(`/messages/${this.settings.agentId}?since=${asked}`, { method: 'GET' }),
    ) as InboxReply;
    this.since = advanceCursor(asked, reply);
    if (reply.messages.length === 0) this.print(`← inbox since ${asked}: nothing new`);
    for (const message of reply.messages)
      this.print(`← inbox since ${asked}: ${describeInboxMessage(message)}`);
    return reply.messages;
  }

  /** Polls once per step until a message matching `wanted` arrives (bounded, so the demo always ends). */
  private async awaitMessage(
    what: string,
    wanted: (message: InboxMessage) => boolean,
    maxSteps: number,
  ): Promise<InboxMessage[]> {
    for (let step = 0; step < maxSteps; step += 1) {
      const found = (await this.checkInbox()).filter(wanted);
      if (found.length > 0) return found;
      await this.pause(1);
    }
    this.print(`… stopped waiting for ${what}; carrying on`);
    return [];
  }

  private async peerIds(): Promise<string[]> {
    const status = JSON.parse(await this.request('/status', { method: 'GET' })) as {
      agents?: { agent_id: string }[];
    };
    return (status.agents ?? []).map((agent) => agent.agent_id).filter((id) => id !== this.settings.agentId);
  }

  /** The provider the consumer depends on: given, else found in /status, else `feat-api`. */
  private async discoverProvider(): Promise<string> {
    if (this.settings.peer) return this.settings.peer;
    return (await this.peerIds()).find((id) => roleOf(id) === 'provider') ?? DEFAULT_PROVIDER;
  }

  private async runProvider(): Promise<void> {
    await this.working('reading the /users spec');
    await this.pause(2);
    await this.working('implementing GET /users', ['src/api/users.ts']);
    await this.pause(2);
    // A consumer in the session will ask for the types; answer it before finishing.
    const expectsRequest = (await this.peerIds()).some((id) => roleOf(id) === 'consumer');
    const requests = expectsRequest
      ? await this.awaitMessage('a request from a peer', (message) => message.type === 'agent.blocked', 10)
      : await this.checkInbox();
    const askers = requests
      .filter((message) => message.type === 'agent.blocked')
      .map((message) => message.agent_id);
    if (askers.length > 0)
      await this.working(`finishing UserApi types for ${askers.join(', ')}`, ['src/api/types.ts']);
    await this.pause(2);
    await this.done(['UserApi', 'GET /users'], ['src/api/users.ts', 'src/api/types.ts']);
  }

  private async runConsumer(): Promise<void> {
    await this.working('sketching the user list screen', ['src/ui/UserList.tsx']);
    await this.pause(2);
    const provider = await this.discoverProvider();
    await this.blocked('UserApi types', provider);
    const fromProvider = (message: InboxMessage) =>
      message.type === 'agent.artifact' && message.agent_id === provider;
    await this.awaitMessage(`${provider}'s artifact`, fromProvider, 60);
    await this.working('wiring the user list to UserApi', ['src/ui/UserList.tsx']);
    await this.pause(1);
    await this.done(['UserList'], ['src/ui/UserList.tsx']);
  }

  private async runWriter(): Promise<void> {
    await this.working('outlining the user guide', ['docs/guide.md']);
    await this.pause(3);
    await this.working('writing the quick start', ['docs/guide.md']);
    await this.pause(1);
    await this.awaitMessage("a peer's artifact", (message) => message.type === 'agent.artifact', 60);
    await this.working('documenting what the others exported', ['docs/guide.md']);
    await this.pause(1);
    await this.done(['user guide'], ['docs/guide.md']);
  }

  private async runSolo(): Promise<void> {
    await this.working('warming up');
    await this.pause(2);
    await this.working('making a small change', ['README.md']);
    await this.pause(2);
    await this.checkInbox();
    await this.done([], ['README.md']);
  }

  async run(): Promise<void> {
    const { agentId, role, brokerUrl } = this.settings;
    this.print(`git-paw demo agent ${agentId} (${role}) talking to ${brokerUrl}`);
    const scripts: Record<DemoRole, () => Promise<void>> = {
      provider: () => this.runProvider(),
      consumer: () => this.runConsumer(),
      writer: () => this.runWriter(),
      solo: () => this.runSolo(),
    };
    await scripts[role]();
    // Exit rather than idle: the pane drops back to its shell, where the newcomer can try the API.
    this.print('✓ done; this pane is a shell again. Try:');
    this.print('  curl -s "$GIT_PAW_BROKER_URL/status"');
  }
}

export interface DemoOutput {
  print: (line: string) => void;
  error: (line: string) => void;
}

/** Entry point: runs the script for this agent; returns the process exit code. */
export async function runDemoAgent(
  env: NodeJS.ProcessEnv,
  argv: readonly string[],
  output: DemoOutput,
): Promise<number> {
  let settings: DemoSettings;
  try {
    settings = readSettings(env, argv);
  } catch (error) {
    output.error(`error: demo agent: ${(error as Error).message}`);
    return 2;
  }
  try {
    await new DemoAgent(settings, output.print).run();
    return 0;
  } catch (error) {
    output.error(`error: demo agent: ${describeError(error)}`);
    return 1;
  }
}

function isMainModule(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isMainModule()) {
  process.exitCode = await runDemoAgent(process.env, process.argv.slice(2), {
    print: (line) => process.stdout.write(`${line}\n`),
    error: (line) => process.stderr.write(`${line}\n`),
  });
}
