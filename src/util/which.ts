// Executable lookup with `which` semantics over a PATH string.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of the first executable `name` on `pathEnv`, or undefined. */
export function which(name: string, pathEnv = process.env.PATH ?? ''): string | undefined {
  if (name === '') return undefined;
  if (name.includes('/')) {
    const candidate = isAbsolute(name) ? name : resolve(name);
    return isExecutableFile(candidate) ? candidate : undefined;
  }
  for (const dir of pathEnv.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return isAbsolute(candidate) ? candidate : resolve(candidate);
  }
  return undefined;
}
