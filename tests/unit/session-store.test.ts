import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RepoInfo } from '../../src/git/repo.js';
import type { SessionState } from '../../src/session/schema.js';
import { formatStatus, statusJson } from '../../src/session/report.js';
import { effectiveStatus } from '../../src/session/status.js';
import {
  brokerPortsOfOtherSessions,
  findSession,
  formatCreatedAt,
  namesUsedByOtherRepos,
  parseStateText,
  saveState,
  serializeState,
  stateFilePath,
} from '../../src/session/store.js';

let root: string;
let env: NodeJS.ProcessEnv;
let sessions: string;
let repo: RepoInfo;

function state(overrides: Partial<SessionState> = {}): SessionState {
  return {
    session_name: 'paw-proj',
    repo_path: repo.root,
    project_name: 'proj',
    created_at: '2026-04-10T12:34:56Z',
    status: 'active',
    worktrees: [{ branch: 'feat/a', worktree_path: `${repo.root}-feat-a`, cli: 'claude', branch_created: true, command: '/bin/claude' }],
    ...overrides,
  };
}

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'paw-store-')));
  env = { HOME: root, XDG_DATA_HOME: join(root, 'data') };
  sessions = join(root, 'data', 'git-paw', 'sessions');
  mkdirSync(join(root, 'proj'));
  repo = { root: join(root, 'proj'), project: 'proj', commonDir: join(root, 'proj', '.git') };
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('serialisation', () => {
  it('writes upstream keys in upstream order, additive keys after, 2-space indent, no trailing newline', () => {
    const text = serializeState({ ...state(), broker_port: 9119, broker_bind: '127.0.0.1', broker_log_path: '/l', mouse: true });
    expect(text.endsWith('}')).toBe(true);
    expect(Object.keys(JSON.parse(text) as object)).toEqual([
      'session_name', 'repo_path', 'project_name', 'created_at', 'status', 'worktrees', 'broker_port', 'broker_bind', 'broker_log_path', 'mouse',
    ]);
    expect(text).toContain('\n  "worktrees": [\n    {\n      "branch": "feat/a",\n      "worktree_path"');
    expect(Object.keys((JSON.parse(text) as SessionState).worktrees[0] ?? {})).toEqual(['branch', 'worktree_path', 'cli', 'branch_created', 'command']);
  });

  it('formats created_at as whole UTC seconds', () => {
    expect(formatCreatedAt(new Date('2026-04-10T12:34:56.789Z'))).toBe('2026-04-10T12:34:56Z');
  });

  it('reads upstream files (no branch_created) and any ISO-8601 time', () => {
    const upstream = JSON.stringify({ ...state(), created_at: '2026-04-10T14:34:56.5+02:00', worktrees: [{ branch: 'a', worktree_path: '/a', cli: 'claude' }] });
    const parsed = parseStateText(upstream);
    expect(parsed.ok && parsed.state.worktrees[0]?.branch_created).toBe(false);
  });

  it('explains why a file does not parse', () => {
    expect(parseStateText('')).toEqual({ ok: false, reason: 'the file is empty' });
    expect(parseStateText('{').ok).toBe(false);
    const wrong = parseStateText(JSON.stringify({ ...state(), status: 'running' }));
    expect(wrong.ok ? '' : wrong.reason).toContain('status');
  });
});

describe('saveState', () => {
  it('writes <sessions>/<name>.json with mode 0600 and leaves no temp file', () => {
    saveState(state(), env);
    const path = stateFilePath('paw-proj', env);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(sessions).mode & 0o777).toBe(0o700);
    expect(readdirSync(sessions)).toEqual(['paw-proj.json']);
  });

  it('fails with a Session error naming the file, and leaves no temp file, when the write cannot happen', () => {
    // A non-empty directory where the file belongs makes the final rename fail (also as root,
    // for whom a read-only directory would not be read-only).
    mkdirSync(join(sessions, 'paw-proj.json', 'x'), { recursive: true });
    expect(() => saveState(state(), env)).toThrow(/Session error: cannot save session state '.*paw-proj\.json'/);
    expect(readdirSync(sessions)).toEqual(['paw-proj.json']);
  });
});

