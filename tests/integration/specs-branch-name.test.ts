// branchNameProblem must agree with `git check-ref-format --branch` (git is the
// judge); this runs both over a corpus of tricky names.
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { branchNameProblem } from '../../src/specs/branch-name.js';

function gitAccepts(name: string): boolean {
  try {
    const out = execFileSync('git', ['check-ref-format', '--branch', name], {
      cwd: tmpdir(),
      env: { ...process.env, LC_ALL: 'C', GIT_CONFIG_NOSYSTEM: '1' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.trim() === name;
  } catch {
    return false;
  }
}

const CORPUS = [
  'spec/add-auth', 'add-auth', 'feat/a', 'a', 'A/B/C', 'spec/ümlaut', 'spec/日本', 'x.y', 'a./b', 'a/b.c', 'v1.2.3',
  'spec/a_b', 'spec/a+b', 'spec/a,b', 'spec/a=b', 'spec/a#b', 'spec/a!b', 'spec/a@b', 'spec/@', 'a@', '@a',
  '', 'HEAD', 'spec/HEAD', '@', '-x', 'spec/-x', 'a-', 'spec/bad..id', '..', '.', 'a.', 'spec/x.', '.hidden',
  'spec/.hidden', 'spec/x.lock', 'x.lock', 'spec/x.lock/y', 'spec/x.locked', 'spec/has space', 'tab\tname',
  'nl\nname', 'del\u007fname', 'spec/a~b', 'spec/a^b', 'spec/a:b', 'spec/a?b', 'spec/a*b', 'spec/a[b', 'spec/a]b',
  'spec\\a', 'spec/a@{b', 'spec/a@{', '@{-1}', '/lead', 'trail/', 'double//slash', 'spec/a{b}', 'spec/$x', "spec/it's",
  'spec/a"b', 'spec/a|b', 'spec/a<b>', 'spec/(x)', 'spec/a;b', 'spec/a&b', 'spec/%41',
];

describe('branchNameProblem agrees with git check-ref-format --branch', () => {
  it.each(CORPUS.map((name) => [JSON.stringify(name), name]))('%s', (_label, name) => {
    expect(branchNameProblem(name) === undefined).toBe(gitAccepts(name));
  });
});
