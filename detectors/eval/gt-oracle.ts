import type { Frame } from '../../ingest/frame.js';
import type { PersonDetector } from '../person-detector.js';
import { PERSON_CLASS, type Detections } from '../detections.js';
import type { GroundTruth } from './mot-ground-truth.js';

/**
 * NOT A MODEL. A `PersonDetector` that answers with the ground-truth boxes themselves, so the
 * tracker and the metrics can be measured alone (`salonwatch eval --model gt-oracle`). To
 * stress the tracker it can drop a share of boxes (deterministically, seeded) and give the
 * survivors a low score, imitating an occluded person the detector barely sees.
 */
export const GT_ORACLE = 'gt-oracle';

export interface OracleOptions {
  /** Share of boxes dropped on each frame, 0..1. */
  readonly dropRate?: number;
  /** Share of the kept boxes reported with `lowScore` instead of 0.9. */
  readonly lowScoreRate?: number;
  readonly lowScore?: number;
  readonly seed?: number;
}

export function createGtOracle(
  groundTruth: GroundTruth,
  sequence: { readonly width: number; readonly height: number },
  options: OracleOptions = {},
): PersonDetector {
  const { dropRate = 0, lowScoreRate = 0, lowScore = 0.3, seed = 1 } = options;
  const random = mulberry32(seed);
  let frameNumber = 0;
  return {
    name: `${GT_ORACLE} (ground truth fed back as detections; measures the tracker, not a model)`,
    lastInferenceMs: 0,
    detect(frame: Frame): Promise<Detections> {
      frameNumber += 1;
      const sx = frame.width / sequence.width;
      const sy = frame.height / sequence.height;
      const boxes: number[] = [];
      const scores: number[] = [];
      for (const g of groundTruth.frames.get(frameNumber) ?? []) {
        if (random() < dropRate) continue;
        boxes.push(g.box.x1 * sx, g.box.y1 * sy, g.box.x2 * sx, g.box.y2 * sy);
        scores.push(random() < lowScoreRate ? lowScore : 0.9);
      }
      return Promise.resolve({
        count: scores.length,
        boxes: Float32Array.from(boxes),
        scores: Float32Array.from(scores),
        classIds: new Uint16Array(scores.length).fill(PERSON_CLASS),
      });
    },
    close: () => Promise.resolve(),
  };
}

/** Small seeded PRNG (Tommy Ettinger's mulberry32) so oracle runs are reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
