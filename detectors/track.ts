import type { Box } from './detections.js';

/**
 * A person as the tracker reports them on one frame: a stable `trackId` for as long as the
 * tracker follows them, the box in frame pixels, and the detection score that confirmed it.
 */
export interface TrackedPerson {
  readonly trackId: number;
  readonly box: Box;
  readonly score: number;
}

/** The tracker's output for one frame of one camera; the input of zones and rules. */
export interface TrackFrame {
  readonly cameraId: string;
  /** Milliseconds since the Unix epoch, from the frame. */
  readonly capturedAt: number;
  readonly width: number;
  readonly height: number;
  readonly tracks: readonly TrackedPerson[];
}
