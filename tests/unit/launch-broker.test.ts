// The broker's part of the launch path as pure data: settings from the config (skill resolved
// once), the tmux plan of a broker session (dashboard pane 0, broker window, env), the state
// fields, which logs are a session's own, the status block, and the demo's pure pieces.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentToken } from '../../src/broker/auth.js';
import type { BrokerPlan } from '../../src/broker/client/session.js';
import { emptyConfig } from '../../src/config/schema.js';
import { demoAgents, demoIntro } from '../../src/demo/session.js';
import { isDemoDir } from '../../src/demo/repo.js';
import { sessionPlanFor } from '../../src/launch/bring-up.js';
import { withBrokerLayout } from '../../src/launch/bring-up-broker.js';
import { DASHBOARD_LABEL, ownBrokerLog, withBrokerFields } from '../../src/launch/broker.js';
import { launchSettingsOf } from '../../src/launch/settings.js';
import { formatStatus, statusJson } from '../../src/session/report.js';
import type { SessionState } from '../../src/session/schema.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'paw-launch-broker-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const state: SessionState = {
  session_name: 'paw-proj',
  repo_path: '/r/proj',
  project_name: 'proj',
  created_at: '2026-04-10T12:34:56Z',
  status: 'active',
  worktrees: [
    {
      branch: 'feat/a',
      worktree_path: '/r/proj-feat-a',
      cli: 'claude',
      branch_created: true,
      command: '/bin/claude',
    },
    {
      branch: 'feat/b',
      worktree_path: '/r/proj-feat-b',
      cli: 'codex',
      branch_created: false,
      command: '/bin/codex',
    },
  ],
  mouse: true,
};

const plan: BrokerPlan = {
  url: 'http://127.0.0.1:9123',
  bind: '127.0.0.1',
  port: 9123,
  token: 'ab'.repeat(32),
  logPath: '/d/sessions/paw-proj.broker.jsonl',
  session: 'paw-proj',
  repoPath: '/r/proj',
  instanceId: 'i-1',
  agents: [],
  env: { GIT_PAW_BROKER_CONFIG: '{"x":1}', GIT_PAW_BROKER_TOKEN: 'ab'.repeat(32) },
  windowEnv: { GIT_PAW_BROKER_CONFIG: '{"x":1}' },
  command: ['/usr/bin/node', '--max-old-space-size=192', '/pkg/dist/broker/serve.js'],
  sessionEnv: {
    GIT_PAW_BROKER_URL: 'http://127.0.0.1:9123',
    GIT_PAW_BROKER_TOKEN: 'ab'.repeat(32),
    GIT_PAW_LAUNCHED_AT: '1796000000',
  },
};

describe('launchSettingsOf', () => {
  it('has a broker part unless [broker] enabled = false', () => {
    expect(launchSettingsOf(emptyConfig(), root, { HOME: root }).broker).toMatchObject({
      bind: '127.0.0.1',
      auth: 'token',
    });
    expect(launchSettingsOf({ ...emptyConfig(), broker: { enabled: false } }, root, { HOME: root })).toEqual({
      mouse: true,
      logging: false,
      plainClis: [],
    });
  });

  it('lists the CLIs configured with integrate = false', () => {
    const config = { ...emptyConfig(), clis: { claude: { integrate: false }, codex: { integrate: true } } };
    expect(launchSettingsOf(config, root, { HOME: root }).plainClis).toEqual(['claude']);
  });

  it('resolves the skill once: the repo override first, else the embedded default', () => {
    const config = { ...emptyConfig(), broker: { enabled: true, port: 9300 } };
    const embedded = launchSettingsOf(config, root, { HOME: root }).broker;
    expect(embedded).toMatchObject({ port: 9300, bind: '127.0.0.1', allowRemote: false, auth: 'token' });
    expect(embedded?.skill.source).toBe('embedded');
    mkdirSync(join(root, '.git-paw', 'agent-skills'), { recursive: true });
    writeFileSync(join(root, '.git-paw', 'agent-skills', 'coordination.md'), 'mine');
    expect(launchSettingsOf(config, root, { HOME: root }).broker?.skill).toMatchObject({
      source: 'repo',
      text: 'mine',
    });
  });

  it('fails on an unreadable override and on a bad [broker] table', () => {
    mkdirSync(join(root, '.git-paw', 'agent-skills', 'coordination.md'), { recursive: true });
    expect(() =>
      launchSettingsOf({ ...emptyConfig(), broker: { enabled: true } }, root, { HOME: root }),
    ).toThrow(/cannot read skill override at/);
    expect(() =>
      launchSettingsOf({ ...emptyConfig(), broker: { enabled: true, bind: '10.0.0.1' } }, root, {
        HOME: root,
      }),
    ).toThrow(/Config error: \[broker\] bind = "10.0.0.1" is not a loopback address/);
  });
});

