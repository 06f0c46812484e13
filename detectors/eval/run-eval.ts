import type { Frame } from '../../ingest/frame.js';
import type { PersonDetector } from '../person-detector.js';
import type { DescribeDetection, Tracker } from '../tracker/byte-tracker.js';
import { scaleBox } from '../tracker/geometry.js';
import { boxAt, PERSON_CLASS, type Detections } from '../detections.js';
import type { GroundTruth } from './mot-ground-truth.js';
import { createMotAccumulator, type MotMetrics } from './mot-metrics.js';
import type { Zone } from './zone.js';

export interface EvalInput {
  readonly frames: AsyncIterable<Frame>;
  readonly detector: PersonDetector;
  readonly tracker: Tracker;
  readonly groundTruth: GroundTruth;
  /** Pixel size the ground truth is expressed in; predictions are scaled to it. */
  readonly sequence: { readonly width: number; readonly height: number };
  readonly zone?: Zone;
  /** Raw detections at or above this score are also scored, without the tracker. */
  readonly rawScoreThreshold: number;
  /** Stop after this many frames (quick runs); undefined = every frame. */
  readonly limit?: number;
  /** Monotonic milliseconds (performance.now in the command, a fake in tests). */
  readonly now: () => number;
  /**
   * Gives the tracker body colours of the frame's boxes (`bodyColours`); absent, it tracks by
   * motion alone. Its cost is part of the tracker's time: the tracker asks while it runs.
   */
  readonly describe?: (frame: Frame, detections: Detections) => DescribeDetection;
}

export interface EvalResult extends MotMetrics {
  /** Detection plus tracking, per frame (decoding excluded). */
  readonly msPerFrame: number;
  readonly inferenceMsPerFrame: number;
  readonly trackerMsPerFrame: number;
  /** Share of detection plus tracking time spent outside `session.run`. */
  readonly overheadShare: number;
  /** Time spent waiting for decoded frames, per frame (not part of msPerFrame). */
  readonly decodeMsPerFrame: number;
  /** The detector alone (boxes at or above `rawScoreThreshold`), for comparing models. */
  readonly raw: { readonly precision: number; readonly recall: number; readonly countMae: number };
  readonly gtLastFrame: number;
}

/** Runs detection and tracking on every frame and scores the tracks against ground truth. */
export async function runEval(input: EvalInput): Promise<EvalResult> {
  const { groundTruth, sequence, now } = input;
  const zoneOptions =
    input.zone === undefined ? {} : { zone: { polygon: input.zone, ...sequence } };
  const tracked = createMotAccumulator(zoneOptions);
  const raw = createMotAccumulator();
  let detectMs = 0;
  let trackMs = 0;
  let inferenceMs = 0;
  let decodeMs = 0;
  let frameNumber = 0;
  let waitStart = now();
  for await (const frame of input.frames) {
    const t0 = now();
    decodeMs += t0 - waitStart;
    frameNumber += 1;
    const detections = await input.detector.detect(frame);
    const t1 = now();
    const tracks = input.tracker.update(
      detections,
      frame.capturedAt,
      input.describe?.(frame, detections),
    );
    const t2 = now();
    detectMs += t1 - t0;
    trackMs += t2 - t1;
    inferenceMs += input.detector.lastInferenceMs;

    const sx = sequence.width / frame.width;
    const sy = sequence.height / frame.height;
    const gt = groundTruth.frames.get(frameNumber) ?? [];
    tracked.addFrame(
      gt,
      tracks.map((t) => ({ id: t.trackId, box: scaleBox(t.box, sx, sy) })),
    );
    const rawBoxes = [];
    for (let i = 0; i < detections.count; i++) {
      if (
        detections.classIds[i] !== PERSON_CLASS ||
        (detections.scores[i] ?? 0) < input.rawScoreThreshold
      )
        continue;
      rawBoxes.push({ id: i, box: scaleBox(boxAt(detections, i), sx, sy) });
    }
    raw.addFrame(gt, rawBoxes);
    if (input.limit !== undefined && frameNumber >= input.limit) break;
    waitStart = now();
  }
  const metrics = tracked.result();
  const rawMetrics = raw.result();
  const frames = Math.max(frameNumber, 1);
  const busy = detectMs + trackMs;
  return {
    ...metrics,
    msPerFrame: busy / frames,
    inferenceMsPerFrame: inferenceMs / frames,
    trackerMsPerFrame: trackMs / frames,
    overheadShare: busy > 0 ? (busy - inferenceMs) / busy : 0,
    decodeMsPerFrame: decodeMs / frames,
    raw: {
      precision: rawMetrics.precision,
      recall: rawMetrics.recall,
      countMae: rawMetrics.countMae,
    },
    gtLastFrame: groundTruth.lastFrame,
  };
}
