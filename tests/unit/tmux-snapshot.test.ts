import { describe, expect, it } from 'vitest';
import { shellInFront, tmuxLocationOf } from '../../src/broker/watcher.js';
import { buildSnapshotArgs, parseSnapshot } from '../../src/tmux/snapshot.js';

const MARKER = 'paw-watch-0123';

describe('buildSnapshotArgs', () => {
  it('lists the exact session, then reads each pane by id, each screen followed by its marker', () => {
    const argv = buildSnapshotArgs('paw-proj', ['%3', '%7'], MARKER);
    expect(argv.slice(0, 5)).toEqual(['list-panes', '-s', '-t', '=paw-proj', '-F']);
    expect(argv.slice(6)).toEqual([
      ';',
      'display-message',
      '-p',
      `${MARKER} panes`,
      ';',
      'capture-pane',
      '-p',
      '-J',
      '-t',
      '%3',
      ';',
      'display-message',
      '-p',
      `${MARKER} 0`,
      ';',
      'capture-pane',
      '-p',
      '-J',
      '-t',
      '%7',
      ';',
      'display-message',
      '-p',
      `${MARKER} 1`,
    ]);
  });

  it('keeps % out of the marker lines, which display-message runs through strftime', () => {
    const argv = buildSnapshotArgs('s', ['%3', '%12'], MARKER);
    const texts = argv.filter(
      (_, index) => argv[index - 2] === 'display-message' && argv[index - 1] === '-p',
    );
    expect(texts).toEqual([`${MARKER} panes`, `${MARKER} 0`, `${MARKER} 1`]);
  });

  it('is one invocation whatever the pane count', () => {
    const ids = Array.from({ length: 100 }, (_, index) => `%${index}`);
    expect(buildSnapshotArgs('s', ids, MARKER).filter((arg) => arg === 'list-panes')).toHaveLength(1);
  });
});

describe('parseSnapshot', () => {
  it('splits the listing and the screens', () => {
    const stdout = [
      '%0\t100\t$1\t\tnode',
      '%3\t101\t$1\tfeat-a\tclaude',
      '%7\t102\t$1\tfeat-b\tsh',
      `${MARKER} panes`,
      'Do you want to proceed?',
      '',
      `${MARKER} 0`,
      '$ ',
      `${MARKER} 1`,
      '',
    ].join('\n');
    const snapshot = parseSnapshot(stdout, MARKER, ['%3', '%7']);
    expect(snapshot.panes).toEqual([
      { paneId: '%0', panePid: 100, sessionId: '$1', agentId: '', command: 'node' },
      { paneId: '%3', panePid: 101, sessionId: '$1', agentId: 'feat-a', command: 'claude' },
      { paneId: '%7', panePid: 102, sessionId: '$1', agentId: 'feat-b', command: 'sh' },
    ]);
    expect(snapshot.screens).toEqual(
      new Map([
        ['%3', 'Do you want to proceed?\n'],
        ['%7', '$ '],
      ]),
    );
  });

  it('keeps no screen whose read was cut short (a pane closed meanwhile stops the chain)', () => {
    const stdout = ['%3\t101\t$1\tfeat-a\tclaude', `${MARKER} panes`, 'partial'].join('\n');
    expect(parseSnapshot(stdout, MARKER, ['%3', '%7']).screens.size).toBe(0);
  });

  it('has no panes when the listing failed', () => {
    expect(parseSnapshot('', MARKER, []).panes).toEqual([]);
  });
});

describe('tmuxLocationOf', () => {
  it('reads the socket and session id from TMUX', () => {
    expect(tmuxLocationOf({ TMUX: '/tmp/tmux-1000/my,sock,1234,5' })).toEqual({
      socketPath: '/tmp/tmux-1000/my,sock',
      sessionId: '$5',
    });
  });

  it('is undefined outside tmux', () => {
    expect(tmuxLocationOf({})).toBeUndefined();
    expect(tmuxLocationOf({ TMUX: 'garbage' })).toBeUndefined();
  });
});

describe('shellInFront', () => {
  it('falls back to the foreground process name when the pane process cannot be read', () => {
    const gone = 2 ** 30;
    expect(shellInFront(gone, 'zsh')).toBe(true);
    expect(shellInFront(gone, '-bash')).toBe(true);
    expect(shellInFront(gone, 'node')).toBe(false);
  });
});