describe('sessionPlanFor with a broker', () => {
  const settings = { mouse: true, logging: true };
  const tmux = withBrokerLayout(sessionPlanFor('/r/proj', state, settings), '/r/proj', plan);

  it('puts the dashboard first, in the repo root, unlogged and without agent variables', () => {
    const [dashboard] = tmux.panes;
    expect(dashboard).toMatchObject({ cwd: '/r/proj', label: DASHBOARD_LABEL, env: {} });
    expect(dashboard?.command).toMatch(/ dashboard$/);
    expect(dashboard?.logPath).toBeUndefined();
    expect(DASHBOARD_LABEL).toBe('dashboard → git paw dashboard');
  });

  it('keeps the agents after it with their ids, own tokens and log pipes, and adds the broker window and session env', () => {
    expect(tmux.panes.slice(1).map((pane) => [pane.label, pane.env, pane.logPath])).toEqual([
      [
        'feat/a → claude',
        { GIT_PAW_AGENT_ID: 'feat-a', GIT_PAW_BROKER_TOKEN: agentToken(plan.token ?? '', 'feat-a') },
        '/r/proj/.git-paw/logs/paw-proj/feat--a.log',
      ],
      [
        'feat/b → codex',
        { GIT_PAW_AGENT_ID: 'feat-b', GIT_PAW_BROKER_TOKEN: agentToken(plan.token ?? '', 'feat-b') },
        '/r/proj/.git-paw/logs/paw-proj/feat--b.log',
      ],
    ]);
    expect(agentToken(plan.token ?? '', 'feat-a')).toMatch(/^[0-9a-f]{64}$/);
    expect(agentToken(plan.token ?? '', 'feat-a')).not.toBe(plan.token);
    expect(tmux.windows).toEqual([{ name: 'broker', env: plan.windowEnv, argv: plan.command }]);
    expect(tmux.env).toEqual(plan.sessionEnv);
  });

  it('is the plain agent plan without a broker', () => {
    const plain = sessionPlanFor('/r/proj', state, settings);
    expect(plain.panes.map((pane) => pane.label)).toEqual(['feat/a → claude', 'feat/b → codex']);
    expect(plain.windows).toBeUndefined();
    expect(plain.env).toEqual({});
  });
});

describe('broker state fields', () => {
  it('records port, bind, log and token in upstream order; no token under auth = "none"', () => {
    const saved = withBrokerFields(state, plan);
    expect(Object.keys(saved).slice(-5)).toEqual([
      'mouse',
      'broker_port',
      'broker_bind',
      'broker_log_path',
      'broker_token',
    ]);
    expect(saved).toMatchObject({
      broker_port: 9123,
      broker_bind: '127.0.0.1',
      broker_log_path: plan.logPath,
      broker_token: plan.token,
    });
    expect(withBrokerFields(state, { ...plan, token: null })).not.toHaveProperty('broker_token');
  });

  it('without a broker drops the URL and token but keeps the log for purge', () => {
    const running = withBrokerFields(state, plan);
    expect(withBrokerFields(running, undefined)).toEqual({ ...state, broker_log_path: plan.logPath });
    expect(withBrokerFields(state, undefined)).toEqual(state);
  });

  it("treats only `<session>.broker.jsonl` as the session's own log", () => {
    expect(ownBrokerLog({ session_name: 'paw-proj', broker_log_path: '/d/paw-proj.broker.jsonl' })).toBe(
      '/d/paw-proj.broker.jsonl',
    );
    expect(ownBrokerLog({ session_name: 'paw-proj', broker_log_path: '/d/broker.log' })).toBeUndefined();
    expect(
      ownBrokerLog({ session_name: 'paw-proj', broker_log_path: '/d/paw-other.broker.jsonl' }),
    ).toBeUndefined();
    expect(ownBrokerLog({ session_name: 'paw-proj' })).toBeUndefined();
  });
});

describe('status with a broker', () => {
  const report = {
    state,
    status: 'active' as const,
    tmuxRunning: true,
    broker: { url: 'http://127.0.0.1:9123', state: 'not responding' as const },
  };

  it('puts the broker block between the header and the worktrees, each followed by a blank line', () => {
    expect(formatStatus(report)).toEqual([
      'Session: paw-proj',
      'Status:  🟢 active',
      'Tmux:    running',
      '',
      'Broker:  http://127.0.0.1:9123 (not responding)',
      '',
      '  feat/a → claude (/r/proj-feat-a)',
      '  feat/b → codex (/r/proj-feat-b)',
    ]);
  });

  it('adds the broker part to --json', () => {
    expect(statusJson(report)).toMatchObject({
      broker: { url: 'http://127.0.0.1:9123', state: 'not responding' },
    });
    expect(statusJson({ ...report, broker: undefined })).not.toHaveProperty('broker');
  });
});

describe('demo pieces', () => {
  it('never takes a directory it did not make for a demo dir', () => {
    expect(isDemoDir(root)).toBe(false);
    const lookalike = join(root, 'git-paw-demo-x');
    mkdirSync(lookalike);
    expect(isDemoDir(lookalike)).toBe(false);
    writeFileSync(join(lookalike, '.git-paw-demo'), '');
    expect(isDemoDir(lookalike)).toBe(true);
  });

  it('runs the registered demo agent on the three demo branches, or says it cannot', () => {
    const wrapper = join(root, 'demo agent');
    writeFileSync(wrapper, '#!/bin/sh\n');
    const config = { ...emptyConfig(), clis: { 'demo-agent': { command: wrapper } } };
    expect(demoAgents(config, '')).toEqual(
      ['feat/api', 'feat/ui', 'feat/docs'].map((branch) => ({
        branch,
        cli: { name: 'demo-agent', command: `'${wrapper}'` },
      })),
    );
    expect(() => demoAgents(emptyConfig(), '')).toThrow("the demo agent 'demo-agent' cannot be run");
  });

  it('says what the newcomer is looking at', () => {
    const [where, what, clean] = demoIntro(
      { ...state, worktrees: [...state.worktrees, state.worktrees[0]!] },
      'http://127.0.0.1:9123',
    );
    expect(where).toBe("Demo session 'paw-proj' runs in the throwaway repo /r/proj.");
    expect(what).toContain(
      "What you're looking at: pane 0 is the dashboard; panes 1–3 run built-in demo agents",
    );
    expect(what).toContain('at http://127.0.0.1:9123');
    expect(clean).toBe('Remove everything it made with: git paw demo --clean');
  });
});
