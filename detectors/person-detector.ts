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
