// `git paw start` with the broker (built CLI, private tmux server, real broker processes):
// with and without `[broker]`, repo/global merging, the rendered skill, and launches whose
// broker cannot run — refused before anything exists, or rolled back with the broker's reason.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { capturePane, listPanes, skipWithoutTmux, waitForPaneText } from '../helpers/tmux.js';
import {
  brokerFiles,
  brokerOf,
  brokerStatus,
  enableBroker,
  writeRepoConfig,
} from '../helpers/broker-session.js';
import { randomFreePort } from '../helpers/broker-process.js';
import {
  expectNothingCreated,
  localBranches,
  paw,
  pawOk,
  readState,
  sessionsDirOf,
  statePath,
  worktreeDir,
} from '../helpers/lifecycle.js';

/** A fake CLI that shows the broker variables its pane got. */
const ENV_CLI = `#!/bin/sh
echo "FAKE-CLI id=$GIT_PAW_AGENT_ID url=$GIT_PAW_BROKER_URL token=\${GIT_PAW_BROKER_TOKEN:+set} cwd=$(pwd)"
exec sleep 3600
`;

let sandbox: Sandbox;
const servers: Server[] = [];
beforeEach(() => {
  sandbox = createSandbox();
  sandbox.fakeCli('claude', ENV_CLI);
});
afterEach(async () => {
  sandbox.cleanup();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

function agentsMd(slug: string): string {
  return readFileSync(join(worktreeDir(sandbox, slug), 'AGENTS.md'), 'utf8');
}

function sessionEnv(): string {
  return sandbox.tmux(['show-environment', '-t', '=paw-proj']);
}

describe.skipIf(skipWithoutTmux)('start with the broker', () => {
  it('a repo `enabled = false`: agent panes only, no broker process, no variables, no skill, no broker keys', async () => {
    writeRepoConfig(sandbox, 'enabled = false');
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/b']);
    expect(listPanes(sandbox, 'paw-proj').map((pane) => pane.label)).toEqual([
      'feat/a → claude',
      'feat/b → claude',
    ]);
    expect(sandbox.tmuxStatus(['show-environment', '-t', '=paw-proj', 'GIT_PAW_BROKER_URL'])).not.toBe(0);
    expect(sandbox.tmux(['list-windows', '-t', '=paw-proj', '-F', '#{window_name}'])).not.toContain('broker');
    expect(
      sandbox.tmux(['list-panes', '-s', '-t', '=paw-proj', '-F', '#{pane_start_command}']),
    ).not.toContain('broker/serve.js');
    expect(agentsMd('feat-a')).not.toContain('Coordination Skills');
    expect(Object.keys(readState(sandbox)).filter((key) => key.startsWith('broker_'))).toEqual([]);
    expect((await paw(sandbox, ['status'])).stdout).not.toMatch(/^Broker:/m);
  });

  it('enabled with a port: dashboard pane 0 in the repo root, agents in panes 1–3 with their variables, broker answering, state fields', async () => {
    const port = await enableBroker(sandbox, '', { curlOnly: true });
    const result = await paw(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/b,feat/c']);
    expect(result.code, result.stderr).toBe(0);
    const url = `http://127.0.0.1:${port}`;

    const panes = listPanes(sandbox, 'paw-proj');
    expect(panes.map((pane) => pane.label)).toEqual([
      'dashboard → git paw dashboard',
      'feat/a → claude',
      'feat/b → claude',
      'feat/c → claude',
    ]);
    expect(panes[0]?.path).toBe(sandbox.repo);
    await waitForPaneText(sandbox, panes[0]?.id ?? '', 'git-paw dashboard · paw-proj');
    for (const [index, slug] of ['feat-a', 'feat-b', 'feat-c'].entries()) {
      await waitForPaneText(
        sandbox,
        panes[index + 1]?.id ?? '',
        `FAKE-CLI id=${slug} url=${url} token=set cwd=${worktreeDir(sandbox, slug)}`,
      );
    }
    expect(sessionEnv()).toContain(`GIT_PAW_BROKER_URL=${url}\n`);
    expect(sessionEnv()).not.toContain('GIT_PAW_AGENT_ID');
    expect(sandbox.tmux(['list-windows', '-t', '=paw-proj', '-F', '#{window_name}']).split('\n')).toContain(
      'broker',
    );

    const status = await brokerStatus(port);
    expect(status.session).toBe('paw-proj');
    expect(status.agents.map((agent) => [agent.agent_id, agent.cli])).toEqual([
      ['feat-a', 'claude'],
      ['feat-b', 'claude'],
      ['feat-c', 'claude'],
    ]);

    const raw = readFileSync(statePath(sandbox), 'utf8');
    expect(raw).toContain(`"broker_port": ${port},\n  "broker_bind": "127.0.0.1",\n  "broker_log_path": `);
    const state = readState(sandbox);
    expect(state.broker_log_path).toBe(join(sessionsDirOf(sandbox), 'paw-proj.broker.jsonl'));
    expect(state.broker_token).toMatch(/^[0-9a-f]{64}$/);
    expect(sessionEnv()).toContain(`GIT_PAW_BROKER_TOKEN=${String(state.broker_token)}\n`);
    expect(statSync(statePath(sandbox)).mode & 0o777).toBe(0o600);
    // Agents only, never the dashboard.
    expect(state.worktrees.map((entry) => entry.branch)).toEqual(['feat/a', 'feat/b', 'feat/c']);
  });

  it('without any config: the broker runs by default, on the first free port from 9119, with the dashboard in pane 0', async () => {
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    const { port } = brokerOf(sandbox);
    expect(port).toBeGreaterThanOrEqual(9119);
    expect(sessionEnv()).toContain(`GIT_PAW_BROKER_URL=http://127.0.0.1:${port}\n`);
    expect((await brokerStatus(port)).session).toBe('paw-proj');
    expect(listPanes(sandbox, 'paw-proj').map((pane) => pane.label)).toEqual([
      'dashboard → git paw dashboard',
      'feat/a → claude',
    ]);
    expect(sandbox.tmux(['list-windows', '-t', '=paw-proj', '-F', '#{window_name}']).split('\n')).toContain(
      'broker',
    );
    expect(agentsMd('feat-a')).toContain('Coordination Skills');
  });

  it('a repo `enabled = false` turns off a globally enabled broker', async () => {
    sandbox.writeFile('home/.config/git-paw/config.toml', '[broker]\nenabled = true\n');
    writeRepoConfig(sandbox, 'enabled = false');
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    expect(listPanes(sandbox, 'paw-proj').map((pane) => pane.label)).toEqual(['feat/a → claude']);
    expect(Object.keys(readState(sandbox)).filter((key) => key.startsWith('broker_'))).toEqual([]);
  });

  it('a repo `enabled = true` turns on a broker that the global config turns off', async () => {
    sandbox.writeGlobalConfig('[broker]\nenabled = false\n');
    const port = await enableBroker(sandbox, '', { curlOnly: true });
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    expect((await brokerStatus(port)).session).toBe('paw-proj');
    expect(brokerOf(sandbox).port).toBe(port);
  });

  it('a broker that never answers: rolled back, and the error shows what its window printed, since the rollback closes it', async () => {
    const port = await enableBroker(sandbox);
    // Every node program in the session's windows fails at start-up: the broker's server too,
    // which its window's loop keeps starting again until the launch gives up on it.
    sandbox.tmux(['new-session', '-d', '-s', 'holder']);
    sandbox.tmux(['set-environment', '-g', 'NODE_OPTIONS', '--require=/nonexistent/preload.cjs']);
    const result = await paw(sandbox, ['start', '--no-attach', '--cli', 'claude', '--branches', 'feat/a']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `error: Broker error: the broker did not start on http://127.0.0.1:${port} within 10 s\n`,
    );
    expect(result.stderr).toContain(
      "hint: the broker's window last printed: Error: Cannot find module '/nonexistent/preload.cjs'",
    );
    expect(sandbox.tmux(['list-sessions', '-F', '#{session_name}']).trim()).toBe('holder');
    expect(localBranches(sandbox)).toEqual(['main']);
  });

  it('a foreign server on the configured port: refused naming the holder, nothing created', async () => {
    const port = await randomFreePort();
    const server = createServer((_req, res) => res.writeHead(404).end('not here'));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    writeRepoConfig(sandbox, `enabled = true\nport = ${port}`);
    const result = await paw(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/b']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `error: Broker error: port ${port} is already in use by another process (GET /status answered HTTP 404 without the git-paw marker)\n`,
    );
    expect(result.stderr).toMatch(/^hint: \[broker\] port is set to \d+; stop whatever holds it/m);
    expectNothingCreated(sandbox);
    expect(brokerFiles(sandbox)).toEqual([]);
  });

  it("another session's broker on the configured port: refused naming that session and its repo", async () => {
    const port = await randomFreePort();
    const other = join(sandbox.root, 'other');
    mkdirSync(join(other, '.git-paw'), { recursive: true });
    sandbox.git(['init', '-q', '-b', 'main'], other);
    sandbox.git(['commit', '-q', '--allow-empty', '-m', 'init'], other);
    writeFileSync(join(other, '.git-paw', 'config.toml'), `[broker]\nenabled = true\nport = ${port}\n`);
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/x'], { cwd: other });
    writeRepoConfig(sandbox, `enabled = true\nport = ${port}`);
    const result = await paw(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^error: Broker error: port ${port} is used by the git-paw broker of session 'paw-other' \\(repo ${other}, pid \\d+\\)$`,
        'm',
      ),
    );
    expect(readState(sandbox, 'paw-other').broker_port).toBe(port);
  });

  it('a broker that fails while starting: the launch fails with its reason and is rolled back', async () => {
    await enableBroker(sandbox, '', { curlOnly: true });
    // A directory where the session's log belongs: the broker cannot open its log.
    const log = join(sessionsDirOf(sandbox), 'paw-proj.broker.jsonl');
    mkdirSync(log, { recursive: true });
    const result = await paw(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error: Broker error: cannot open the message log at '.*paw-proj\.broker\.jsonl': /m,
    );
    expect(sandbox.tmuxStatus(['has-session', '-t', '=paw-proj'])).not.toBe(0);
    expect(sandbox.git(['worktree', 'list', '--porcelain']).match(/^worktree /gm)).toHaveLength(1);
    expect(sandbox.git(['branch', '--list', 'feat/a'])).toBe('');
    expect(brokerFiles(sandbox)).toEqual(['paw-proj.broker.jsonl']); // the directory it found, untouched
    expect(statSync(log).isDirectory()).toBe(true);
    expect(() => statSync(statePath(sandbox))).toThrow();
  });
});

describe.skipIf(skipWithoutTmux)('every launch path runs the broker', () => {
  it('a preset launch', async () => {
    await enableBroker(sandbox, '[presets.pair]\nbranches = ["feat/a", "feat/b"]\ncli = "claude"\n', {
      curlOnly: true,
    });
    await pawOk(sandbox, ['start', '--preset', 'pair']);
    expect(listPanes(sandbox, 'paw-proj').map((pane) => pane.label)).toEqual([
      'dashboard → git paw dashboard',
      'feat/a → claude',
      'feat/b → claude',
    ]);
    expect((await brokerStatus(brokerOf(sandbox).port)).agents.map((agent) => agent.agent_id)).toEqual([
      'feat-a',
      'feat-b',
    ]);
  });

  it('a from-specs launch: the skill follows the spec in AGENTS.md', async () => {
    await enableBroker(sandbox, '[specs]\ntype = "markdown"\n', { curlOnly: true });
    sandbox.writeFile('proj/specs/login.md', '---\npaw_status: pending\n---\nBuild the login form.\n');
    await pawOk(sandbox, ['start', '--from-specs', '--cli', 'claude']);
    expect(listPanes(sandbox, 'paw-proj').map((pane) => pane.label)).toEqual([
      'dashboard → git paw dashboard',
      'spec/login → claude',
    ]);
    const text = agentsMd('spec-login');
    expect(text.indexOf('### Spec')).toBeGreaterThan(0);
    expect(text.indexOf('## Coordination Skills')).toBeGreaterThan(text.indexOf('Build the login form.'));
    expect(text).toContain('"agent_id":"spec-login"');
  });
});

describe.skipIf(skipWithoutTmux)('the coordination skill in AGENTS.md', () => {
  it('is rendered for each worktree with its agent id and the real URL as fallback', async () => {
    const port = await enableBroker(sandbox, '', { curlOnly: true });
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/http-broker']);
    const text = agentsMd('feat-http-broker');
    expect(text).toContain('<!-- git-paw:start');
    expect(text).toContain('<!-- git-paw:end -->');
    expect(text).toContain('- **Branch:** `feat/http-broker`');
    expect(text).toContain('## Coordination Skills');
    expect(text).toContain('"agent_id":"feat-http-broker"');
    expect(text).toContain(
      `"\${GIT_PAW_BROKER_URL:-http://127.0.0.1:${port}}/messages/feat-http-broker?since=\${SINCE}"`,
    );
    expect(text).not.toContain('{{');
    expect(sandbox.git(['status', '--porcelain'], worktreeDir(sandbox, 'feat-http-broker'))).toBe('');
  });

  it('keeps the user text of the root AGENTS.md and replaces an old git-paw section', async () => {
    await enableBroker(sandbox, '', { curlOnly: true });
    sandbox.writeFile(
      'proj/AGENTS.md',
      '# House rules\n\nBe kind.\n\n<!-- git-paw:start — managed by git-paw, do not edit manually -->\nold\n<!-- git-paw:end -->\n',
    );
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    const text = agentsMd('feat-a');
    expect(text.startsWith('# House rules\n\nBe kind.\n')).toBe(true);
    expect(text.match(/<!-- git-paw:start/g)).toHaveLength(1);
    expect(text).not.toContain('\nold\n');
    expect(text).toContain('## Coordination Skills');
  });

  it('uses the user override with {{BRANCH_ID}} rendered, and a repo override before it', async () => {
    await enableBroker(sandbox, '', { curlOnly: true });
    sandbox.writeFile('home/.config/git-paw/agent-skills/coordination.md', 'id={{BRANCH_ID}}\n');
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'Feature/HTTP_Broker']);
    expect(agentsMd('Feature-HTTP_Broker')).toContain(
      '- **CLI:** claude\n\nid=feature-http_broker\n\n<!-- git-paw:end -->',
    );
    await pawOk(sandbox, ['purge', '--force']);

    sandbox.writeFile('proj/.git-paw/agent-skills/coordination.md', 'repo skill for {{BRANCH_ID}}\n');
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    expect(agentsMd('feat-a')).toContain('repo skill for feat-a\n');
  });

  it('warns once per worktree about an unknown placeholder and keeps it', async () => {
    await enableBroker(sandbox, '', { curlOnly: true });
    sandbox.writeFile('home/.config/git-paw/agent-skills/coordination.md', 'hello {{UNKNOWN}}\n');
    const result = await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/b']);
    const warning = "warning: unsubstituted placeholder {{UNKNOWN}} in skill 'coordination'";
    expect(result.stderr.split('\n').filter((line) => line === warning)).toHaveLength(2);
    expect(agentsMd('feat-a')).toContain('hello {{UNKNOWN}}');
    expect(agentsMd('feat-b')).toContain('hello {{UNKNOWN}}');
  });

  it('an unreadable override stops the launch before anything is created', async () => {
    await enableBroker(sandbox, '', { curlOnly: true });
    const override = sandbox.writeFile('home/.config/git-paw/agent-skills/coordination.md', '');
    writeFileSync(override, Buffer.from([0x69, 0x64, 0xff, 0xfe, 0x0a])); // invalid UTF-8 (mode 000 does not stop root)
    const result = await paw(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: cannot read skill override at '${override}'`);
    expectNothingCreated(sandbox);
  });
});

describe.skipIf(skipWithoutTmux)('dashboard pane', () => {
  it('is left out of logging: only agent panes are piped', async () => {
    await enableBroker(sandbox, '[logging]\nenabled = true\n', { curlOnly: true });
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    const panes = listPanes(sandbox, 'paw-proj');
    await waitForPaneText(sandbox, panes[1]?.id ?? '', 'FAKE-CLI id=feat-a');
    const piped = sandbox.tmux(['list-panes', '-t', '=paw-proj:', '-F', '#{pane_pipe}']).split('\n');
    expect(piped).toEqual(['0', '1']);
    expect(capturePane(sandbox, panes[0]?.id ?? '')).not.toContain('FAKE-CLI');
  });
});
