// How git-paw finds its own files and runs itself from inside a session (the broker window, the
// dashboard pane): the running node binary and absolute paths inside the installed package, so it
// works when git-paw is not on PATH, from paths with spaces, and whatever name the package was
// installed under. Paths are found from the package root rather than relative to the calling
// module, because the bundled dist/ (scripts/bundle.mjs) puts modules in other folders than tsc.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The installed package's root: the nearest folder above this module that holds a package.json. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

/** Absolute path of a file of the installed package, e.g. `dist/broker/serve.js`. */
export function packageFile(relativePath: string): string {
  return join(packageRoot(), relativePath);
}

/** The git-paw version from the installed package.json (`--version`, the broker's `/status`). */
export function packageVersion(): string {
  const raw = readFileSync(packageFile('package.json'), 'utf8');
  return (JSON.parse(raw) as { version: string }).version;
}

/** Absolute path of the built CLI entry (`dist/cli.js`). */
export function gitPawEntryPath(): string {
  return packageFile('dist/cli.js');
}

/** argv that runs `git paw <args…>` with this very installation. */
export function gitPawArgv(args: readonly string[], entryPath: string = gitPawEntryPath()): string[] {
  return [process.execPath, entryPath, ...args];
}
