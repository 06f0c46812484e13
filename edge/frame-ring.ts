import type { Snapshot } from './ports.js';

/**
 * The last few seconds of one camera's detected frames with the people on them, so that
 * evidence for an incident can be taken from the moments the rules name (they look back up to
 * EVIDENCE_LOOKBACK_MS). Frames are kept by reference and never released to the sampler's pool,
 * so their buffers are not reused while a snapshot may still be read.
 */
export class FrameRing {
  private readonly frames: Snapshot[] = [];

  constructor(private readonly spanMs: number) {}

  push(snapshot: Snapshot): void {
    this.frames.push(snapshot);
    const oldest = snapshot.frame.capturedAt - this.spanMs;
    while (this.frames.length > 1 && (this.frames[0]?.frame.capturedAt ?? Infinity) < oldest) this.frames.shift();
  }

  /** The snapshot captured at or nearest before `at`; the oldest kept one when `at` is older. */
  at(at: number): Snapshot | undefined {
    let best: Snapshot | undefined;
    for (const snapshot of this.frames) {
      if (snapshot.frame.capturedAt <= at) best = snapshot;
      else break;
    }
    return best ?? this.frames[0];
  }

  get size(): number {
    return this.frames.length;
  }
}
