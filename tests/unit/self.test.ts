// util/self: git-paw's own files are found from the package root, wherever the calling module sits
// (src/ under vitest, build/ from tsc, dist/chunks/ in the bundle — an installed copy of the bundle
// is tested in tests/integration/installed-copy.test.ts).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packageFile } from '../../src/util/self.js';

describe('packageFile', () => {
  it("resolves paths from the package root (the folder of git-paw's package.json)", () => {
    const manifest = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { name: string };
    expect(manifest.name).toBe('git-paw');
    expect(existsSync(packageFile('assets/agent-skills/coordination.md'))).toBe(true);
  });
});
