import type { Frame } from '../../ingest/frame.js';
import { PERSON_CLASS, type Detections } from '../detections.js';
import type { ModelRunner, OutputTensor } from '../onnx/runner.js';
import type { PersonDetector } from '../person-detector.js';
import { decodeNanoDet, NANODET_COCO, type NanoDetLevel } from '../postprocess/nanodet.js';
import { NANODET_PIXELS } from '../preprocess.js';
import {
  createLetterboxState,
  finishDetections,
  prepareInput,
  serialised,
  type LetterboxState,
} from './letterboxed.js';

export interface NanoDetConfig {
  /** Model input size; multiples of 32 (the converted graph accepts any, 416x416 as trained). */
  readonly inputWidth: number;
  readonly inputHeight: number;
  readonly scoreThreshold: number;
  readonly iouThreshold: number;
  readonly maxDetections: number;
}

/**
 * One frame through NanoDet: letterbox into NCHW BGR normalised, run, decode person cells of the
 * three strides, NMS, back to frame pixels. Pure apart from the injected runner.
 */
export async function detectNanoDet(
  frame: Frame,
  runner: ModelRunner,
  state: LetterboxState,
  config: NanoDetConfig,
): Promise<Detections> {
  const { input, plan } = prepareInput(frame, state);
  const inputName = runner.inputNames[0] ?? 'input_1';
  const outputs = await runner.run({
    name: inputName,
    data: input,
    dims: [1, 3, config.inputHeight, config.inputWidth],
  });
  const levels = nanoDetLevels(outputs, config.inputWidth, config.inputHeight, runner.modelPath);
  decodeNanoDet(
    levels,
    {
      inputWidth: config.inputWidth,
      inputHeight: config.inputHeight,
      scoreThreshold: config.scoreThreshold,
      classId: PERSON_CLASS,
      numClasses: NANODET_COCO.numClasses,
      regMax: NANODET_COCO.regMax,
    },
    state.candidates,
  );
  return finishDetections(state, plan, {
    iouThreshold: config.iouThreshold,
    perClass: true,
    maxDetections: config.maxDetections,
  });
}

/**
 * Pairs the six outputs into levels by their shapes: the converted graph's output names
 * (Identity..Identity_5) carry no meaning, but a level of stride s has ceil(W/s) * ceil(H/s)
 * cells, and its scores have 80 values per cell where its distributions have 44.
 */
export function nanoDetLevels(
  outputs: ReadonlyMap<string, OutputTensor>,
  inputWidth: number,
  inputHeight: number,
  model: string,
): NanoDetLevel[] {
  const perCellBoxes = 4 * (NANODET_COCO.regMax + 1);
  return NANODET_COCO.strides.map((stride) => {
    const cells = Math.ceil(inputWidth / stride) * Math.ceil(inputHeight / stride);
    let scores: Float32Array | undefined;
    let distributions: Float32Array | undefined;
    for (const t of outputs.values()) {
      if (t.dims[1] !== cells) continue;
      if (t.dims[2] === NANODET_COCO.numClasses) scores = t.data;
      else if (t.dims[2] === perCellBoxes) distributions = t.data;
    }
    if (scores === undefined || distributions === undefined) {
      throw new Error(
        `${model}: no NanoDet outputs with ${cells} cells for stride ${stride} at ${inputWidth}x${inputHeight}`,
      );
    }
    return { stride, scores, distributions };
  });
}

export function createNanoDetDetector(
  name: string,
  runner: ModelRunner,
  config: NanoDetConfig,
): PersonDetector {
  const state = createLetterboxState(config.inputWidth, config.inputHeight, NANODET_PIXELS);
  return {
    name,
    detect: serialised((frame: Frame) => detectNanoDet(frame, runner, state, config)),
    get lastInferenceMs() {
      return runner.lastRunMs;
    },
    close: () => runner.close(),
  };
}
