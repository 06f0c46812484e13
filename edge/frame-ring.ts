import type { Frame } from '../ingest/frame.js';

/**
 * The last few seconds of one camera's admitted frames, so that evidence for an incident can
 * be taken from the moments the rules name (they look back up to EVIDENCE_LOOKBACK_MS). Frames
 * are kept by reference: the sampler hands over a new buffer per frame.
 */
export class FrameRing {
  private readonly frames: Frame[] = [];

  constructor(private readonly spanMs: number) {}

  push(frame: Frame): void {
    this.frames.push(frame);
    const oldest = frame.capturedAt - this.spanMs;
    while (this.frames.length > 1 && (this.frames[0]?.capturedAt ?? Infinity) < oldest) this.frames.shift();
  }

  /** The frame captured at or nearest before `at`; the oldest kept one when `at` is older. */
  at(at: number): Frame | undefined {
    let best: Frame | undefined;
    for (const frame of this.frames) {
      if (frame.capturedAt <= at) best = frame;
      else break;
    }
    return best ?? this.frames[0];
  }

  get size(): number {
    return this.frames.length;
  }
}
