// scanSpecs against real spec trees in temp dirs: config errors and both backends (data level) and
// the fixes over 0.3.0 (sorted order, YAML frontmatter, owned files, branch validation).
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyConfig, type PawConfig } from '../../src/config/schema.js';
import { scanSpecs } from '../../src/specs/scan.js';
import { SpecError } from '../../src/util/errors.js';

let root: string;

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'paw-specs-')));
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(relative: string, content: string): string {
  const path = join(root, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

function config(specs: PawConfig['specs'], extra: Partial<PawConfig> = {}): PawConfig {
  return { ...emptyConfig(), specs, ...extra };
}

const openspec = (extra: Partial<PawConfig> = {}) => config({ dir: 'openspec/changes', type: 'openspec' }, extra);
const markdown = (extra: Partial<PawConfig> = {}) => config({ dir: 'specs', type: 'markdown' }, extra);

async function specError(promise: Promise<unknown>): Promise<SpecError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(SpecError);
  return error as SpecError;
}

describe('configuration errors', () => {
  it('requires a [specs] section and says how to add one', async () => {
    const error = await specError(scanSpecs(root, emptyConfig()));
    expect(error.message).toBe('Spec error: no [specs] section in config');
    expect(error.hint).toContain('git paw init');
    expect(error.hint).toContain('[specs]');
    expect(error.hint).toContain('type =');
  });

  it('reports a missing specs dir, a file in its place, and an unknown type', async () => {
    expect((await specError(scanSpecs(root, config({})))).message).toBe(`Spec error: specs directory does not exist: ${join(root, 'specs')}`);
    write('specs', 'a file');
    expect((await specError(scanSpecs(root, config({})))).message).toBe(`Spec error: specs path is not a directory: ${join(root, 'specs')}`);
    rmSync(join(root, 'specs'));
    mkdirSync(join(root, 'specs'));
    expect((await specError(scanSpecs(root, config({ type: 'OpenSpec' })))).message).toBe('Spec error: unknown spec type: OpenSpec');
    expect((await specError(scanSpecs(root, config({ type: 'constructor' })))).message).toBe('Spec error: unknown spec type: constructor');
  });

  it('defaults to dir "specs" and type "openspec", and accepts an absolute dir', async () => {
    write('specs/one/tasks.md', 'Do one');
    expect((await scanSpecs(root, config({}))).specs.map((spec) => spec.branch)).toEqual(['spec/one']);
    write('elsewhere/two/tasks.md', 'Do two');
    expect((await scanSpecs(root, config({ dir: join(root, 'elsewhere') }))).specs.map((spec) => spec.id)).toEqual(['two']);
  });
});

describe('openspec backend', () => {
  it('finds nothing in an empty dir', async () => {
    mkdirSync(join(root, 'openspec/changes'), { recursive: true });
    expect(await scanSpecs(root, openspec())).toEqual({ specs: [], warnings: [] });
  });

  it('plans a change with its tasks.md as the prompt', async () => {
    const source = write('openspec/changes/add-auth/tasks.md', 'Implement authentication');
    const { specs, warnings } = await scanSpecs(root, openspec());
    expect(warnings).toEqual([]);
    expect(specs).toEqual([{ id: 'add-auth', branch: 'spec/add-auth', prompt: 'Implement authentication', ownedFiles: [], source }]);
  });

  it('warns about a change without tasks.md and skips archive and files', async () => {
    mkdirSync(join(root, 'openspec/changes/no-tasks'), { recursive: true });
    write('openspec/changes/archive/x/tasks.md', 'old');
    write('openspec/changes/archive/tasks.md', 'old');
    write('openspec/changes/README.md', 'not a change');
    write('openspec/changes/real/tasks.md', 'work');
    const { specs, warnings } = await scanSpecs(root, openspec());
    expect(warnings).toEqual(['skipping change no-tasks: no tasks.md found']);
    expect(specs.map((spec) => spec.id)).toEqual(['real']);
  });

  it('sorts changes by id whatever the directory order, and follows symlinked change dirs', async () => {
    for (const id of ['zeta', 'alpha', 'Mid', 'beta-2', 'beta-10']) write(`openspec/changes/${id}/tasks.md`, id);
    write('outside/linked/tasks.md', 'linked');
    symlinkSync(join(root, 'outside/linked'), join(root, 'openspec/changes/linked'));
    const { specs } = await scanSpecs(root, openspec());
    expect(specs.map((spec) => spec.id)).toEqual(['Mid', 'alpha', 'beta-10', 'beta-2', 'linked', 'zeta']);
  });

  it('reads paw_cli from YAML frontmatter (quoted or not) and keeps it out of the prompt', async () => {
    write('openspec/changes/a/tasks.md', '---\npaw_cli: "gemini"\n---\n# Tasks\nFiles owned:\n- src/a.rs\n');
    write('openspec/changes/b/tasks.md', '---\npaw_cli: claude\n---\nplain');
    const { specs } = await scanSpecs(root, openspec());
    expect(specs.map((spec) => [spec.id, spec.cli, spec.prompt])).toEqual([
      ['a', 'gemini', '# Tasks\nFiles owned:\n- src/a.rs\n'],
      ['b', 'claude', 'plain'],
    ]);
    expect(specs[0]?.ownedFiles).toEqual(['src/a.rs']);
  });

  it('appends capability specs sorted by name, skipping capabilities without spec.md', async () => {
    write('openspec/changes/c/tasks.md', 'Tasks\n');
    write('openspec/changes/c/specs/zz/spec.md', 'Z spec\n');
    write('openspec/changes/c/specs/jwt/spec.md', 'JWT spec\n');
    mkdirSync(join(root, 'openspec/changes/c/specs/empty'), { recursive: true });
    const { specs } = await scanSpecs(root, openspec());
    expect(specs[0]?.prompt).toBe('Tasks\n\n\n## Spec: jwt\n\nJWT spec\n\n\n## Spec: zz\n\nZ spec\n');
  });

  it('takes owned files from the body only, never the frontmatter', async () => {
    write('openspec/changes/c/tasks.md', '---\nnote: |\n  Files owned:\n  - secret.rs\n---\nNo list here\n');
    expect((await scanSpecs(root, openspec())).specs[0]?.ownedFiles).toEqual([]);
  });

  it('normalises CRLF spec files', async () => {
    write('openspec/changes/c/tasks.md', '---\r\npaw_cli: claude\r\n---\r\nDo it\r\nOwned files:\r\n* `x.ts`\r\n');
    const [spec] = (await scanSpecs(root, openspec())).specs;
    expect(spec?.prompt).toBe('Do it\nOwned files:\n* `x.ts`\n');
    expect(spec?.ownedFiles).toEqual(['x.ts']);
    expect(spec?.cli).toBe('claude');
  });
});

describe('markdown backend', () => {
  it('plans only pending .md files with frontmatter', async () => {
    write('specs/a.md', '---\npaw_status: pending\n---\nDo a');
    write('specs/b.md', '---\npaw_status: done\n---\nDo b');
    write('specs/c.md', 'No frontmatter');
    write('specs/d.txt', '---\npaw_status: pending\n---\n');
    write('specs/e.MD', '---\npaw_status: pending\n---\n');
    write('specs/sub/f.md', '---\npaw_status: pending\n---\n');
    const { specs, warnings } = await scanSpecs(root, markdown());
    expect(warnings).toEqual([]);
    expect(specs).toEqual([{ id: 'a', branch: 'spec/a', prompt: 'Do a', ownedFiles: [], source: join(root, 'specs/a.md') }]);
  });

  it('counts a quoted "pending" as pending', async () => {
    write('specs/q.md', "---\npaw_status: \"pending\"\npaw_cli: 'claude'\n---\n");
    const { specs } = await scanSpecs(root, markdown());
    expect(specs.map((spec) => [spec.branch, spec.cli])).toEqual([['spec/q', 'claude']]);
  });

  it('uses paw_branch as the id', async () => {
    write('specs/a.md', '---\npaw_status: pending\npaw_branch: login-flow\n---\n');
    expect((await scanSpecs(root, markdown())).specs.map((spec) => spec.branch)).toEqual(['spec/login-flow']);
  });

  it('applies branch_prefix: "feat" and "feat/" give feat/a, "" gives a', async () => {
    write('specs/a.md', '---\npaw_status: pending\n---\n');
    for (const [prefix, branch] of [['feat', 'feat/a'], ['feat/', 'feat/a'], ['', 'a']] as const) {
      const { specs } = await scanSpecs(root, markdown({ branch_prefix: prefix }));
      expect(specs.map((spec) => spec.branch)).toEqual([branch]);
    }
  });

  it('sorts by id (paw_branch or stem) and finds owned files in markdown specs too', async () => {
    write('specs/1.md', '---\npaw_status: pending\npaw_branch: zz\n---\nFiles owned:\n* a.ts\n');
    write('specs/2.md', '---\npaw_status: pending\n---\n');
    const { specs } = await scanSpecs(root, markdown());
    expect(specs.map((spec) => spec.id)).toEqual(['2', 'zz']);
    expect(specs[1]?.ownedFiles).toEqual(['a.ts']);
  });

  it('warns about and skips a file whose frontmatter is never closed', async () => {
    write('specs/open.md', '---\npaw_status: pending\n');
    const { specs, warnings } = await scanSpecs(root, markdown());
    expect(specs).toEqual([]);
    expect(warnings).toEqual(["skipping spec specs/open.md: its frontmatter has no closing '---' line"]);
  });
});

describe('bad input is reported before anything is created', () => {
  it('broken YAML frontmatter names the file and line', async () => {
    write('specs/ok.md', '---\npaw_status: pending\n---\n');
    write('specs/broken.md', '---\npaw_status: pending\npaw_cli: "claude\n---\n');
    const error = await specError(scanSpecs(root, markdown()));
    expect(error.message).toMatch(/^Spec error: invalid frontmatter in specs\/broken\.md \(line 3\): /);
    write('openspec/changes/x/tasks.md', '---\npaw_cli: [\n---\n');
    expect((await specError(scanSpecs(root, openspec()))).message).toMatch(/invalid frontmatter in openspec\/changes\/x\/tasks\.md/);
  });

  it('a spec id that is not a valid branch name', async () => {
    write('openspec/changes/bad..id/tasks.md', 'x');
    const error = await specError(scanSpecs(root, openspec()));
    expect(error.message).toBe(
      "Spec error: spec 'bad..id' (openspec/changes/bad..id/tasks.md) gives the invalid branch name 'spec/bad..id': it contains '..'",
    );
    write('specs/s.md', '---\npaw_status: pending\npaw_branch: has space\n---\n');
    expect((await specError(scanSpecs(root, markdown()))).message).toContain("'spec/has space': it contains a space");
  });

  it('two specs deriving the same branch, naming both files', async () => {
    write('specs/a.md', '---\npaw_status: pending\n---\n');
    write('specs/b.md', '---\npaw_status: pending\npaw_branch: a\n---\n');
    const error = await specError(scanSpecs(root, markdown()));
    expect(error.message).toMatch(/^Spec error: specs specs\/(a|b)\.md and specs\/(a|b)\.md both map to branch 'spec\/a'$/);
    expect(error.message).toContain('specs/a.md');
    expect(error.message).toContain('specs/b.md');
  });

  it('two specs whose branches git cannot hold together (x and x/y)', async () => {
    write('specs/a.md', '---\npaw_status: pending\npaw_branch: api\n---\n');
    write('specs/b.md', '---\npaw_status: pending\npaw_branch: api/v2\n---\n');
    const error = await specError(scanSpecs(root, markdown()));
    expect(error.message).toBe("Spec error: specs specs/a.md and specs/b.md map to branches 'spec/api' and 'spec/api/v2', which git cannot hold together");
  });

  it('an unreadable spec file', async () => {
    mkdirSync(join(root, 'openspec/changes/c/tasks.md'), { recursive: true });
    expect((await specError(scanSpecs(root, openspec()))).message).toBe('Spec error: cannot read openspec/changes/c/tasks.md: is a directory');
  });

  it.skipIf(process.getuid?.() === 0)('a spec file without read permission', async () => {
    const file = write('specs/a.md', '---\npaw_status: pending\n---\n');
    chmodSync(file, 0o000);
    expect((await specError(scanSpecs(root, markdown()))).message).toBe('Spec error: cannot read specs/a.md: permission denied');
    const cap = write('openspec/changes/c/specs/jwt/spec.md', 'x');
    write('openspec/changes/c/tasks.md', 'x');
    chmodSync(cap, 0o000);
    expect((await specError(scanSpecs(root, openspec()))).message).toBe(
      'Spec error: cannot read openspec/changes/c/specs/jwt/spec.md: permission denied',
    );
    chmodSync(join(root, 'specs'), 0o311);
    expect((await specError(scanSpecs(root, markdown()))).message).toBe('Spec error: cannot read specs: permission denied');
    chmodSync(join(root, 'specs'), 0o755);
  });
});
