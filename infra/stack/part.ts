import type { ManagedProcess, StartedProcess } from './process.js';

/** One engine of the local stack, as `stack up | down | status` drives it. */
export interface StackPart {
  readonly name: string;
  /** Loopback ports the part listens on; checked free before it starts. */
  readonly ports: readonly number[];
  readonly process: ManagedProcess;
  /** How long `up` waits for `ready` before failing with the log's tail. */
  readonly readyTimeoutMs: number;
  /** Writes configuration and initialises storage; idempotent. */
  prepare(): void | Promise<void>;
  /** Spawns the process in the background. */
  start(): StartedProcess | Promise<StartedProcess>;
  /** One readiness probe (Kafka metadata, ClickHouse `SELECT 1`, RTSP DESCRIBE). */
  ready(): Promise<boolean>;
  /** Runs once after the part is ready the first time in an `up` (create databases and such). */
  afterReady?(): Promise<void>;
  version(): string | Promise<string>;
}
