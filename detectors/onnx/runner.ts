/**
 * The port between pure detectors and an inference engine: one input tensor in, named float
 * outputs back. Detectors depend on this, never on onnxruntime, so they can be tested with a
 * fake runner and the engine stays an adapter at the edge (`session.ts`).
 */
export interface InputTensor {
  readonly name: string;
  readonly data: Float32Array | Int32Array;
  readonly dims: readonly number[];
}

export interface OutputTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export interface ModelRunner {
  readonly modelPath: string;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Runs the model; the returned map holds every output by name. */
  run(input: InputTensor): Promise<ReadonlyMap<string, OutputTensor>>;
  /** Wall-clock milliseconds of the last `run` spent in the engine (for overhead accounting). */
  readonly lastRunMs: number;
  close(): Promise<void>;
}

export function requireOutput(
  outputs: ReadonlyMap<string, OutputTensor>,
  name: string,
  model: string,
): OutputTensor {
  const t = outputs.get(name);
  if (t === undefined) {
    throw new Error(
      `${model}: output "${name}" missing; the model has ${[...outputs.keys()].join(', ')}`,
    );
  }
  return t;
}
