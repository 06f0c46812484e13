import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SalonwatchError } from '../../common/errors.js';
import { stateDir } from '../../common/paths.js';
import { camerasPart } from './cameras.js';
import { clickhousePart } from './clickhouse.js';
import { kafkaPart } from './kafka.js';
import type { StackPart } from './part.js';
import { rssMiB, runningPid, stopProcess, tailFile } from './process.js';
import { requireFreePorts } from './ports.js';

export type PartName = 'kafka' | 'clickhouse' | 'cameras';
export const PART_NAMES: readonly PartName[] = ['kafka', 'clickhouse', 'cameras'];

export interface StackOptions {
  readonly state?: string;
  /** Number of simulated cameras (`cam1`..`camN`). */
  readonly cameras?: number;
}

export function stackParts({ state = stateDir(), cameras = 4 }: StackOptions = {}): Record<PartName, StackPart> {
  mkdirSync(state, { recursive: true });
  return { kafka: kafkaPart(state), clickhouse: clickhousePart(state), cameras: camerasPart(state, cameras) };
}

export type UpResult = { part: PartName; outcome: 'already-running' | 'started'; pid: number; ms: number };

async function waitReady(part: StackPart, pid: number): Promise<void> {
  const deadline = Date.now() + part.readyTimeoutMs;
  while (!(await part.ready())) {
    if (runningPid(part.process) === undefined) {
      throw new SalonwatchError(
        'STACK_NOT_READY',
        `${part.name} (pid ${pid}) exited during start-up; log ${part.process.logFile}:\n${tailFile(part.process.logFile)}`,
      );
    }
    if (Date.now() > deadline) {
      throw new SalonwatchError(
        'STACK_NOT_READY',
        `${part.name} not ready after ${part.readyTimeoutMs / 1000} s; log ${part.process.logFile}:\n${tailFile(part.process.logFile)}`,
      );
    }
    await sleep(250);
  }
}

/** Starts one part unless it already runs; waits for its readiness probe. */
export async function startPart(part: StackPart): Promise<UpResult> {
  const started = Date.now();
  const existing = runningPid(part.process);
  if (existing !== undefined) {
    await waitReady(part, existing);
    return { part: part.name as PartName, outcome: 'already-running', pid: existing, ms: Date.now() - started };
  }
  await requireFreePorts(part.name, part.ports);
  await part.prepare();
  const pid = await part.start();
  await waitReady(part, pid);
  await part.afterReady?.();
  return { part: part.name as PartName, outcome: 'started', pid, ms: Date.now() - started };
}

/** Stops one part by the pid it was started with; `SIGKILL` simulates a crash. */
export function stopPart(part: StackPart, signal: NodeJS.Signals = 'SIGTERM'): Promise<boolean> {
  return stopProcess(part.process, { signal });
}

export async function stackUp(options: StackOptions = {}, only: readonly PartName[] = PART_NAMES): Promise<UpResult[]> {
  const parts = stackParts(options);
  // Kafka's JVM is the slowest to start; ClickHouse and the cameras start while it warms up.
  return Promise.all(only.map((name) => startPart(parts[name])));
}

export async function stackDown(options: StackOptions = {}, only: readonly PartName[] = PART_NAMES): Promise<{ part: PartName; stopped: boolean }[]> {
  const parts = stackParts(options);
  return Promise.all(only.map(async (name) => ({ part: name, stopped: await stopPart(parts[name]) })));
}

export interface PartStatus {
  readonly part: PartName;
  readonly state: 'running' | 'not-ready' | 'stopped';
  readonly pid: number | null;
  readonly ports: readonly number[];
  readonly version: string | null;
  readonly rssMiB: number | null;
  readonly log: string;
}

export async function stackStatus(options: StackOptions = {}): Promise<PartStatus[]> {
  const parts = stackParts(options);
  return Promise.all(
    PART_NAMES.map(async (name): Promise<PartStatus> => {
      const part = parts[name];
      const pid = runningPid(part.process) ?? null;
      const ready = pid !== null && (await part.ready());
      return {
        part: name,
        state: pid === null ? 'stopped' : ready ? 'running' : 'not-ready',
        pid,
        ports: part.ports,
        version: ready ? await Promise.resolve(part.version()).catch(() => null) : null,
        rssMiB: pid === null ? null : (rssMiB(pid) ?? null),
        log: part.process.logFile,
      };
    }),
  );
}
