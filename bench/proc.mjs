// CPU time of a process from /proc (Linux), shared by the benches that measure idle cost.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second, the unit of /proc's CPU times. */
export const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** utime + stime (all threads), and cutime + cstime (children reaped), of a process, in seconds. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after `(comm)` start at field 3 (state); utime..cstime are fields 14 to 17.
  const fields = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  return { self: (fields[11] + fields[12]) / CLK_TCK, children: (fields[13] + fields[14]) / CLK_TCK };
}
