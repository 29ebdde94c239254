import { describe, expect, it } from 'vitest';
import { branchNameProblem, deriveBranch } from '../../src/specs/branch-name.js';
import { parseFields, splitFrontmatter, textField } from '../../src/specs/frontmatter.js';
import { extractOwnedFiles } from '../../src/specs/owned-files.js';
import { SpecError } from '../../src/util/errors.js';

describe('splitFrontmatter', () => {
  it('splits YAML from the body and drops the blank lines after the closing line', () => {
    const split = splitFrontmatter('---\npaw_cli: claude\n---\n\n# Tasks\n- [ ] one\n');
    expect(split.yaml).toBe('paw_cli: claude');
    expect(split.yamlLine).toBe(2);
    expect(split.body).toBe('# Tasks\n- [ ] one\n');
  });

  it('allows leading blank lines and whitespace around the delimiters', () => {
    const split = splitFrontmatter('\n\n  ---  \na: 1\n --- \nbody');
    expect(split.yaml).toBe('a: 1');
    expect(split.yamlLine).toBe(4);
    expect(split.body).toBe('body');
  });

  it('treats text without an opening line as all body, and flags an unclosed block', () => {
    expect(splitFrontmatter('# Title\n---\nx')).toEqual({ yamlLine: 0, body: '# Title\n---\nx', unclosed: false });
    const unclosed = splitFrontmatter('---\na: 1\nno end');
    expect(unclosed.yaml).toBeUndefined();
    expect(unclosed).toMatchObject({ unclosed: true, body: '---\na: 1\nno end' });
  });
});

describe('parseFields and textField', () => {
  it('parses real YAML: quoted values lose their quotes', () => {
    const fields = parseFields(splitFrontmatter('---\npaw_status: "pending"\npaw_cli: \'claude\'\n---\n'), 'a.md');
    expect(textField(fields, 'paw_status', 'a.md')).toBe('pending');
    expect(textField(fields, 'paw_cli', 'a.md')).toBe('claude');
  });

  it('treats empty frontmatter, null and blank values as unset and numbers as text', () => {
    const fields = parseFields(splitFrontmatter('---\npaw_cli:\npaw_branch: "  "\nid: 42\n---\n'), 'a.md');
    expect(textField(fields, 'paw_cli', 'a.md')).toBeUndefined();
    expect(textField(fields, 'paw_branch', 'a.md')).toBeUndefined();
    expect(textField(fields, 'id', 'a.md')).toBe('42');
    expect(parseFields(splitFrontmatter('---\n---\nbody'), 'a.md')).toEqual({});
  });

  it('reports broken YAML as a Spec error naming the file and the file line', () => {
    const split = splitFrontmatter('\n---\npaw_status: pending\npaw_status: done\n---\n');
    expect(() => parseFields(split, 'specs/a.md')).toThrow(SpecError);
    expect(() => parseFields(split, 'specs/a.md')).toThrow(
      'Spec error: invalid frontmatter in specs/a.md (line 4): Map keys must be unique',
    );
    expect(() => parseFields(splitFrontmatter('---\npaw_cli: "claude\n---\n'), 'b.md')).toThrow(/invalid frontmatter in b\.md \(line 2\)/);
  });

  it('rejects frontmatter that is not a mapping, and non-text values', () => {
    expect(() => parseFields(splitFrontmatter('---\n- a\n- b\n---\n'), 'a.md')).toThrow("expected 'key: value' lines");
    const fields = parseFields(splitFrontmatter('---\npaw_cli: [a, b]\n---\n'), 'a.md');
    expect(() => textField(fields, 'paw_cli', 'a.md')).toThrow('paw_cli must be a text value');
  });
});

describe('extractOwnedFiles', () => {
  it('collects - and * bullets after the header, trimming backticks', () => {
    const body = '# Tasks\n\nFiles owned:\n- src/a.rs\n* `src/b.rs`\n-   ` src/c.rs `\n\nNext paragraph\n- not/owned\n';
    expect(extractOwnedFiles(body)).toEqual(['src/a.rs', 'src/b.rs', 'src/c.rs']);
  });

  it('matches the header case-insensitively, with markdown decoration, and prefers "Files owned:"', () => {
    expect(extractOwnedFiles('## OWNED FILES:\n- x\n')).toEqual(['x']);
    expect(extractOwnedFiles('**files owned:**\n\n  - y\n')).toEqual(['y']);
    expect(extractOwnedFiles('Owned files:\n- a\n\nFiles owned:\n- b\n')).toEqual(['b']);
  });

  it('ends the list at the first non-bullet line and returns nothing without a header', () => {
    expect(extractOwnedFiles('Files owned:\n- a\n---\n- b\n')).toEqual(['a']);
    expect(extractOwnedFiles('- a\n- b\n')).toEqual([]);
    expect(extractOwnedFiles('Files owned:\n-not-a-bullet\n')).toEqual([]);
  });

  it('handles non-ASCII text around the header', () => {
    // Lower-casing 'İ' changes the text's length, which made upstream's byte-offset search mis-slice.
    expect(extractOwnedFiles('İİİİ İstanbul\nİİ Files owned:\n- ü/ö.ts\n- `src/ß.ts`\n')).toEqual(['ü/ö.ts', 'src/ß.ts']);
  });
});

describe('deriveBranch and branchNameProblem', () => {
  it('applies the prefix rules, with an empty prefix meaning none', () => {
    expect(deriveBranch('spec/', 'add-auth')).toBe('spec/add-auth');
    expect(deriveBranch('feat/', 'add-auth')).toBe('feat/add-auth');
    expect(deriveBranch('spec', 'add-auth')).toBe('spec/add-auth');
    expect(deriveBranch('', 'add-auth')).toBe('add-auth');
  });

  it('explains why a name is invalid', () => {
    expect(branchNameProblem('spec/add-auth')).toBeUndefined();
    expect(branchNameProblem('spec/bad..id')).toBe("it contains '..'");
    expect(branchNameProblem('spec/has space')).toBe('it contains a space');
    expect(branchNameProblem('/add-auth')).toMatch(/empty path component/);
    expect(branchNameProblem('spec/x.lock')).toMatch(/ends with '.lock'/);
    expect(branchNameProblem('spec/.hidden')).toMatch(/starts with '.'/);
  });
});
