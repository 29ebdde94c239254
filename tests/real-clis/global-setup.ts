// Before the real-CLI suite: installs the pinned CLIs into their cache (a no-op once stamped).
// Only an unreachable npm registry outside CI lets the suite skip; in CI it fails.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

const INSTALL = fileURLToPath(new URL('../../scripts/install-real-clis.mjs', import.meta.url));
const REGISTRY_UNREACHABLE = 3;

export default function setup(project: TestProject): void {
  const install = spawnSync(process.execPath, [INSTALL], {
    encoding: 'utf8',
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  const message = (install.stderr ?? '').trim();
  if (install.status === REGISTRY_UNREACHABLE && !process.env.CI) {
    project.provide('realClisSkip', message || 'the npm registry cannot be reached');
    return;
  }
  if (install.status !== 0) throw new Error(message || `install-real-clis exited ${install.status}`);
  project.provide('realClisSkip', '');
}
