import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Background processes of the local stack, tracked by pid files. A pid file is trusted only
 * while `/proc/<pid>/cmdline` still contains the marker the process was started with (its
 * state directory), so a recycled pid never makes `stack down` kill a stranger.
 */
export interface ManagedProcess {
  readonly name: string;
  readonly pidFile: string;
  readonly logFile: string;
  /** A string the process's command line contains, proving the pid is still ours. */
  readonly marker: string;
}

export function runningPid(proc: ManagedProcess): number | undefined {
  if (!existsSync(proc.pidFile)) return undefined;
  const pid = Number(readFileSync(proc.pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return cmdline.includes(proc.marker) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** How a process ended: an exit code, or the signal that killed it. */
export type Ending = { readonly code: number; readonly signal: null } | { readonly code: null; readonly signal: NodeJS.Signals };

export function describeEnding(ending: Ending): string {
  return ending.signal === null ? `exit code ${ending.code}` : `killed by ${ending.signal}`;
}

/** A process this run started: its pid, and how it ended once it has. */
export interface StartedProcess {
  readonly pid: number;
  /** `undefined` while it runs. */
  readonly ended: () => Ending | undefined;
}

/**
 * Starts the process in its own session with its output appended to the log; it outlives
 * this one. Its end is watched through the child handle, not `/proc`, so a process that
 * dies during start-up is reported with its exit code or signal.
 */
export function startDetached(
  proc: ManagedProcess,
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): StartedProcess {
  const log = openSync(proc.logFile, 'a');
  try {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    let ending: Ending | undefined;
    child.once('exit', (code, signal) => {
      ending = signal === null ? { code: code ?? 0, signal: null } : { code: null, signal };
    });
    child.unref();
    writeFileSync(proc.pidFile, `${child.pid}\n`);
    return { pid: child.pid, ended: () => ending };
  } finally {
    closeSync(log);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie still answers kill(0); its /proc status says so.
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return !/^State:\s+Z/m.test(status);
  } catch {
    return false;
  }
}

/** Stops the process by its pid: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopProcess(
  proc: ManagedProcess,
  { graceMs = 15_000, signal = 'SIGTERM' }: { graceMs?: number; signal?: NodeJS.Signals } = {},
): Promise<boolean> {
  const pid = runningPid(proc);
  if (pid === undefined) {
    rmSync(proc.pidFile, { force: true });
    return false;
  }
  process.kill(pid, signal);
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) {
    process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(50);
  }
  rmSync(proc.pidFile, { force: true });
  return true;
}

/** Resident memory of a process in MiB, from /proc. */
export function rssMiB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]) / 1024;
  } catch {
    return undefined;
  }
}

export function tailFile(file: string, lines = 20): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd();
    return text === '' ? '(the log is empty)' : text.split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log yet)';
  }
}
