// Facts about other processes on this machine: the fields of their /proc status line, and
// whether one still runs. A dead process its parent has not reaped yet (a zombie; an orphan is
// reparented to init, which may reap late) holds no file, lock or port any more, so it counts
// as gone.
import { readFileSync } from 'node:fs';

/** The fields of /proc/<pid>/stat after the command name (state, ppid, pgrp, …); undefined without it. */
export function procStatFields(pid: number): string[] | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name may hold spaces and parentheses: the fields start after its last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** A process's start time (clock ticks since boot), which tells a reused pid from the process that had it. */
export function startTimeOf(pid: number): string | undefined {
  return procStatFields(pid)?.[19];
}

/**
 * Whether process `pid` still runs — and, given its start time, is still that very process and
 * not another one that got the pid since. Without /proc, whether a signal reaches the pid.
 */
export function processRuns(pid: number, started?: string): boolean {
  const fields = procStatFields(pid);
  if (fields === undefined) return signalReaches(pid);
  if (fields[0] === 'Z' || fields[0] === 'X') return false;
  return started === undefined || fields[19] === started;
}

function signalReaches(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
