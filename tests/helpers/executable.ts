// Writes small executable scripts (fake programs) for tests.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Creates `<dir>/<name>` with `script` (default: a shell script that exits 0), mode 0755. */
export function writeExecutable(dir: string, name: string, script = '#!/bin/sh\nexit 0\n'): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, script);
  chmodSync(path, 0o755);
  return path;
}
