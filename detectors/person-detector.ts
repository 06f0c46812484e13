import type { Frame } from '../ingest/frame.js';
import type { Detections } from './detections.js';

/**
 * The port every person-detection backend implements (after Frigate's `DetectionApi`): RGB
 * frame in, person detections in that frame's pixels out. Backends own their ONNX session,
 * pre-processing and decoding; callers never see model layouts.
 */
export interface PersonDetector {
  readonly name: string;
  detect(frame: Frame): Promise<Detections>;
  /** Milliseconds spent inside `session.run` during the last `detect` call (overhead accounting). */
  readonly lastInferenceMs: number;
  close(): Promise<void>;
}

/**
 * The person detector everything uses unless told otherwise, chosen by `salonwatch eval` on
 * PETS09 and TUD-Campus (README, "Choosing the person detector"): the only candidate within
 * 30 ms per frame on one core that still meets precision, recall, count MAE and MOTA on PETS09.
 */
export const DEFAULT_PERSON_DETECTOR = 'nanodet-int8-320x256';
