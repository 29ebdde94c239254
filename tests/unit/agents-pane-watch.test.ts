import { describe, expect, it } from 'vitest';
import { COMMON_SCREEN_RULES } from '../../src/agents/adapters/generic.js';
import { PaneWatch, QUICK_EXIT_MS, START_GRACE_MS, type PaneSnapshot } from '../../src/agents/pane-watch.js';
import type { StateSignal } from '../../src/agents/state.js';

const DIALOG = 'Do you want to proceed?';
const BUSY = 'Thinking (esc to interrupt)';
const program = (screen: string): PaneSnapshot => ({ shellInFront: false, screen });
const shell = (screen = '$ '): PaneSnapshot => ({ shellInFront: true, screen });

/** Feeds one snapshot per second from t = 1 s and returns what each tick emitted. */
function run(snapshots: PaneSnapshot[], start = 0): (StateSignal | undefined)[] {
  const watch = new PaneWatch(COMMON_SCREEN_RULES, start);
  return snapshots.map((snapshot, index) => watch.read(snapshot, start + (index + 1) * 1000));
}

const states = (signals: (StateSignal | undefined)[]) =>
  signals.map((signal) =>
    signal ? `${signal.state}/${signal.source}${signal.detail ? `:${signal.detail}` : ''}` : '-',
  );

