// Counting the processes a command starts: a shim for each program, first on the sandbox's PATH,
// logs its parent's pid and arguments and then runs the real program.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox } from './sandbox.js';

export interface ProcessLog {
  /** Each logged call (`program args…`) made by the process whose pid is `parent`. */
  callsBy(parent: number): string[];
  /** The pid that made the first logged call: the command under test, when it calls first. */
  firstCaller(): number | undefined;
  /** Starts a fresh log. */
  reset(): void;
}

/** Puts logging shims for `programs` into the sandbox's bin dir (which PATH lists first). */
export function countProcesses(sandbox: Sandbox, programs: readonly string[]): ProcessLog {
  const log = join(sandbox.root, 'process-log');
  for (const program of programs) {
    const real = execFileSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).trim();
    // One record per call, NUL-terminated: arguments may hold newlines (tmux command lists do).
    sandbox.fakeCli(
      program,
      `#!/bin/sh\nprintf '%s ${program} %s\\0' "$PPID" "$*" >> '${log}'\nexec '${real}' "$@"\n`,
    );
  }
  const records = () => {
    let text = '';
    try {
      text = readFileSync(log, 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\0')
      .filter((record) => record !== '')
      .map((record) => {
        const space = record.indexOf(' ');
        return { parent: Number(record.slice(0, space)), call: record.slice(space + 1) };
      });
  };
  return {
    callsBy: (parent) =>
      records()
        .filter((record) => record.parent === parent)
        .map((record) => record.call),
    firstCaller: () => records()[0]?.parent,
    reset: () => rmSync(log, { force: true }),
  };
}
