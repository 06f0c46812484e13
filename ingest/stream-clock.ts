/**
 * Capture time from the stream's own timestamps. A camera's pts says how far apart its frames
 * were taken, exactly, whatever the network and the pipe did to their arrival; but pts has an
 * arbitrary origin (RTSP: a random RTP offset; files: 0), so it is mapped to the node's clock
 * by an offset: capturedAt = pts + offset.
 *
 * The offset is the minimum of (arrival - pts) seen so far: the frame that travelled fastest
 * shows the true delay best, and later, slower frames (jitter, a burst after a hiccup, a busy
 * event loop) do not move capture times. A frame therefore never has a capture time after its
 * arrival, even when a server sends a buffered second or two at connect faster than real time.
 * The minimum leaks upward slowly (`leak`, default 1 ms per stream second, far above real
 * camera clock error of ~100 ppm) so a camera clock running slow does not accumulate lag.
 *
 * When pts jumps (the camera restarted, a discontinuity) so that a capture time would be more
 * than `maxDriftMs` away from arrival, the offset is renewed from that frame.
 */
export class StreamClock {
  private offset: number | undefined;
  private lastPtsMs = NaN;
  private last = -Infinity;
  private reanchors = 0;

  constructor(
    private readonly maxDriftMs = 5_000,
    private readonly leak = 0.001,
  ) {}

  /** How many times pts jumped and the mapping had to be renewed (a sign of a troubled stream). */
  get reanchored(): number {
    return this.reanchors;
  }

  /** Forget the mapping: the next frame starts a new connection. */
  reset(): void {
    this.offset = undefined;
    this.lastPtsMs = NaN;
  }

  /** Capture time (ms since epoch) of a frame with `ptsSeconds` that arrived at `arrivedAtMs`. */
  capturedAt(ptsSeconds: number, arrivedAtMs: number): number {
    const ptsMs = ptsSeconds * 1000;
    const transit = arrivedAtMs - ptsMs;
    if (this.offset === undefined) {
      this.offset = transit;
    } else {
      const advanced = ptsMs - this.lastPtsMs;
      if (advanced > 0) this.offset += advanced * this.leak;
      const predicted = ptsMs + this.offset;
      if (Math.abs(predicted - arrivedAtMs) > this.maxDriftMs) {
        this.reanchors++;
        this.offset = transit;
      } else {
        this.offset = Math.min(this.offset, transit);
      }
    }
    this.lastPtsMs = ptsMs;
    return this.forward(ptsMs + this.offset);
  }

  /** Capture time of a frame that carries no pts (rare: a broken stream): its arrival. */
  withoutPts(arrivedAtMs: number): number {
    return this.forward(arrivedAtMs);
  }

  /** Never before the previous frame: consumers assume capture times only move forward. */
  private forward(at: number): number {
    this.last = Math.round(Math.max(at, this.last + 1));
    return this.last;
  }
}
