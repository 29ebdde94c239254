// The bundled dist/ installed somewhere else (a folder with a space, as under a global prefix):
// git-paw finds its own files from that copy's package root — package.json for --version and the
// broker's /status, the embedded skill for AGENTS.md, and the broker's server script — never from
// where it was built. The copy's version and skill carry markers, so reading the originals fails.
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { skipWithoutTmux } from '../helpers/tmux.js';
import { brokerOf, brokerStatus, enableBroker } from '../helpers/broker-session.js';
import { worktreeDir } from '../helpers/lifecycle.js';

const PROJECT = fileURLToPath(new URL('../../', import.meta.url));
const MARKER = 'Installed-copy marker line.';

let sandbox: Sandbox;
let cli: string;

/** Copies dist/, assets/ and package.json (version 9.9.9-copy) to `<sandbox>/global lib/git-paw`. */
function installCopy(): string {
  const pkg = join(sandbox.root, 'global lib', 'git-paw');
  mkdirSync(pkg, { recursive: true });
  cpSync(join(PROJECT, 'dist'), join(pkg, 'dist'), { recursive: true });
  cpSync(join(PROJECT, 'assets'), join(pkg, 'assets'), { recursive: true });
  const manifest = JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ ...manifest, version: '9.9.9-copy' }));
  const skill = join(pkg, 'assets', 'agent-skills', 'coordination.md');
  writeFileSync(skill, `${readFileSync(skill, 'utf8')}\n${MARKER}\n`);
  symlinkSync(join(PROJECT, 'node_modules'), join(pkg, 'node_modules'));
  return join(pkg, 'dist', 'cli.js');
}

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [cli, ...args], {
    cwd: sandbox.repo,
    env: sandbox.env,
    encoding: 'utf8',
  });
}

beforeEach(() => {
  sandbox = createSandbox();
  cli = installCopy();
});
afterEach(() => sandbox.cleanup());

describe('an installed copy of the bundled dist/', () => {
  it("reports the copy's version", () => {
    const result = run(['--version']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('9.9.9-copy');
  });

  it.skipIf(skipWithoutTmux)("launches with the copy's broker script, skill and version", async () => {
    sandbox.fakeCli('claude');
    await enableBroker(sandbox, '', { curlOnly: true });
    const started = run(['start', '--no-attach', '--cli', 'claude', '--branches', 'feat/a']);
    expect(started.stderr).not.toContain('error:');
    expect(started.status).toBe(0);
    expect(readFileSync(join(worktreeDir(sandbox, 'feat-a'), 'AGENTS.md'), 'utf8')).toContain(MARKER);
    const { port } = brokerOf(sandbox);
    expect(await brokerStatus(port)).toMatchObject({ session: 'paw-proj', version: '9.9.9-copy' });
    expect(run(['purge', '--force']).status).toBe(0);
  });
});
