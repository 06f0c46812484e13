import type { Frame } from '../../ingest/frame.js';
import { PERSON_CLASS, type Detections } from '../detections.js';
import { requireOutput, type ModelRunner } from '../onnx/runner.js';
import type { PersonDetector } from '../person-detector.js';
import { decodeCenterNet } from '../postprocess/centernet.js';
import { CENTERNET_PIXELS } from '../preprocess.js';
import {
  createLetterboxState,
  finishDetections,
  prepareInput,
  serialised,
  type LetterboxState,
} from './letterboxed.js';

export interface CenterNetConfig {
  readonly scoreThreshold: number;
  readonly iouThreshold: number;
  readonly maxDetections: number;
}

/** The converted graph decodes a fixed 128x128 heat map, so its input is fixed at 512x512. */
export const CENTERNET_INPUT = 512;
const DETECTIONS_OUTPUT = 'tower_0/detections';

export async function detectCenterNet(
  frame: Frame,
  runner: ModelRunner,
  state: LetterboxState,
  config: CenterNetConfig,
): Promise<Detections> {
  const { input, plan } = prepareInput(frame, state);
  const inputName = runner.inputNames[0] ?? 'tower_0_images';
  const outputs = await runner.run({
    name: inputName,
    data: input,
    dims: [1, CENTERNET_INPUT, CENTERNET_INPUT, 3],
  });
  const detections = requireOutput(outputs, DETECTIONS_OUTPUT, runner.modelPath);
  decodeCenterNet(
    detections.data,
    { scoreThreshold: config.scoreThreshold, classId: PERSON_CLASS },
    state.candidates,
  );
  return finishDetections(state, plan, {
    iouThreshold: config.iouThreshold,
    perClass: true,
    maxDetections: config.maxDetections,
  });
}

export function createCenterNetDetector(
  name: string,
  runner: ModelRunner,
  config: CenterNetConfig,
): PersonDetector {
  const state = createLetterboxState(CENTERNET_INPUT, CENTERNET_INPUT, CENTERNET_PIXELS);
  return {
    name,
    detect: serialised((frame: Frame) => detectCenterNet(frame, runner, state, config)),
    get lastInferenceMs() {
      return runner.lastRunMs;
    },
    close: () => runner.close(),
  };
}
