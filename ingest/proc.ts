/**
 * Process accounting from /proc (Linux): CPU seconds and resident memory of a pid. Used by the
 * sampling benchmark and the soak run, which must charge each ffmpeg child and the node process
 * separately; `process.cpuUsage()` only sees this process.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/<pid>/stat times; 100 on every Linux in practice (`getconf CLK_TCK`). */
const CLK_TCK = 100;

/** utime + stime of a live process in seconds, or undefined once it has exited. */
export function cpuSeconds(pid: number | 'self'): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses; fields resume after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 (utime) and 15 (stime), counted from 1, are 11 and 12 after the name.
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds of this process's children that have exited and been reaped (cutime + cstime):
 * the only account of a child's whole life, since its /proc entry vanishes when it exits.
 */
export function exitedChildrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 (cutime) and 17 (cstime), counted from 1.
  return (Number(fields[13]) + Number(fields[14])) / CLK_TCK;
}

/** Resident set size in MiB (VmRSS), or undefined once the process has exited. */
export function rssMb(pid: number | 'self'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/**
 * Proportional set size in MiB: private pages plus each shared page divided by the processes
 * sharing it. ffmpeg maps ~40 MB of shared libraries that every camera's process shares, so
 * RSS summed over cameras counts them once per camera; PSS sums to the real total.
 */
export function pssMb(pid: number | 'self'): number | undefined {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = /^Pss:\s+(\d+) kB/m.exec(rollup)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}
