// Whether another process still runs, as the broker's takeover and the repo lock ask it: a dead
// process its parent has not reaped (a zombie) holds nothing any more and must count as gone,
// and a pid that now belongs to another process must not pass for the one that had it.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { processRuns, procStatFields, startTimeOf } from '../../src/util/process.js';
import { pollUntil } from '../helpers/poll.js';

const children: ReturnType<typeof spawn>[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
});

describe.skipIf(process.platform !== 'linux')('process facts from /proc', () => {
  it('a running process runs, with its own start time and not with another', () => {
    const started = startTimeOf(process.pid);
    expect(started).toMatch(/^\d+$/);
    expect(processRuns(process.pid)).toBe(true);
    expect(processRuns(process.pid, started)).toBe(true);
    expect(processRuns(process.pid, `${Number(started) + 1}`)).toBe(false);
  });

  it('a dead child that nobody reaped (a zombie) does not run, although a signal still reaches it', async () => {
    // sh starts `sleep 0` in the background, prints its pid and becomes `sleep 30`, which never
    // reaps it: the exited `sleep 0` stays a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    children.push(parent);
    const [line] = (await once(parent.stdout, 'data')) as [Buffer];
    const zombie = Number(line.toString().trim());
    await pollUntil(
      () => procStatFields(zombie)?.[0],
      (state) => state === 'Z',
      { timeoutMs: 5_000, what: `process ${zombie} to become a zombie` },
    );
    expect(() => process.kill(zombie, 0)).not.toThrow();
    expect(processRuns(zombie)).toBe(false);
  });

  it('a process that is gone does not run', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(child);
    const pid = child.pid ?? 0;
    const started = startTimeOf(pid);
    expect(processRuns(pid, started)).toBe(true);
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(processRuns(pid, started)).toBe(false);
    expect(procStatFields(pid)).toBeUndefined();
  });
});
