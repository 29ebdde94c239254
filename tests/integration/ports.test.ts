// Each agent's own block of ports (`[ports]`) through the built CLI, real git and a private tmux
// server: the pane's PORT / GIT_PAW_PORT_<i>, the state, status, AGENTS.md and --dry-run; ports
// something listens on are skipped, and a range that cannot serve every agent stops the launch
// before anything exists.
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { busyPorts } from '../../src/bootstrap/port-probe.js';
import { expectNothingCreated, paw, pawOk, readState, statePath, worktreeDir } from '../helpers/lifecycle.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { listPanes, skipWithoutTmux, waitForPaneText } from '../helpers/tmux.js';

/** A fake CLI that prints the ports its pane was given, then waits. */
const PORT_PRINTER =
  '#!/bin/sh\necho "PORTS port=$PORT p0=$GIT_PAW_PORT_0 p1=$GIT_PAW_PORT_1"\nexec sleep 3600\n';

/** The first of 40 ports nothing on this machine listens on (tests pick ports inside it). */
async function freeBase(): Promise<number> {
  for (let base = 31_000; base < 40_000; base += 200) {
    const ports = Array.from({ length: 40 }, (_, offset) => base + offset);
    if ((await busyPorts(ports)).size === 0) return base;
  }
  throw new Error('no 40 free ports between 31000 and 40000');
}

function listen(host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port }, () => resolve(server));
  });
}

function portsConfig(first: number, last: number, perAgent: number): string {
  return `[ports]\nrange = "${first}-${last}"\nper_agent = ${perAgent}\n`;
}

function worktreePorts(sandbox: Sandbox): unknown[] {
  return readState(sandbox).worktrees.map((entry) => (entry as { ports?: number[] }).ports);
}

