// The coordination skill as an agent meets it: every ```bash block of the rendered default is
// run as written, with bash, in an environment like a pane's (URL and token variables set, or
// the URL variable missing), against a live broker; and upstream's literal skill commands run
// against a broker with auth = "none".
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentToken } from '../../src/broker/auth.js';
import { renderSkill, resolveSkill } from '../../src/broker/client/skill.js';
import { startTestBroker, type TestBroker } from '../helpers/broker-harness.js';

let broker: TestBroker | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await broker?.cleanup();
  broker = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function bash(
  script: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', script], { env, timeout: 10_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function bashBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```bash\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
}

function renderedDefault(branch: string, brokerUrl: string): string {
  const repo = mkdtempSync(join(tmpdir(), 'paw-skill-run-'));
  dirs.push(repo);
  return renderSkill(resolveSkill(repo, { HOME: repo }).text, { branch, brokerUrl }).text;
}

const paneEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: tmpdir(),
  ...extra,
});

describe('rendered coordination skill', () => {
  it("every bash block succeeds as written with the pane's own agent token and the URL variable set", async () => {
    broker = await startTestBroker({
      token: 'c0ffee'.repeat(8),
      roster: [{ agent_id: 'feat-http-broker', cli: 'claude' }],
    });
    const blocks = bashBlocks(renderedDefault('feat/http-broker', broker.url));
    expect(blocks).toHaveLength(5);
    const env = paneEnv({
      GIT_PAW_BROKER_URL: broker.url,
      GIT_PAW_BROKER_TOKEN: agentToken(broker.token ?? '', 'feat-http-broker'),
      GIT_PAW_AGENT_ID: 'feat-http-broker',
    });
    const outputs: string[] = [];
    for (const block of blocks) {
      const result = await bash(block, env);
      expect(result, block).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).not.toContain('"error"');
      outputs.push(result.stdout);
    }
    expect(outputs[0]).toBe('{"seq":1}');
    expect(JSON.parse(outputs[1] ?? '')).toEqual({ messages: [], last_seq: 0 });
    expect(JSON.parse(outputs[2] ?? '')).toMatchObject({
      git_paw: true,
      agents: [{ agent_id: 'feat-http-broker', cli: 'claude' }],
    });
    expect(outputs[3]).toBe('{"seq":2}');
    expect(outputs[4]).toBe('{"seq":3}');
    expect((await broker.status()).message_count).toBe(3);
  });

  it('falls back to the rendered URL when GIT_PAW_BROKER_URL is not set', async () => {
    broker = await startTestBroker({
      token: 'beef'.repeat(16),
      roster: [{ agent_id: 'feat-a', cli: 'claude' }],
    });
    const [publish] = bashBlocks(renderedDefault('feat/a', broker.url));
    const token = agentToken(broker.token ?? '', 'feat-a');
    const result = await bash(publish ?? '', paneEnv({ GIT_PAW_BROKER_TOKEN: token }));
    expect(result).toMatchObject({ code: 0, stdout: '{"seq":1}' });
  });

  it('works under auth = "none" with no token variable at all, even with set -u', async () => {
    broker = await startTestBroker({ token: null });
    for (const block of bashBlocks(renderedDefault('feat/a', broker.url))) {
      const result = await bash(`set -u\n${block}`, paneEnv({ GIT_PAW_BROKER_URL: broker.url }));
      expect(result.code, block).toBe(0);
      expect(result.stdout).not.toContain('"error"');
    }
  });

  it('fails visibly (curl exit 7) when the broker is down', async () => {
    broker = await startTestBroker({ token: null });
    const url = broker.url;
    await broker.stop();
    const [publish] = bashBlocks(renderedDefault('feat/a', url));
    const result = await bash(publish ?? '', paneEnv({ GIT_PAW_BROKER_URL: url }));
    expect(result.code).toBe(7);
    expect(result.stderr).toContain('Failed to connect');
  });
});

describe('upstream\'s literal skill commands against auth = "none"', () => {
  it('the three publishes answer 202 and the plain poll answers JSON', async () => {
    broker = await startTestBroker({ token: null });
    const commands = [
      `curl -s -o /dev/null -w '%{http_code}' -X POST \${GIT_PAW_BROKER_URL}/publish \\
  -H "Content-Type: application/json" \\
  -d '{"type":"agent.status","agent_id":"feat-http-broker","payload":{"status":"working","modified_files":[],"message":null}}'`,
      `curl -s -o /dev/null -w '%{http_code}' -X POST \${GIT_PAW_BROKER_URL}/publish \\
  -H "Content-Type: application/json" \\
  -d '{"type":"agent.artifact","agent_id":"feat-http-broker","payload":{"status":"done","exports":[],"modified_files":[]}}'`,
      `curl -s -o /dev/null -w '%{http_code}' -X POST \${GIT_PAW_BROKER_URL}/publish \\
  -H "Content-Type: application/json" \\
  -d '{"type":"agent.blocked","agent_id":"feat-http-broker","payload":{"needs":"<what you need>","from":"feat-errors"}}'`,
    ];
    const env = paneEnv({ GIT_PAW_BROKER_URL: broker.url });
    for (const command of commands) expect((await bash(command, env)).stdout).toBe('202');
    const poll = await bash('curl -s ${GIT_PAW_BROKER_URL}/messages/feat-http-broker', env);
    expect(JSON.parse(poll.stdout)).toEqual({ messages: [], last_seq: 0 });
    const peer = await bash('curl -s ${GIT_PAW_BROKER_URL}/messages/feat-errors', env);
    expect(JSON.parse(peer.stdout)).toMatchObject({
      messages: [{ type: 'agent.blocked', seq: 3 }],
      last_seq: 3,
    });
  });

  it('the literal blocked template with from "<agent-id>" is now rejected (from is validated)', async () => {
    broker = await startTestBroker({ token: null });
    const result = await bash(
      `curl -s -X POST \${GIT_PAW_BROKER_URL}/publish -H "Content-Type: application/json" -d '{"type":"agent.blocked","agent_id":"feat-http-broker","payload":{"needs":"<what you need>","from":"<agent-id>"}}'`,
      paneEnv({ GIT_PAW_BROKER_URL: broker.url }),
    );
    expect(result.stdout).toBe('{"error":"from contains invalid characters — only [a-z0-9-_] allowed"}');
  });
});
