// Third build step: writes the manual page dist/man/git-paw.1 from the built CLI's own help, so
// the page always says what `git paw … --help` says. git turns `git paw --help` into
// `man git-paw`; the package's `man` field makes `npm install -g` put the page where man looks.
// Each command's help goes in verbatim (no-fill) blocks: it is already laid out for 80 columns.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const help = (...args) =>
  execFileSync(process.execPath, ['dist/cli.js', ...args, '--help'], { encoding: 'utf8' });

/** Roff-safe text: backslashes doubled, and a line starting with `.` or `'` is not a request. */
const roff = (text) =>
  text
    .replace(/\\/g, '\\e')
    .split('\n')
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join('\n');

/** The command names of the top-level help's `Commands:` section (but `help`). */
function commandNames(top) {
  const section = top.split(/^Commands:$/m)[1]?.split(/^\S/m)[0] ?? '';
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)]
    .map((match) => match[1])
    .filter((name) => name !== 'help');
}

const top = help();
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
const summary = top.split('\n\n')[1]?.replace(/\s+/g, ' ').trim() ?? '';
const verbatim = (text) => ['.nf', roff(text.trimEnd()), '.fi'];
const page = [
  `.TH GIT-PAW 1 "" "git-paw ${version}" "git-paw manual"`,
  '.SH NAME',
  `git-paw \\- ${roff(summary)}`,
  '.SH SYNOPSIS',
  '.B git paw',
  '[\\fIcommand\\fR] [\\fIoptions\\fR]',
  '.SH DESCRIPTION',
  ...verbatim(top),
  '.SH COMMANDS',
  ...commandNames(top).flatMap((name) => [`.SS ${name}`, ...verbatim(help(name))]),
  '.SH FILES',
  '.TP',
  '.I .git-paw/config.toml',
  'The repository config (see `git paw init`).',
  '.TP',
  '.I $XDG_CONFIG_HOME/git-paw/config.toml',
  'The global config (custom CLIs, defaults).',
  '.TP',
  '.I $XDG_DATA_HOME/git-paw/sessions/',
  'Session state, broker logs and per-agent integration files.',
  '',
];
mkdirSync('dist/man', { recursive: true });
writeFileSync('dist/man/git-paw.1', page.join('\n'));
