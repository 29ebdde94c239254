import { describe, expect, it } from 'vitest';
import { END_MARKER, START_MARKER, injectSection, renderSection } from '../../src/agents-md/section.js';

const minimal = [
  '<!-- git-paw:start \u2014 managed by git-paw, do not edit manually -->',
  '',
  '## git-paw Session Assignment',
  '',
  '- **Branch:** `feat/a`',
  '- **CLI:** claude',
  '',
  '<!-- git-paw:end -->',
  '',
].join('\n');

describe('renderSection', () => {
  it('renders the upstream layout with an em-dash start marker', () => {
    expect(START_MARKER).toContain('\u2014');
    expect(renderSection({ branch: 'feat/a', cli: 'claude' })).toBe(minimal);
  });

  it('adds spec, file ownership and skill blocks in that order, each after one blank line', () => {
    const text = renderSection({
      branch: 'spec/add-auth',
      cli: 'echo',
      specText: 'Implement auth',
      ownedFiles: ['src/a.rs', 'src/b.rs'],
      skillText: '## Coordination Skills\n\nPoll.',
    });
    expect(text).toBe(
      [
        START_MARKER,
        '',
        '## git-paw Session Assignment',
        '',
        '- **Branch:** `spec/add-auth`',
        '- **CLI:** echo',
        '',
        '### Spec',
        '',
        'Implement auth',
        '',
        '### File Ownership',
        '',
        '- `src/a.rs`',
        '- `src/b.rs`',
        '',
        '## Coordination Skills',
        '',
        'Poll.',
        '',
        END_MARKER,
        '',
      ].join('\n'),
    );
  });

  it('tells the agent its ports right under its CLI: PORT alone, or PORT and each GIT_PAW_PORT_<i> of a block', () => {
    expect(renderSection({ branch: 'b', cli: 'c', ports: [3100] })).toContain(
      '- **CLI:** c\n- **Port:** 3100 — use `$PORT` for dev servers so they do not collide with the other agents\n\n',
    );
    expect(renderSection({ branch: 'b', cli: 'c', ports: [3110, 3111, 3112] })).toContain(
      '- **CLI:** c\n- **Ports:** 3110-3112 — use `$PORT` or `$GIT_PAW_PORT_0`…`$GIT_PAW_PORT_2` for dev servers so they do not collide with the other agents\n\n',
    );
  });

  it('does not double a final newline of the spec and normalises its CRLF line endings', () => {
    const text = renderSection({ branch: 'b', cli: 'c', specText: 'one\r\ntwo\r\n' });
    expect(text).toContain('### Spec\n\none\ntwo\n\n<!-- git-paw:end -->\n');
    expect(text).not.toContain('\r');
  });

  it('leaves out empty optional blocks', () => {
    expect(renderSection({ branch: 'feat/a', cli: 'claude', specText: '', ownedFiles: [], skillText: '' })).toBe(minimal);
  });
});

describe('injectSection', () => {
  const section = renderSection({ branch: 'feat/a', cli: 'claude' });

  it('returns just the section for an empty or blank base', () => {
    expect(injectSection('', section)).toBe(section);
    expect(injectSection('\n\n', section)).toBe(section);
  });

  it('appends after one blank line, adding a missing final newline first', () => {
    expect(injectSection('# Rules\n', section)).toBe(`# Rules\n\n${section}`);
    expect(injectSection('# Rules', section)).toBe(`# Rules\n\n${section}`);
  });

  it('replaces an existing section and keeps the text before and after it', () => {
    const base = `# Rules\n\n${START_MARKER}\nold assignment\n${END_MARKER}\n## After\ntail\n`;
    const result = injectSection(base, section);
    expect(result).toBe(`# Rules\n\n${section}## After\ntail\n`);
    expect(result).not.toContain('old assignment');
  });

  it('detects a start marker by its prefix only, and at the start of a line only', () => {
    const base = `intro\n<!-- git-paw:start (older wording) -->\nold\n${END_MARKER}\n`;
    expect(injectSection(base, section)).toBe(`intro\n${section}`);
    const indented = `intro\n  <!-- git-paw:start -->\n`;
    expect(injectSection(indented, section)).toBe(`${indented}\n${section}`);
  });

  it('replaces through the end of the file when the end marker is missing', () => {
    expect(injectSection(`keep\n${START_MARKER}\nold\nstill old\n`, section)).toBe(`keep\n${section}`);
  });

  it('replaces only the first section', () => {
    const base = `${START_MARKER}\none\n${END_MARKER}\nmiddle\n${START_MARKER}\ntwo\n${END_MARKER}\n`;
    expect(injectSection(base, section)).toBe(`${section}middle\n${START_MARKER}\ntwo\n${END_MARKER}\n`);
  });

  it('normalises CRLF line endings of the base', () => {
    expect(injectSection('# Rules\r\nline two\r\n', section)).toBe(`# Rules\nline two\n\n${section}`);
    const withOld = `a\r\n${START_MARKER}\r\nold\r\n${END_MARKER}\r\nb\r\n`;
    expect(injectSection(withOld, section)).toBe(`a\n${section}b\n`);
  });

  it('is idempotent: injecting into its own output changes nothing', () => {
    for (const base of ['', '# Rules\n', '# Rules', `x\n${START_MARKER}\nold\n${END_MARKER}\ny\n`, 'a\r\nb']) {
      const once = injectSection(base, section);
      expect(injectSection(once, section)).toBe(once);
      expect(once.split(START_MARKER).length - 1).toBe(1);
    }
  });

  it('replaces an old section of another assignment with the new one', () => {
    const old = injectSection('# Rules\n', renderSection({ branch: 'old/branch', cli: 'gemini' }));
    const again = injectSection(old, section);
    expect(again).toBe(`# Rules\n\n${section}`);
  });
});