describe('findSession', () => {
  it('finds the session by canonical repo path and skips unrelated junk', () => {
    saveState(state(), env);
    writeFileSync(join(sessions, 'junk.json'), '{');
    saveState(state({ session_name: 'paw-other', repo_path: join(root, 'other') }), env);
    const lookup = findSession(repo, env);
    expect(lookup.kind).toBe('found');
    expect(lookup.kind === 'found' && lookup.state.session_name).toBe('paw-proj');
  });

  it('returns none when there is no sessions dir', () => {
    expect(findSession(repo, env)).toEqual({ kind: 'none' });
  });

  it('reports a damaged file of this repo, identified by its repo_path', () => {
    mkdirSync(sessions, { recursive: true });
    writeFileSync(join(sessions, 'paw-renamed.json'), serializeState(state()).slice(0, 120));
    const lookup = findSession(repo, env);
    expect(lookup).toMatchObject({ kind: 'corrupt', sessionName: 'paw-renamed', path: join(sessions, 'paw-renamed.json') });
  });

  it('reports an empty file named after this repo, but not one naming another repo', () => {
    mkdirSync(sessions, { recursive: true });
    writeFileSync(join(sessions, 'paw-proj-3.json'), '');
    expect(findSession(repo, env)).toMatchObject({ kind: 'corrupt', sessionName: 'paw-proj-3', reason: 'the file is empty' });
    rmSync(join(sessions, 'paw-proj-3.json'));
    writeFileSync(join(sessions, 'paw-proj.json'), serializeState(state({ repo_path: join(root, 'elsewhere', 'proj') })).slice(0, 100));
    expect(findSession(repo, env)).toEqual({ kind: 'none' });
  });
});

describe('namesUsedByOtherRepos', () => {
  it('lists names of other repos and of unreadable files, not this repo', () => {
    saveState(state(), env);
    saveState(state({ session_name: 'paw-proj-2', repo_path: join(root, 'other', 'proj') }), env);
    writeFileSync(join(sessions, 'paw-proj-3.json'), 'garbage');
    expect([...namesUsedByOtherRepos(repo, env)].sort()).toEqual(['paw-proj-2', 'paw-proj-3']);
  });
});

describe('status report', () => {
  it('derives the effective status', () => {
    expect(effectiveStatus(state(), true)).toBe('active');
    expect(effectiveStatus(state(), false)).toBe('stopped');
    expect(effectiveStatus(state({ status: 'stopped' }), true)).toBe('stopped');
  });

  it('prints the upstream layout', () => {
    expect(formatStatus({ state: state(), status: 'active', tmuxRunning: true })).toEqual([
      'Session: paw-proj',
      'Status:  🟢 active',
      'Tmux:    running',
      '',
      `  feat/a → claude (${repo.root}-feat-a)`,
    ]);
    expect(formatStatus({ state: state({ worktrees: [] }), status: 'stopped', tmuxRunning: false })).toEqual([
      'Session: paw-proj',
      'Status:  🟡 stopped',
      'Tmux:    not running',
      '',
      '  (no worktrees)',
    ]);
  });

  it('has a JSON form', () => {
    expect(statusJson(undefined)).toEqual({ session: null });
    expect(statusJson({ state: state(), status: 'stopped', tmuxRunning: false })).toMatchObject({
      session: 'paw-proj',
      status: 'stopped',
      tmux_running: false,
      worktrees: [{ branch: 'feat/a', cli: 'claude', command: '/bin/claude', branch_created: true }],
    });
  });
});

describe('brokerPortsOfOtherSessions', () => {
  it('lists the broker ports saved by other sessions, not by this one or by damaged files', () => {
    saveState(state({ session_name: 'paw-proj', broker_port: 9119, broker_bind: '127.0.0.1' }), env);
    saveState(state({ session_name: 'paw-other', repo_path: '/elsewhere', broker_port: 9120, broker_bind: '127.0.0.1' }), env);
    saveState(state({ session_name: 'paw-plain', repo_path: '/plain' }), env);
    writeFileSync(join(sessions, 'paw-junk.json'), '{"broker_port": 9121');
    expect([...brokerPortsOfOtherSessions('paw-proj', env)]).toEqual([9120]);
  });
});
