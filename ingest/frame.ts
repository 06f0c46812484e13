/**
 * One sampled picture from a camera: packed RGB24, row-major, `width * height * 3` bytes.
 * `capturedAt` is milliseconds since the Unix epoch, derived from the stream's own timestamps
 * (not from when the bytes arrived), so that rules see the camera's clock.
 */
export interface Frame {
  readonly cameraId: string;
  readonly capturedAt: number;
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
  /**
   * Gives `data` back to the sampler for a later picture: call it once nothing reads the frame
   * any more (not its pixels, not a view of them). Optional both ways: frames made elsewhere
   * have none, and a frame that is never released is left to the garbage collector.
   */
  readonly release?: () => void;
}
