import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SalonwatchError } from '../../common/errors.js';
import { stateDir } from '../../common/paths.js';
import { camerasPart } from './cameras.js';
import { clickhousePart } from './clickhouse.js';
import { kafkaPart } from './kafka.js';
import type { StackPart } from './part.js';
import { describeEnding, rssMiB, runningPid, stopProcess, tailFile, type Ending } from './process.js';
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

export interface UpResult {
  readonly part: PartName;
  readonly outcome: 'already-running' | 'started';
  readonly pid: number;
  readonly ms: number;
  /** Set when the first process crashed during start-up and a second one was started. */
  readonly restarted?: string;
}

/**
 * Polls the part's readiness probe until it answers (resolves `undefined`) or the process
 * ends (resolves how); fails when the part's timeout passes first.
 */
async function readyOrEnded(part: StackPart, pid: number, ended: () => Ending | undefined): Promise<Ending | undefined> {
  const deadline = Date.now() + part.readyTimeoutMs;
  while (!(await part.ready())) {
    const ending = ended();
    if (ending !== undefined) return ending;
    if (Date.now() > deadline) {
      throw new SalonwatchError(
        'STACK_NOT_READY',
        `${part.name} (pid ${pid}) not ready after ${part.readyTimeoutMs / 1000} s; log ${part.process.logFile}:\n${tailFile(part.process.logFile)}`,
      );
    }
    await sleep(250);
  }
  return undefined;
}

function endedDuringStartUp(part: StackPart, pid: number, ending: Ending): SalonwatchError {
  return new SalonwatchError(
    'STACK_NOT_READY',
    `${part.name} (pid ${pid}) ended during start-up (${describeEnding(ending)}); log ${part.process.logFile}:\n${tailFile(part.process.logFile)}`,
  );
}

/** What a process found through its pid file looks like once it is gone. */
const GONE: Ending = { code: null, signal: 'SIGKILL' };

/**
 * Starts one part unless it already runs; waits for its readiness probe. A process killed
 * by a signal during start-up (a crash, not a refusal) is started once more, and the result
 * says so; one that exits with a code fails at once, since its configuration is at fault.
 */
export async function startPart(part: StackPart): Promise<UpResult> {
  const started = Date.now();
  const existing = runningPid(part.process);
  if (existing !== undefined) {
    const ending = await readyOrEnded(part, existing, () => (runningPid(part.process) === undefined ? GONE : undefined));
    if (ending !== undefined) throw endedDuringStartUp(part, existing, ending);
    return { part: part.name as PartName, outcome: 'already-running', pid: existing, ms: Date.now() - started };
  }
  await requireFreePorts(part.name, part.ports);
  await part.prepare();
  let child = await part.start();
  let ending = await readyOrEnded(part, child.pid, child.ended);
  let restarted: string | undefined;
  if (ending?.signal != null) {
    restarted = `pid ${child.pid} was ${describeEnding(ending)} during start-up; its log said: ${tailFile(part.process.logFile, 5)}`;
    child = await part.start();
    ending = await readyOrEnded(part, child.pid, child.ended);
  }
  if (ending !== undefined) throw endedDuringStartUp(part, child.pid, ending);
  await part.afterReady?.();
  const result = { part: part.name as PartName, outcome: 'started', pid: child.pid, ms: Date.now() - started } as const;
  return restarted === undefined ? result : { ...result, restarted };
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
