// `git paw mcp`: the stdio bridge, driven by the SDK's stdio client, relays to the agent's
// endpoint on a running broker; without the pane's variables it says what is missing.
import { spawnSync } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import { agentToken } from '../../src/broker/auth.js';
import { CLI_PATH } from '../helpers/run-cli.js';
import { startTestBroker, type TestBroker } from '../helpers/broker-harness.js';

const SESSION_TOKEN = 'c'.repeat(64);
let broker: TestBroker | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  await broker?.cleanup();
  broker = undefined;
});

describe('git paw mcp', () => {
  it('relays tool calls to the agent’s endpoint on the session broker', async () => {
    broker = await startTestBroker({ roster: [{ agent_id: 'feat-a', cli: 'claude' }], token: SESSION_TOKEN });
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      GIT_PAW_BROKER_URL: broker.url,
      GIT_PAW_BROKER_TOKEN: agentToken(SESSION_TOKEN, 'feat-a'),
      GIT_PAW_AGENT_ID: 'feat-a',
    };
    client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: [CLI_PATH, 'mcp'], env }),
    );
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('publish_status');
    await client.callTool({ name: 'publish_status', arguments: { status: 'working', message: 'via stdio' } });
    const agents = (await broker.status()).agents as { agent_id: string; summary: string }[];
    expect(agents[0]).toMatchObject({ agent_id: 'feat-a', summary: 'via stdio' });
  });

  it('names the missing variables', () => {
    const run = spawnSync(process.execPath, [CLI_PATH, 'mcp'], {
      env: { PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
      input: '',
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/^error: GIT_PAW_BROKER_URL and GIT_PAW_AGENT_ID not set/m);
  });
});
