// How git-paw runs itself from inside a session (the broker window, the dashboard pane): the
// running node binary and the absolute path of the built entry point, so it works when git-paw is
// not on PATH, from paths with spaces, and whatever name the package was installed under.
import { fileURLToPath } from 'node:url';

/** Absolute path of the built CLI entry (`dist/cli.js`). */
export function gitPawEntryPath(): string {
  return fileURLToPath(new URL('../cli.js', import.meta.url));
}

/** argv that runs `git paw <args…>` with this very installation. */
export function gitPawArgv(args: readonly string[], entryPath: string = gitPawEntryPath()): string[] {
  return [process.execPath, entryPath, ...args];
}
