import { describe, expect, it } from 'vitest';
import { chooseSession, formatLogList, matchLog, type LogFile, type LogSession } from '../../src/logs/catalog.js';
import { branchOfLogFile } from '../../src/logs/paths.js';
import { ReplayError } from '../../src/util/errors.js';

function logFile(fileName: string, mtimeMs = 1): LogFile {
  return { fileName, branch: branchOfLogFile(fileName), path: `/logs/s/${fileName}`, mtimeMs };
}

function session(name: string, files: LogFile[]): LogSession {
  return { name, dir: `/logs/${name}`, files };
}

const s = session('paw-test', [
  logFile('feat--api.log'),
  logFile('feat--auth.log'),
  logFile('fix--login-bug.log'),
  logFile('main.log'),
]);

function replayError(action: () => unknown): ReplayError {
  try {
    action();
  } catch (error) {
    if (error instanceof ReplayError) return error;
    throw error;
  }
  throw new Error('expected a ReplayError');
}

describe('formatLogList', () => {
  it('says how to get logs when there are none', () => {
    expect(formatLogList([])).toEqual(['No log sessions found. Start a session with logging enabled to capture output.']);
  });

  it('lists sessions with a singular/plural count and one line per log', () => {
    expect(formatLogList([session('paw-a', [logFile('main.log')]), session('paw-b', []), s])).toEqual([
      'paw-a (1 branch)',
      '  main.log  →  main',
      'paw-b (0 branches)',
      'paw-test (4 branches)',
      '  feat--api.log  →  feat/api',
      '  feat--auth.log  →  feat/auth',
      '  fix--login-bug.log  →  fix/login-bug',
      '  main.log  →  main',
    ]);
  });
});

describe('matchLog', () => {
  it('matches a branch, a file stem or a file name exactly', () => {
    for (const query of ['feat/auth', 'feat--auth', 'feat--auth.log']) {
      expect(matchLog(s, query).fileName).toBe('feat--auth.log');
    }
  });

  it('prefers an exact match over a prefix match', () => {
    const withPrefixes = session('x', [logFile('main.log'), logFile('main-old.log')]);
    expect(matchLog(withPrefixes, 'main').fileName).toBe('main.log');
  });

  it('falls back to a unique prefix, then a unique substring (case-insensitive)', () => {
    expect(matchLog(s, 'ma').fileName).toBe('main.log');
    expect(matchLog(s, 'feat/au').fileName).toBe('feat--auth.log');
    expect(matchLog(s, 'FEAT--AP').fileName).toBe('feat--api.log');
    expect(matchLog(s, 'login').fileName).toBe('fix--login-bug.log');
  });

  it('prefers a unique prefix over substring matches elsewhere', () => {
    const files = session('x', [logFile('api.log'), logFile('feat--api-v2.log')]);
    expect(matchLog(files, 'ap').fileName).toBe('api.log');
  });

  it('reports an ambiguous prefix with the candidates', () => {
    const error = replayError(() => matchLog(s, 'feat'));
    expect(error.message).toBe(
      "Replay error: 'feat' matches more than one log in session 'paw-test':\n" +
        '  feat--api.log  →  feat/api\n' +
        '  feat--auth.log  →  feat/auth',
    );
    expect(error.hint).toBeDefined();
  });

  it('reports an ambiguous substring with the candidates', () => {
    const error = replayError(() => matchLog(s, 'a'));
    expect(error.message).toContain("'a' matches more than one log");
    expect(error.message).toContain('feat--auth.log  →  feat/auth');
    expect(error.message).toContain('main.log  →  main');
  });

  it('lists every log when nothing matches', () => {
    expect(replayError(() => matchLog(s, 'nonexistent-branch')).message).toBe(
      "Replay error: No log matching 'nonexistent-branch' in session 'paw-test'. Available branches:\n" +
        '  feat--api.log  →  feat/api\n' +
        '  feat--auth.log  →  feat/auth\n' +
        '  fix--login-bug.log  →  fix/login-bug\n' +
        '  main.log  →  main',
    );
  });

  it('does not treat an empty query as a prefix of everything', () => {
    expect(replayError(() => matchLog(session('x', [logFile('main.log')]), '')).message).toContain('No log matching');
  });

  it('says when a session has no logs', () => {
    expect(replayError(() => matchLog(session('empty', []), 'main')).message).toBe(
      "Replay error: No logs found in session 'empty'.",
    );
  });
});

describe('chooseSession', () => {
  it('fails when there is no session', () => {
    expect(replayError(() => chooseSession([])).message).toBe(
      'Replay error: No log sessions found. Session logging may not be enabled.',
    );
  });

  it('returns the requested session or says how to list them', () => {
    const sessions = [session('paw-a', []), s];
    expect(chooseSession(sessions, 'paw-a').name).toBe('paw-a');
    expect(replayError(() => chooseSession(sessions, 'nope')).message).toBe(
      "Replay error: Session 'nope' not found. Run `git paw replay --list` to see available sessions.",
    );
  });

  it('picks the session whose newest log file is newest', () => {
    const old = session('paw-old', [logFile('a.log', 100), logFile('b.log', 5_000)]);
    const recent = session('paw-recent', [logFile('main.log', 4_000)]);
    const empty = session('paw-zzz-empty', []);
    expect(chooseSession([old, recent, empty]).name).toBe('paw-old');
    expect(chooseSession([session('paw-only-empty', [])]).name).toBe('paw-only-empty');
  });
});
