// The git-paw section of a worktree's AGENTS.md: rendering it (upstream layout and markers,
// byte for byte) and splicing it into a base text. Pure string functions, no I/O.
import { portSpan } from '../bootstrap/ports.js';

/** Written as the section's first line (the dash is U+2014, as upstream writes it). */
export const START_MARKER = '<!-- git-paw:start \u2014 managed by git-paw, do not edit manually -->';
/** Written as the section's last line. */
export const END_MARKER = '<!-- git-paw:end -->';
/** A line that begins with this (no leading whitespace) starts a section, whatever follows. */
const START_MARKER_PREFIX = '<!-- git-paw:start';

/** What one worktree's agent is told about its assignment. */
export interface Assignment {
  branch: string;
  cli: string;
  /** The spec prompt (from-specs launches). */
  specText?: string;
  /** Files this agent owns (from the spec's `Files owned:` list). */
  ownedFiles?: string[];
  /** The agent's own block of ports (`[ports]`). */
  ports?: readonly number[];
  /** The rendered coordination skill (broker enabled). */
  skillText?: string;
}

/** Converts CRLF and lone CR line endings to LF, so the result has one line-ending style. */
export function normaliseLineEndings(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

function withFinalNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** The bullet that tells the agent which ports are its own (PORT is the first). */
function portsLine(ports: readonly number[]): string {
  const last = ports.length - 1;
  const variables =
    last === 0 ? '`$PORT`' : `\`$PORT\` or \`$GIT_PAW_PORT_0\`…\`$GIT_PAW_PORT_${last}\``;
  const noun = last === 0 ? 'Port' : 'Ports';
  return `- **${noun}:** ${portSpan(ports)} — use ${variables} for dev servers so they do not collide with the other agents`;
}

/**
 * Renders the section: start marker, assignment heading, branch, CLI and the agent's ports (when
 * it has some), then the optional spec, file ownership and skill blocks (each after one blank
 * line), then the end marker.
 * Empty optional blocks are left out rather than rendered as a bare heading.
 */
export function renderSection(assignment: Assignment): string {
  const lines = [START_MARKER, '', '## git-paw Session Assignment', '', `- **Branch:** \`${assignment.branch}\``, `- **CLI:** ${assignment.cli}`];
  if (assignment.ports && assignment.ports.length > 0) lines.push(portsLine(assignment.ports));
  let text = `${lines.join('\n')}\n`;
  if (assignment.specText) {
    text += `\n### Spec\n\n${withFinalNewline(normaliseLineEndings(assignment.specText))}`;
  }
  if (assignment.ownedFiles && assignment.ownedFiles.length > 0) {
    text += `\n### File Ownership\n\n${assignment.ownedFiles.map((file) => `- \`${file}\`\n`).join('')}`;
  }
  if (assignment.skillText) {
    text += `\n${withFinalNewline(normaliseLineEndings(assignment.skillText))}`;
  }
  return `${text}\n${END_MARKER}\n`;
}

/** Splits text into lines the way "lines of a file" are meant: a final newline adds no line. */
function fileLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function joinLines(lines: readonly string[]): string {
  return lines.map((line) => `${line}\n`).join('');
}

/**
 * Combines `base` (the repo's or branch's AGENTS.md) with `section`:
 * - empty (or blank) base → just the section;
 * - base with a start-marker line → that line through the first line containing the end marker
 *   (or through EOF when there is none) is replaced by the section; text before and after stays;
 * - otherwise → base, a newline if it lacked one, one blank line, then the section.
 * Line endings are normalised to LF. Injecting into its own output yields the same text, so a
 * re-injection never duplicates the section.
 */
export function injectSection(base: string, section: string): string {
  const text = normaliseLineEndings(base);
  if (text.trim() === '') return section;
  const lines = fileLines(text);
  const start = lines.findIndex((line) => line.startsWith(START_MARKER_PREFIX));
  if (start === -1) return `${withFinalNewline(text)}\n${section}`;
  const endOffset = lines.slice(start).findIndex((line) => line.includes(END_MARKER));
  const after = endOffset === -1 ? [] : lines.slice(start + endOffset + 1);
  return `${joinLines(lines.slice(0, start))}${section}${joinLines(after)}`;
}