describe.skipIf(skipWithoutTmux)('per-agent ports', () => {
  let sandbox: Sandbox;
  let base: number;
  const servers: Server[] = [];
  beforeEach(async () => {
    sandbox = createSandbox({ broker: false });
    sandbox.fakeCli('claude', PORT_PRINTER);
    base = await freeBase();
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
    sandbox.cleanup();
  });

  it('gives each pane its own PORT and GIT_PAW_PORT_<i>, shown by status and AGENTS.md, and the same ports after stop + start', async () => {
    sandbox.writeRepoConfig(portsConfig(base, base + 39, 2));
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/b']);
    expect(worktreePorts(sandbox)).toEqual([
      [base, base + 1],
      [base + 2, base + 3],
    ]);
    const showPorts = async () => {
      const panes = listPanes(sandbox, 'paw-proj');
      await waitForPaneText(sandbox, panes[0]?.id ?? '', `PORTS port=${base} p0=${base} p1=${base + 1}`);
      await waitForPaneText(
        sandbox,
        panes[1]?.id ?? '',
        `PORTS port=${base + 2} p0=${base + 2} p1=${base + 3}`,
      );
    };
    await showPorts();

    const status = (await pawOk(sandbox, ['status'])).stdout;
    expect(status).toContain(
      `  feat/a → claude (${worktreeDir(sandbox, 'feat-a')}) · ports ${base}-${base + 1}\n`,
    );
    expect(status).toContain(
      `  feat/b → claude (${worktreeDir(sandbox, 'feat-b')}) · ports ${base + 2}-${base + 3}\n`,
    );
    const json = JSON.parse((await pawOk(sandbox, ['status', '--json'])).stdout) as {
      worktrees: { branch: string; ports: number[] }[];
    };
    expect(json.worktrees.map((entry) => [entry.branch, entry.ports])).toEqual([
      ['feat/a', [base, base + 1]],
      ['feat/b', [base + 2, base + 3]],
    ]);
    const dryRun = (await pawOk(sandbox, ['start', '--dry-run'])).stdout;
    expect(dryRun).toContain(`  feat/a → claude (../proj-feat-a) · ports ${base}-${base + 1}\n`);
    const agentsMd = readFileSync(join(worktreeDir(sandbox, 'feat-b'), 'AGENTS.md'), 'utf8');
    expect(agentsMd).toContain(
      `- **Ports:** ${base + 2}-${base + 3} — use \`$PORT\` or \`$GIT_PAW_PORT_0\`…\`$GIT_PAW_PORT_1\` for dev servers so they do not collide with the other agents\n`,
    );

    await pawOk(sandbox, ['stop']);
    // The recorded blocks win over a config that changed meanwhile.
    sandbox.writeRepoConfig(portsConfig(base + 20, base + 39, 1));
    await pawOk(sandbox, ['start']);
    expect(worktreePorts(sandbox)).toEqual([
      [base, base + 1],
      [base + 2, base + 3],
    ]);
    await showPorts();
  });

  it("shows each agent's PORT on a broker session's dashboard", async () => {
    const brokered = createSandbox();
    try {
      brokered.fakeCli('claude', PORT_PRINTER);
      brokered.writeRepoConfig(portsConfig(base, base + 39, 1));
      await pawOk(brokered, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/b']);
      const [dashboard, first, second] = listPanes(brokered, 'paw-proj');
      await waitForPaneText(brokered, first?.id ?? '', `PORTS port=${base} p0=${base} p1=`);
      await waitForPaneText(brokered, second?.id ?? '', `PORTS port=${base + 1} p0=${base + 1} p1=`);
      const screen = await waitForPaneText(brokered, dashboard?.id ?? '', 'Port');
      expect(screen).toMatch(new RegExp(`feat-a +claude +${base} `));
      expect(screen).toMatch(new RegExp(`feat-b +claude +${base + 1} `));
    } finally {
      brokered.cleanup();
    }
  });

  it('skips a block whose port something listens on, on loopback or on every interface', async () => {
    servers.push(await listen('127.0.0.1', base), await listen('0.0.0.0', base + 3));
    sandbox.writeRepoConfig(portsConfig(base, base + 39, 2));
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a']);
    expect(worktreePorts(sandbox)).toEqual([[base + 4, base + 5]]);
    const [pane] = listPanes(sandbox, 'paw-proj');
    await waitForPaneText(sandbox, pane?.id ?? '', `PORTS port=${base + 4}`);
  });

  it('refuses a range too small for every agent with a config error saying how many ports are needed, creating nothing', async () => {
    sandbox.writeRepoConfig(portsConfig(base, base + 2, 2));
    const result = await paw(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/b']);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n').filter((line) => line.startsWith('error:'))).toHaveLength(1);
    expect(result.stderr).toContain(
      `error: Config error: [ports] range = "${base}-${base + 2}" holds 3 ports, but 2 agents with per_agent = 2 need 4\nhint: widen \`range\` under [ports], or lower \`per_agent\`\n`,
    );
    expectNothingCreated(sandbox);
  });

  it('stops before anything exists when ports in use leave too few free blocks', async () => {
    servers.push(await listen('127.0.0.1', base + 2));
    sandbox.writeRepoConfig(portsConfig(base, base + 3, 2));
    const result = await paw(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/b']);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n').filter((line) => line.startsWith('error:'))).toHaveLength(1);
    expect(result.stderr).toContain(
      `error: Port error: only 1 of 2 agents can get a free block of 2 ports in [ports] range ${base}-${base + 3}; the other ports are in use or taken by other agents\nhint: stop what holds those ports, widen \`range\` under [ports], or lower \`per_agent\`\n`,
    );
    expectNothingCreated(sandbox);
  });

  it("--dry-run lists each agent's block; without [ports] its lines stay as they were", async () => {
    const plain = await pawOk(sandbox, [
      'start',
      '--dry-run',
      '--cli',
      'claude',
      '--branches',
      'feat/a,feat/b',
    ]);
    expect(plain.stdout).toContain(
      '  feat/a → claude (../proj-feat-a)\n  feat/b → claude (../proj-feat-b)\n',
    );
    sandbox.writeRepoConfig(portsConfig(base, base + 39, 1));
    const ported = await pawOk(sandbox, [
      'start',
      '--dry-run',
      '--cli',
      'claude',
      '--branches',
      'feat/a,feat/b',
    ]);
    expect(ported.stdout).toBe(
      plain.stdout.replace(
        '  feat/a → claude (../proj-feat-a)\n  feat/b → claude (../proj-feat-b)\n',
        `  feat/a → claude (../proj-feat-a) · port ${base}\n  feat/b → claude (../proj-feat-b) · port ${base + 1}\n`,
      ),
    );
    expectNothingCreated(sandbox);
  });

  it('on recovery, keeps the ports an agent recorded (warning when something else holds them) and gives one that recorded none a block no other agent has', async () => {
    await pawOk(sandbox, ['start', '--cli', 'claude', '--branches', 'feat/a,feat/b']);
    await pawOk(sandbox, ['stop']);
    // As if feat/a had been given the range's first block and feat/b came from an older file.
    const state = readState(sandbox);
    writeFileSync(
      statePath(sandbox),
      JSON.stringify({
        ...state,
        worktrees: state.worktrees.map((entry, index) => (index === 0 ? { ...entry, ports: [base] } : entry)),
      }),
    );
    sandbox.writeRepoConfig(portsConfig(base, base + 39, 1));
    servers.push(await listen('127.0.0.1', base));
    const recovered = await pawOk(sandbox, ['start']);
    expect(recovered.stderr).toBe(
      `warning: port ${base} is in use by another program; 'feat/a' keeps its ports, but a server there may not start\n`,
    );
    expect(worktreePorts(sandbox)).toEqual([[base], [base + 1]]);
    const panes = listPanes(sandbox, 'paw-proj');
    await waitForPaneText(sandbox, panes[0]?.id ?? '', `PORTS port=${base} p0=${base} p1=`);
    await waitForPaneText(sandbox, panes[1]?.id ?? '', `PORTS port=${base + 1} p0=${base + 1} p1=`);
  });
});
