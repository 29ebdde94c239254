// util/self: git-paw's own files are found from the package root, wherever the calling module sits
// (src/ under vitest, build/ from tsc, dist/chunks/ in the bundle).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gitPawArgv, gitPawEntryPath, packageFile } from '../../src/util/self.js';

describe('packageFile', () => {
  it("resolves paths from the package root (the folder of git-paw's package.json)", () => {
    const manifest = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { name: string };
    expect(manifest.name).toBe('git-paw');
    expect(existsSync(packageFile('assets/agent-skills/coordination.md'))).toBe(true);
  });

  it('names the built CLI entry, run with this very node', () => {
    expect(gitPawEntryPath()).toBe(packageFile('dist/cli.js'));
    expect(gitPawArgv(['status'])).toEqual([process.execPath, packageFile('dist/cli.js'), 'status']);
  });
});
