// Many processes meet a stale repo lock at the same moment: exactly one takes it over, every
// other one is refused, and nobody deletes the winner's fresh lock. Each contender is a real
// process running the built lock module; all are released together by one byte on their stdin
// and keep whatever they won until the round is over.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockFilePath } from '../../src/session/lock.js';

const CONTENDERS = 16;
const ROUNDS = 4;
const LOCK_MODULE = pathToFileURL(resolve('build/session/lock.js')).href;

/** Waits for "go", tries the lock, reports, and holds what it won until its stdin closes. */
const CONTENDER = `
const { acquireRepoLock } = await import(process.argv[1]);
process.stdin.once('data', () => {
  let lock;
  try {
    lock = acquireRepoLock('/repo/raced');
    process.stdout.write('won\\n');
  } catch (error) {
    process.stdout.write(\`refused \${error.message}\\n\`);
  }
  process.stdin.once('end', () => lock?.release());
  process.stdin.resume();
});
process.stdout.write('ready\\n');
`;

let root: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'paw-lock-race-'));
  env = { ...process.env, HOME: root, XDG_DATA_HOME: join(root, 'data') };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

/** Collects the lines a process prints; `next()` resolves with the next one. */
function lineReader(child: ChildProcess): { next(): Promise<string> } {
  const seen: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      const line = text.slice(0, newline);
      text = text.slice(newline + 1);
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else seen.push(line);
      newline = text.indexOf('\n');
    }
  });
  child.once('exit', (code) => {
    for (const waiter of waiting.splice(0)) waiter(`exited with code ${code} (${text})`);
  });
  return {
    next: () => {
      const line = seen.shift();
      return line !== undefined
        ? Promise.resolve(line)
        : new Promise((resolveLine) => waiting.push(resolveLine));
    },
  };
}

async function round(): Promise<string[]> {
  const locks = join(root, 'data', 'git-paw', 'locks');
  rmSync(locks, { recursive: true, force: true });
  mkdirSync(locks, { recursive: true, mode: 0o700 });
  writeFileSync(lockFilePath(locks, '/repo/raced'), String(deadPid()));
  const children = Array.from({ length: CONTENDERS }, () =>
    spawn(process.execPath, ['--input-type=module', '-e', CONTENDER, LOCK_MODULE], {
      env,
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  try {
    const readers = children.map(lineReader);
    expect(await Promise.all(readers.map((reader) => reader.next()))).toEqual(children.map(() => 'ready'));
    for (const child of children) child.stdin.write('go');
    return await Promise.all(readers.map((reader) => reader.next()));
  } finally {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.stdin.end();
          }),
      ),
    );
  }
}

describe('a stale repo lock met by many processes at once', () => {
  it(`exactly one of ${CONTENDERS} takes it over, in each of ${ROUNDS} rounds`, async () => {
    for (let n = 0; n < ROUNDS; n++) {
      const outcomes = await round();
      expect(
        outcomes.filter((line) => line === 'won'),
        `round ${n + 1}: ${outcomes.join(' | ')}`,
      ).toHaveLength(1);
      for (const line of outcomes.filter((outcome) => outcome !== 'won')) {
        expect(line).toMatch(/^refused Session error: another git-paw command is running for this repo/);
      }
    }
  }, 60_000);
});