describe('PaneWatch', () => {
  it('emits a signal only when its reading changes, not every tick', () => {
    expect(
      states(run([program(''), program(''), program(DIALOG), program(DIALOG), program(DIALOG)])),
    ).toEqual(['idle/screen', '-', 'waiting/screen:permission dialog', '-', '-']);
  });

  it('goes to working at the first busy reading', () => {
    expect(states(run([program(''), program(BUSY)]))).toEqual(['idle/screen', 'working/screen:busy']);
  });

  it('leaves working only after two consistent readings, dated from the first of them', () => {
    const signals = run([program(BUSY), program(''), program('')]);
    expect(states(signals)).toEqual(['working/screen:busy', '-', 'idle/screen']);
    expect(signals[2]?.at).toBe(2000);
  });

  it('ignores a single reading that misses the busy marker (a redraw)', () => {
    expect(states(run([program(BUSY), program(''), program(BUSY), program(''), program(BUSY)]))).toEqual([
      'working/screen:busy',
      '-',
      '-',
      '-',
      '-',
    ]);
  });

  it('needs the two readings to agree: idle then waiting is not yet a change', () => {
    expect(states(run([program(BUSY), program(''), program(DIALOG), program(DIALOG)]))).toEqual([
      'working/screen:busy',
      '-',
      '-',
      'waiting/screen:permission dialog',
    ]);
  });

  it('reports exited by process as soon as the shell is back in front after the CLI ran', () => {
    expect(states(run([program(BUSY), shell()]))).toEqual([
      'working/screen:busy',
      'exited/process:back at the shell',
    ]);
  });

  it('holds exited while the shell stays in front, and across a prompt helper seen once', () => {
    expect(states(run([program(''), shell(), shell(), program('$ '), shell(), shell()]))).toEqual([
      'idle/screen',
      'exited/process:back at the shell',
      '-',
      '-',
      '-',
      '-',
    ]);
  });

  it('sees the CLI start again after exited once a program is in front twice, as news of the process', () => {
    expect(states(run([program(''), shell(), program(''), program(''), program(''), program(BUSY)]))).toEqual(
      ['idle/screen', 'exited/process:back at the shell', '-', 'idle/process', '-', 'working/screen:busy'],
    );
  });

  it('says nothing while a pane that never ran a program is within its start-up grace', () => {
    const watch = new PaneWatch(COMMON_SCREEN_RULES, 0);
    expect(watch.read(shell(), 1000)).toBeUndefined();
    expect(watch.read(shell(), START_GRACE_MS - 1)).toBeUndefined();
    expect(watch.read(shell(), START_GRACE_MS)).toMatchObject({
      state: 'exited',
      detail: 'back at the shell',
    });
  });

  it('reports integration failed when a first run ends at once on a refused flag, once past the start-up grace', () => {
    const screen = "$ claude --settings x\nerror: unknown option '--settings'\n$ ";
    const watch = new PaneWatch(COMMON_SCREEN_RULES, 0);
    expect(watch.read(shell(screen), 1000)).toBeUndefined();
    expect(watch.read(shell(screen), START_GRACE_MS)).toEqual({
      state: 'exited',
      source: 'process',
      detail: "integration failed: error: unknown option '--settings'",
      at: START_GRACE_MS,
    });
  });

  it('does not take a complaint of the shell starting up for the CLI refusing a flag', () => {
    const watch = new PaneWatch(COMMON_SCREEN_RULES, 0);
    expect(watch.read(shell("zshrc: setopt: invalid option 'foo'\n$ claude"), 1000)).toBeUndefined();
    expect(watch.read(program('welcome'), 2000)).toMatchObject({ state: 'idle', source: 'screen' });
  });

  it('reports integration failed for a first run seen running briefly', () => {
    const screen = "error: unexpected argument '--x' found\n$ ";
    expect(states(run([program(''), shell(screen)]))).toEqual([
      'idle/screen',
      "exited/process:integration failed: error: unexpected argument '--x' found",
    ]);
  });

  it('does not blame the integration for a refused flag after a long run or in a later run', () => {
    const screen = "error: unknown option '--x'\n$ ";
    const watch = new PaneWatch(COMMON_SCREEN_RULES, 0);
    watch.read(program(''), 1000);
    expect(watch.read(shell(screen), 1000 + QUICK_EXIT_MS + 1)?.detail).toBe('back at the shell');
    watch.read(program(''), 20_000);
    watch.read(program(''), 21_000);
    expect(watch.read(shell(screen), 22_000)?.detail).toBe('back at the shell');
  });

  it('shows a running setup step as working, and the CLI it then starts as usual', () => {
    const step = '$ sh setup.sh && claude\ngit-paw: setup 1/2: npm ci\nadded 3 packages';
    expect(
      states(
        run([
          program(step),
          program(`${step}\ngit-paw: setup 2/2: make`),
          program(`${step}\ngit-paw: setup done`),
        ]),
      ),
    ).toEqual(['working/screen:setup 1/2: npm ci', 'working/screen:setup 2/2: make', '-']);
  });

  it('reports a failed setup as an error at once, and holds it while the shell waits for the user', () => {
    const failed =
      '$ sh setup.sh && claude\ngit-paw: setup 1/1: npm ci\nnpm ERR! missing script\n' +
      'git-paw: setup failed: npm ci (exit 1)\ngit-paw: the CLI was not started.\n$ ';
    const watch = new PaneWatch(COMMON_SCREEN_RULES, 0);
    expect(watch.read(shell(failed), 1000)).toEqual({
      state: 'error',
      source: 'process',
      detail: 'setup failed: npm ci',
      at: 1000,
    });
    expect(watch.read(shell(failed), START_GRACE_MS + 1000)).toBeUndefined();
    expect(watch.read(shell(`${failed}ls\npackage.json\n$ `), START_GRACE_MS + 2000)).toBeUndefined();
  });

  it('takes Ctrl-C during setup for a failure, and a retry that gets through for the CLI starting', () => {
    const interrupted = 'git-paw: setup 1/1: npm ci\n^Cgit-paw: setup failed: npm ci (exit 130)\n$ ';
    const retried = `${interrupted}sh setup.sh && claude\ngit-paw: setup 1/1: npm ci\ngit-paw: setup done\nwelcome`;
    expect(
      states(run([program('git-paw: setup 1/1: npm ci'), shell(interrupted), program(retried)])),
    ).toEqual(['working/screen:setup 1/1: npm ci', 'error/process:setup failed: npm ci', 'idle/screen']);
  });

  it('times a CLI run from the CLI, not its setup: a long setup, then a flag refused at once', () => {
    const watch = new PaneWatch(COMMON_SCREEN_RULES, 0);
    const started = 1000 + QUICK_EXIT_MS * 3;
    watch.read(program('git-paw: setup 1/1: npm ci'), 1000);
    watch.read(program('git-paw: setup done\nwelcome'), started);
    expect(watch.read(program('git-paw: setup done\nwelcome'), started + 1000)).toMatchObject({
      state: 'idle',
    });
    const refused = "git-paw: setup done\nerror: unknown option '--settings'\n$ ";
    expect(watch.read(shell(refused), started + 2000)?.detail).toBe(
      "integration failed: error: unknown option '--settings'",
    );
  });

  it('reports a closed pane as exited, once', () => {
    const watch = new PaneWatch(COMMON_SCREEN_RULES, 0);
    watch.read(program(BUSY), 1000);
    expect(watch.closed(2000)).toMatchObject({ state: 'exited', source: 'process', detail: 'pane closed' });
    const exited = new PaneWatch(COMMON_SCREEN_RULES, 0);
    exited.read(program(''), 1000);
    exited.read(shell(), 2000);
    expect(exited.closed(3000)).toBeUndefined();
  });
});
