import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderSkill, resolveSkill } from '../../src/broker/client/skill.js';
import { brokerStatusLines, brokerStatusJson, type BrokerReport } from '../../src/broker/client/status.js';
import { rosterAgents } from '../../src/broker/client/session.js';

let root: string;
let repo: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'paw-skill-'));
  repo = join(root, 'repo');
  mkdirSync(repo);
  env = { HOME: join(root, 'home'), XDG_CONFIG_HOME: join(root, 'config') };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const userOverride = () => join(root, 'config', 'git-paw', 'agent-skills', 'coordination.md');
const repoOverride = () => join(repo, '.git-paw', 'agent-skills', 'coordination.md');
function write(path: string, content: string | Buffer): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
}

describe('resolveSkill', () => {
  it('uses the embedded default, then the user override, then the repo override', () => {
    const embedded = resolveSkill(repo, env);
    expect(embedded.source).toBe('embedded');
    expect(embedded.text).toMatch(/^## Coordination Skills\n/);
    write(userOverride(), 'user {{BRANCH_ID}}');
    expect(resolveSkill(repo, env)).toEqual({
      text: 'user {{BRANCH_ID}}',
      source: 'user',
      path: userOverride(),
    });
    write(repoOverride(), 'repo');
    expect(resolveSkill(repo, env)).toEqual({ text: 'repo', source: 'repo', path: repoOverride() });
  });

  it('fails with upstream text on an override with invalid UTF-8 or no read permission', () => {
    write(userOverride(), Buffer.from([0x69, 0x64, 0xff, 0xfe]));
    expect(() => resolveSkill(repo, env)).toThrow(
      `cannot read skill override at '${userOverride()}' — check file permissions and encoding`,
    );
    write(repoOverride(), 'x');
    chmodSync(repoOverride(), 0o000);
    if (process.getuid?.() !== 0) {
      expect(() => resolveSkill(repo, env)).toThrow(`cannot read skill override at '${repoOverride()}'`);
    }
    chmodSync(repoOverride(), 0o644);
  });
});

describe('renderSkill', () => {
  it('substitutes the slug and the URL, and warns for each leftover placeholder occurrence', () => {
    const rendered = renderSkill(
      'id={{BRANCH_ID}} url={{BROKER_URL}} {{UNKNOWN}} {{UNKNOWN}} ${GIT_PAW_BROKER_URL}',
      {
        branch: 'Feature/HTTP_Broker',
        brokerUrl: 'http://127.0.0.1:9120',
      },
    );
    expect(rendered.text).toBe(
      'id=feature-http_broker url=http://127.0.0.1:9120 {{UNKNOWN}} {{UNKNOWN}} ${GIT_PAW_BROKER_URL}',
    );
    expect(rendered.warnings).toEqual([
      "unsubstituted placeholder {{UNKNOWN}} in skill 'coordination'",
      "unsubstituted placeholder {{UNKNOWN}} in skill 'coordination'",
    ]);
  });

  it('renders the embedded default completely', () => {
    const { text, warnings } = renderSkill(resolveSkill(repo, env).text, {
      branch: 'feat/http-broker',
      brokerUrl: 'http://127.0.0.1:9119',
    });
    expect(warnings).toEqual([]);
    expect(text).not.toContain('{{');
    expect(text).toContain('## Coordination Skills');
    expect(text).toContain('"agent_id":"feat-http-broker"');
    expect(text).toContain(
      '"${GIT_PAW_BROKER_URL:-http://127.0.0.1:9119}/messages/feat-http-broker?since=${SINCE}"',
    );
    // The token goes to curl on stdin: never in an argv other local users can read.
    expect(
      text.match(/printf 'Authorization: Bearer %s\\n' "\$\{GIT_PAW_BROKER_TOKEN:-\}" \|\n {2}curl -sS /g),
    ).toHaveLength(4);
    expect(text.match(/ -H @- /g)).toHaveLength(4);
    expect(text).not.toMatch(/-H "Authorization/);
    expect(text).toContain('/status');
    // Every URL in a command is quoted (zsh globbing on `?`).
    for (const line of text.split('\n').filter((l) => l.includes('GIT_PAW_BROKER_URL:-')))
      expect(line).toMatch(/"\$\{GIT_PAW_BROKER_URL:-[^"]+"/);
  });
});

describe('broker status lines', () => {
  const running: BrokerReport = {
    url: 'http://127.0.0.1:9119',
    state: 'running',
    status: {
      git_paw: true,
      uptime_seconds: 75,
      agents: [
        {
          agent_id: 'feat-errors',
          cli: 'claude',
          status: 'done',
          last_seen_seconds: 4,
          summary: 'exports: PawError',
        },
        {
          agent_id: 'feat-config',
          cli: 'codex',
          status: 'blocked',
          last_seen_seconds: 4500,
          summary: 'needs PawError from feat-errors',
        },
        { agent_id: 'feat-x', cli: 'gemini', status: null, last_seen_seconds: null, summary: '' },
      ],
    },
  };

  it('prints upstream broker line, the counts and one aligned line per agent', () => {
    expect(brokerStatusLines(running)).toEqual([
      'Broker:  http://127.0.0.1:9119 (running)',
      'Agents:  3 (3 not started; reported 1 done, 1 blocked)',
      '  feat-errors  claude  not started  done     4s ago      exports: PawError',
      '  feat-config  codex   not started  blocked  1h 15m ago  needs PawError from feat-errors',
      '  feat-x       gemini  not started  -        -',
    ]);
    expect(brokerStatusJson(running)).toMatchObject({
      state: 'running',
      uptime_seconds: 75,
      agents: [{ agent_id: 'feat-errors' }, {}, { status: null }],
    });
  });

  it('says not responding, and who holds the port when known', () => {
    expect(brokerStatusLines({ url: 'http://127.0.0.1:9119', state: 'not responding' })).toEqual([
      'Broker:  http://127.0.0.1:9119 (not responding)',
    ]);
    const held: BrokerReport = {
      url: 'http://127.0.0.1:9119',
      state: 'not responding',
      holder: 'port 9119 is in use by another process',
    };
    expect(brokerStatusLines(held)[1]).toBe('         port 9119 is in use by another process');
    expect(brokerStatusJson(held)).toEqual({
      url: 'http://127.0.0.1:9119',
      state: 'not responding',
      holder: 'port 9119 is in use by another process',
    });
  });
});

describe('rosterAgents', () => {
  it('derives agent ids and rejects collisions and over-long ids', () => {
    expect(rosterAgents([{ branch: 'feat/a', cli: 'claude' }])).toEqual([
      { agent_id: 'feat-a', branch: 'feat/a', cli: 'claude' },
    ]);
    expect(() =>
      rosterAgents([
        { branch: 'feat/x', cli: 'a' },
        { branch: 'feat-x', cli: 'b' },
      ]),
    ).toThrow("Broker error: branches 'feat/x' and 'feat-x' both map to agent id 'feat-x'");
    expect(() => rosterAgents([{ branch: `b/${'x'.repeat(130)}`, cli: 'a' }])).toThrow(
      /longer than 128 characters/,
    );
  });
});
