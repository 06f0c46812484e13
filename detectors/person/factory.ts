import { fileURLToPath } from 'node:url';
import { SalonwatchError } from '../../common/errors.js';
import { openModel } from '../onnx/session.js';
import type { PersonDetector } from '../person-detector.js';
import { createCenterNetDetector } from './centernet.js';
import { createNanoDetDetector } from './nanodet.js';

export interface PersonDetectorOptions {
  /** onnxruntime intra-op threads (1 = one core). */
  readonly threads: number;
  /**
   * Lowest score returned. The default keeps low-confidence boxes because a ByteTrack-style
   * tracker uses them in its second association pass; callers that count raw detections
   * should filter higher.
   */
  readonly scoreThreshold?: number;
}

export const DEFAULT_SCORE_THRESHOLD = 0.1;

/**
 * NanoDet's own inference config suppresses at IoU 0.6; people walking side by side overlap
 * less than that, so it removes duplicate peaks without merging neighbours.
 */
const IOU_THRESHOLD = 0.6;
const MAX_DETECTIONS = 100;

export function modelPath(file: string): string {
  return fileURLToPath(new URL(`../models/${file}`, import.meta.url));
}

interface Backend {
  readonly summary: string;
  create(
    name: string,
    options: PersonDetectorOptions,
    scoreThreshold: number,
  ): Promise<PersonDetector>;
}

function nanodet(file: string, inputWidth: number, inputHeight: number, summary: string): Backend {
  return {
    summary,
    async create(name, options, scoreThreshold) {
      const runner = await openModel(modelPath(file), { threads: options.threads });
      return createNanoDetDetector(name, runner, {
        inputWidth,
        inputHeight,
        scoreThreshold,
        iouThreshold: IOU_THRESHOLD,
        maxDetections: MAX_DETECTIONS,
      });
    },
  };
}

/**
 * Every person detector by name. NanoDet's converted graph accepts any input that is a multiple
 * of 32, so its variants trade accuracy on small people for speed; 416x320 is the 416 model
 * letterboxed for 4:3 cameras with 8 rows of padding instead of 104. The int8 variants run the
 * statically quantised model (convert.py, quantize_nanodet), 2-2.5x faster on one core.
 */
const backends: Record<string, Backend> = {
  nanodet: nanodet('nanodet.onnx', 416, 416, 'NanoDet, 416x416 input as trained'),
  'nanodet-416x320': nanodet(
    'nanodet.onnx',
    416,
    320,
    'NanoDet, 416x320 input (4:3 frames, less padding)',
  ),
  'nanodet-320': nanodet('nanodet.onnx', 320, 320, 'NanoDet, 320x320 input'),
  'nanodet-320x256': nanodet('nanodet.onnx', 320, 256, 'NanoDet, 320x256 input (4:3 frames)'),
  'nanodet-int8': nanodet('nanodet-int8.onnx', 416, 416, 'NanoDet int8, 416x416'),
  'nanodet-int8-416x320': nanodet(
    'nanodet-int8.onnx',
    416,
    320,
    'NanoDet int8, 416x320 (4:3 frames)',
  ),
  'nanodet-int8-320x256': nanodet(
    'nanodet-int8.onnx',
    320,
    256,
    'NanoDet int8, 320x256 (4:3 frames)',
  ),
  centernet: {
    summary: 'MobileNetV3 CenterNet, 512x512 input',
    async create(name, options, scoreThreshold) {
      const runner = await openModel(modelPath('centernet.onnx'), { threads: options.threads });
      return createCenterNetDetector(name, runner, {
        scoreThreshold,
        iouThreshold: IOU_THRESHOLD,
        maxDetections: MAX_DETECTIONS,
      });
    },
  },
};

export const PERSON_DETECTOR_NAMES: readonly string[] = Object.keys(backends);

export function describePersonDetectors(): { name: string; summary: string }[] {
  return Object.entries(backends).map(([name, b]) => ({ name, summary: b.summary }));
}

/**
 * Opens a person detector by name (see PERSON_DETECTOR_NAMES). Detectors on the same model
 * share one onnxruntime session per process; close each detector when done.
 */
export async function createPersonDetector(
  name: string,
  options: PersonDetectorOptions,
): Promise<PersonDetector> {
  const backend = Object.hasOwn(backends, name) ? backends[name] : undefined;
  if (backend === undefined) {
    throw new SalonwatchError(
      'USAGE',
      `unknown person detector "${name}"; known: ${PERSON_DETECTOR_NAMES.join(', ')}`,
    );
  }
  const scoreThreshold = options.scoreThreshold ?? DEFAULT_SCORE_THRESHOLD;
  if (!(scoreThreshold >= 0 && scoreThreshold <= 1)) {
    throw new SalonwatchError(
      'CONFIG_INVALID',
      `scoreThreshold must be in [0, 1], got ${scoreThreshold}`,
    );
  }
  return backend.create(name, options, scoreThreshold);
}
