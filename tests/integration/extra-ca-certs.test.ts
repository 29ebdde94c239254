// NODE_EXTRA_CA_CERTS makes every Node process read the named CA bundle as it starts. git-paw's
// bin starts Node without it (its sh prologue moves it aside) and puts it back at once, so that
// what git-paw starts — tmux, and through it the agents' CLIs, which do open TLS connections —
// still has the user's bundle.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI_PATH } from '../helpers/run-cli.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { listPanes, skipWithoutTmux } from '../helpers/tmux.js';

const run = promisify(execFile);

let sandbox: Sandbox;
let certs: string;
let nodeLog: string;
beforeEach(() => {
  sandbox = createSandbox();
  sandbox.fakeCli('claude');
  certs = join(sandbox.root, 'extra-ca.pem');
  writeFileSync(certs, '');
  // A `node` first on PATH that notes what it was started with, then is the real node.
  nodeLog = join(sandbox.root, 'node-starts.log');
  sandbox.fakeCli(
    'node',
    `#!/bin/sh\nprintf 'extra=%s saved=%s\\n' "\${NODE_EXTRA_CA_CERTS-unset}" "\${GIT_PAW_NODE_EXTRA_CA_CERTS-unset}" >> '${nodeLog}'\nexec '${process.execPath}' "$@"\n`,
  );
});
afterEach(() => sandbox.cleanup());

/** Runs the built bin as an executable, the way a shell or `git paw` starts it. */
function bin(args: string[]): Promise<{ stdout: string }> {
  return run(CLI_PATH, args, { cwd: sandbox.repo, env: { ...sandbox.env, NODE_EXTRA_CA_CERTS: certs } });
}

describe('NODE_EXTRA_CA_CERTS', () => {
  it('is set aside while the bin starts node', async () => {
    const { stdout } = await bin(['--version']);
    expect(stdout).toMatch(/^git-paw \d/);
    expect(readFileSync(nodeLog, 'utf8')).toBe(`extra=unset saved=${certs}\n`);
  });

  it.skipIf(skipWithoutTmux)('reaches the agents of a session the bin started', async () => {
    await bin(['start', '--no-attach', '--cli', 'claude', '--branches', 'feat/a']);
    const agentPane = listPanes(sandbox, 'paw-proj').find((pane) => pane.label === 'feat/a → claude');
    const shellPid = Number(sandbox.tmux(['display-message', '-p', '-t', agentPane?.id ?? '', '#{pane_pid}']));
    const environ = readFileSync(`/proc/${shellPid}/environ`, 'utf8').split('\0');
    expect(environ).toContain(`NODE_EXTRA_CA_CERTS=${certs}`);
    expect(environ.filter((entry) => entry.startsWith('GIT_PAW_NODE_EXTRA_CA_CERTS='))).toEqual([]);
  });
});
