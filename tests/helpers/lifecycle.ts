// Shared helpers of the lifecycle tests (start/stop/purge/status/recovery): run the built CLI in
// a sandbox repo and observe what it left behind — state files, worktrees, branches, sessions.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli, type CliResult } from './run-cli.js';
import type { Sandbox } from './sandbox.js';

export function sessionsDirOf(sandbox: Sandbox): string {
  return join(sandbox.home, '.local', 'share', 'git-paw', 'sessions');
}

export function statePath(sandbox: Sandbox, name = 'paw-proj'): string {
  return join(sessionsDirOf(sandbox), `${name}.json`);
}

export interface SavedState {
  session_name: string;
  repo_path: string;
  project_name: string;
  created_at: string;
  status: string;
  worktrees: { branch: string; worktree_path: string; cli: string; branch_created?: boolean; command?: string }[];
  [key: string]: unknown;
}

export function readState(sandbox: Sandbox, name = 'paw-proj'): SavedState {
  return JSON.parse(readFileSync(statePath(sandbox, name), 'utf8')) as SavedState;
}

/** Every file in the sessions dir except lock files (which only exist while a command runs). */
export function sessionFiles(sandbox: Sandbox): string[] {
  const dir = sessionsDirOf(sandbox);
  return existsSync(dir) ? readdirSync(dir).filter((name) => !name.endsWith('.lock')).sort() : [];
}

export function paw(sandbox: Sandbox, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliResult> {
  return runCli(args, { cwd: options.cwd ?? sandbox.repo, env: { ...sandbox.env, ...options.env }, input: options.input });
}

/** Paths of all registered worktrees, main first. */
export function worktreePaths(sandbox: Sandbox): string[] {
  return sandbox
    .git(['worktree', 'list', '--porcelain'])
    .split('\n')
    .filter((line) => line.startsWith('worktree '))
    .map((line) => line.slice('worktree '.length));
}

export function localBranches(sandbox: Sandbox): string[] {
  return sandbox.git(['for-each-ref', '--format=%(refname:short)', 'refs/heads']).split('\n').filter(Boolean);
}

export function sessionAlive(sandbox: Sandbox, name = 'paw-proj'): boolean {
  return sandbox.tmuxStatus(['has-session', '-t', `=${name}`]) === 0;
}

export function liveSessions(sandbox: Sandbox): string[] {
  try {
    return sandbox.tmux(['list-sessions', '-F', '#{session_name}']).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** The sibling directory a branch's worktree gets (`<root>/proj-<slug>`). */
export function worktreeDir(sandbox: Sandbox, slug: string): string {
  return join(sandbox.root, `proj-${slug}`);
}

/** What a refused launch must leave: only the main worktree, the given branches, no session, no state. */
export function expectNothingCreated(sandbox: Sandbox, branches: string[] = ['main']): void {
  expect(worktreePaths(sandbox)).toEqual([sandbox.repo]);
  expect(localBranches(sandbox)).toEqual(branches);
  expect(liveSessions(sandbox)).toEqual([]);
  expect(sessionFiles(sandbox)).toEqual([]);
  expect(readdirSync(sandbox.root).filter((name) => name.startsWith('proj-'))).toEqual([]);
}

/** Runs the CLI and fails the test with its whole output unless it exits 0. */
export async function pawOk(sandbox: Sandbox, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const result = await paw(sandbox, args, options);
  if (result.code !== 0) {
    throw new Error(`git-paw ${args.join(' ')} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
  return result;
}
