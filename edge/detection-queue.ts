import type { Frame } from '../ingest/frame.js';
import type { Detections } from '../detectors/detections.js';
import type { PersonDetector } from '../detectors/person-detector.js';

/**
 * Every camera of a node shares one detector (one ONNX session per model per process). Calls
 * are run one at a time, so the session's threads are never oversubscribed and the cost of a
 * frame is measurable; the measured cost drives load shedding.
 */
export class DetectionQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private ewmaMs: number | undefined;
  private ewmaInferenceMs: number | undefined;
  private frames = 0;
  private busyMs = 0;
  private inferenceMs = 0;

  constructor(
    private readonly detector: PersonDetector,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Frames waiting for the detector, the one running included. */
  get depth(): number {
    return this.pending;
  }

  /** Recent cost of one frame, in ms (exponentially weighted), or undefined before the first. */
  get msPerFrame(): number | undefined {
    return this.ewmaMs;
  }

  stats(): { frames: number; busyMs: number; inferenceMs: number; msPerFrame: number | null; inferenceMsPerFrame: number | null } {
    return {
      frames: this.frames,
      busyMs: this.busyMs,
      inferenceMs: this.inferenceMs,
      msPerFrame: this.ewmaMs ?? null,
      inferenceMsPerFrame: this.ewmaInferenceMs ?? null,
    };
  }

  detect(frame: Frame): Promise<Detections> {
    this.pending++;
    const result = this.tail.then(async () => {
      const started = this.now();
      try {
        return await this.detector.detect(frame);
      } finally {
        const ms = this.now() - started;
        const inference = this.detector.lastInferenceMs;
        this.frames++;
        this.busyMs += ms;
        this.inferenceMs += inference;
        // A weight of 0.1 follows a change of load within ~10 frames without jitter.
        this.ewmaMs = this.ewmaMs === undefined ? ms : this.ewmaMs * 0.9 + ms * 0.1;
        this.ewmaInferenceMs = this.ewmaInferenceMs === undefined ? inference : this.ewmaInferenceMs * 0.9 + inference * 0.1;
        this.pending--;
      }
    });
    this.tail = result.catch(() => undefined);
    return result;
  }
}
