/**
 * Capture time from the stream's own timestamps. A camera's pts says how far apart its frames
 * were taken, exactly, whatever the network and the pipe did to their arrival; but pts has an
 * arbitrary origin (RTSP: a random RTP offset; files: 0). So the clock is anchored once per
 * connection (the first frame's arrival on the node's wall clock) and every later frame is
 * anchor + (pts - first pts). Arrival jitter, bursts after a network hiccup and queueing in
 * the sampler therefore do not move capture times.
 *
 * The anchor is renewed when pts jumps backwards (the camera restarted, a file looped without
 * -stream_loop) or drifts from arrival by more than `maxDriftMs` (a camera clock running fast or
 * a pts discontinuity), so capture times stay within that bound of the node's clock.
 */
export class StreamClock {
  private anchor: { pts: number; wall: number } | undefined;
  private last = -Infinity;
  private reanchors = 0;

  constructor(private readonly maxDriftMs = 5_000) {}

  /** How many times the anchor had to be renewed after the first (a sign of a troubled stream). */
  get reanchored(): number {
    return this.reanchors;
  }

  /** Forget the anchor: the next frame starts a new connection. */
  reset(): void {
    this.anchor = undefined;
  }

  /** Capture time (ms since epoch) of a frame with `ptsSeconds` that arrived at `arrivedAtMs`. */
  capturedAt(ptsSeconds: number, arrivedAtMs: number): number {
    let at =
      this.anchor === undefined ? NaN : this.anchor.wall + (ptsSeconds - this.anchor.pts) * 1000;
    if (
      this.anchor !== undefined &&
      (ptsSeconds < this.anchor.pts || Math.abs(at - arrivedAtMs) > this.maxDriftMs)
    ) {
      this.reanchors++;
      this.anchor = undefined;
    }
    if (this.anchor === undefined) {
      // Never before the previous frame: consumers assume capture times only move forward.
      this.anchor = { pts: ptsSeconds, wall: Math.max(arrivedAtMs, this.last + 1) };
      at = this.anchor.wall;
    }
    at = Math.round(Math.max(at, this.last + 1));
    this.last = at;
    return at;
  }
}
