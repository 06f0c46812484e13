import { performance } from 'node:perf_hooks';
import { access } from 'node:fs/promises';
import ort from 'onnxruntime-node';
import { SalonwatchError } from '../../common/errors.js';
import type { InputTensor, ModelRunner, OutputTensor } from './runner.js';

/**
 * onnxruntime-node adapter. A process holds at most one InferenceSession per model file: a
 * session owns the weights and its thread pool, so two detectors on one model (two cameras)
 * share it instead of doubling memory and oversubscribing cores. Sessions are reference counted
 * and released when the last runner closes.
 */
export interface SessionOptions {
  /** Threads inside one operator (onnxruntime's intraOpNumThreads); 1 = one core. */
  readonly threads: number;
}

interface Shared {
  readonly session: Promise<ort.InferenceSession>;
  readonly threads: number;
  users: number;
}

const sessions = new Map<string, Shared>();

export async function openModel(modelPath: string, options: SessionOptions): Promise<ModelRunner> {
  if (!Number.isInteger(options.threads) || options.threads < 1) {
    throw new SalonwatchError(
      'CONFIG_INVALID',
      `threads must be a positive integer, got ${options.threads}`,
    );
  }
  let shared = sessions.get(modelPath);
  if (shared !== undefined && shared.threads !== options.threads) {
    throw new SalonwatchError(
      'CONFIG_INVALID',
      `${modelPath} is already open with ${shared.threads} thread(s); one session per model per process cannot also use ${options.threads}`,
    );
  }
  if (shared === undefined) {
    shared = {
      session: createSession(modelPath, options.threads),
      threads: options.threads,
      users: 0,
    };
    sessions.set(modelPath, shared);
    // A failed load must not poison the cache for a later, corrected attempt.
    shared.session.catch(() => sessions.delete(modelPath));
  }
  shared.users++;
  let session: ort.InferenceSession;
  try {
    session = await shared.session;
  } catch (error) {
    shared.users--;
    throw error;
  }
  return new OrtRunner(modelPath, session, shared);
}

async function createSession(modelPath: string, threads: number): Promise<ort.InferenceSession> {
  try {
    await access(modelPath);
  } catch (cause) {
    throw new SalonwatchError(
      'MODEL_UNAVAILABLE',
      `model file ${modelPath} is missing; rebuild it with detectors/models/convert/convert.sh`,
      { cause },
    );
  }
  try {
    return await ort.InferenceSession.create(modelPath, {
      intraOpNumThreads: threads,
      // One frame is one graph run; parallel branches are few, so a second pool would only
      // compete with the intra-op threads for the same cores.
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
  } catch (cause) {
    throw new SalonwatchError('MODEL_UNAVAILABLE', `cannot load ${modelPath}: ${String(cause)}`, {
      cause,
    });
  }
}

class OrtRunner implements ModelRunner {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  lastRunMs = 0;
  #closed = false;

  constructor(
    readonly modelPath: string,
    private readonly session: ort.InferenceSession,
    private readonly shared: Shared,
  ) {
    this.inputNames = session.inputNames;
    this.outputNames = session.outputNames;
  }

  async run(input: InputTensor): Promise<ReadonlyMap<string, OutputTensor>> {
    if (this.#closed) throw new SalonwatchError('INTERNAL', `${this.modelPath}: run after close`);
    const type = input.data instanceof Int32Array ? 'int32' : 'float32';
    // The tensor wraps the caller's buffer without copying it.
    const feeds = { [input.name]: new ort.Tensor(type, input.data, input.dims) };
    const start = performance.now();
    const results = await this.session.run(feeds);
    this.lastRunMs = performance.now() - start;
    const outputs = new Map<string, OutputTensor>();
    for (const name of this.outputNames) {
      const t = results[name];
      if (t === undefined) continue;
      if (!(t.data instanceof Float32Array)) {
        throw new SalonwatchError(
          'MODEL_UNAVAILABLE',
          `${this.modelPath}: output ${name} is ${t.type}, expected float32`,
        );
      }
      outputs.set(name, { data: t.data, dims: t.dims });
    }
    return outputs;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.shared.users--;
    if (this.shared.users === 0 && sessions.get(this.modelPath) === this.shared) {
      sessions.delete(this.modelPath);
      await this.session.release();
    }
  }
}

/** Number of sessions open in this process (for tests of the one-session-per-model rule). */
export function openSessionCount(): number {
  return sessions.size;
}
