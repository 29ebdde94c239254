import { describe, expect, it } from 'vitest';
import { agentIdOf, relativeWorktreeLabel, worktreeDirName, worktreePathFor } from '../../src/git/names.js';

describe('worktreeDirName', () => {
  it.each([
    ['git-paw', 'feat/auth-flow', 'git-paw-feat-auth-flow'],
    ['my-proj', 'fix/issue#42', 'my-proj-fix-issue42'],
    ['proj', 'feat/special@chars!', 'proj-feat-specialchars'],
    ['proj', 'Feat/Ünïcode_1.2', 'proj-Feat-Ünïcode_1.2'],
    ['proj', 'a//b', 'proj-a--b'],
    ['my.app', 'x', 'my.app-x'],
  ])('%s + %s → %s', (project, branch, expected) => {
    expect(worktreeDirName(project, branch)).toBe(expected);
  });

  it('maps feat/x and feat-x to the same directory (the collision validation must catch)', () => {
    expect(worktreeDirName('p', 'feat/x')).toBe(worktreeDirName('p', 'feat-x'));
  });
});

describe('worktreePathFor', () => {
  it('places the worktree beside the repo', () => {
    expect(worktreePathFor('/work/space dir/proj', 'proj', 'feat/a')).toBe('/work/space dir/proj-feat-a');
    expect(relativeWorktreeLabel('/work/space dir/proj-feat-a')).toBe('../proj-feat-a');
  });

  it('refuses a repo at the filesystem root', () => {
    expect(() => worktreePathFor('/', 'project', 'a')).toThrow('Worktree error: cannot determine parent directory of repo');
  });
});

describe('agentIdOf', () => {
  it.each([
    ['feat/http-broker', 'feat-http-broker'],
    ['Feat/HTTP_Broker', 'feat-http_broker'],
    ['users/jane/feat/x', 'users-jane-feat-x'],
    ['feat//x', 'feat-x'],
    ['/feat/x/', 'feat-x'],
    ['feat/my_feature', 'feat-my_feature'],
    ['release/v1.2', 'release-v1-2'],
    ['feat/日本語', 'feat'],
    ['', 'agent'],
    ['---', 'agent'],
    ['///', 'agent'],
    ['__', '__'],
    ['feat/😀x', 'feat-x'],
  ])('%j → %j', (branch, expected) => {
    expect(agentIdOf(branch)).toBe(expected);
  });
});
