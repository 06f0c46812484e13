/**
 * Cuts ffmpeg's rawvideo byte stream into whole pictures. Pipe reads arrive in arbitrary
 * chunks (64 KiB on Linux) that straddle picture boundaries; each picture gets its own buffer
 * because it outlives the chunk (it is queued, analysed and handed to the detector, and the edge
 * node keeps recent frames by reference for evidence).
 *
 * A picture's buffer is allocated when its first bytes arrive, not as soon as the previous one
 * completes: at 1 fps a buffer allocated ahead sits empty for most of a second (1 MB per camera
 * at 768x432), which on a node with many cameras outlives young-generation collections, so the
 * buffer is promoted and only a full mark-compact frees it.
 */
function allocate(bytes: number): Uint8Array {
  const buffer = Buffer.allocUnsafeSlow(bytes);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

export class RawFrameSplitter {
  readonly frameBytes: number;
  private current: Uint8Array | undefined;
  private filled = 0;

  constructor(frameBytes: number) {
    if (!Number.isInteger(frameBytes) || frameBytes < 1)
      throw new RangeError(`frameBytes must be a positive integer, got ${frameBytes}`);
    this.frameBytes = frameBytes;
  }

  /** Bytes of a picture received so far (after a process dies, a torn picture is discarded). */
  get pending(): number {
    return this.filled;
  }

  /** Feeds one chunk; calls `emit` once per completed picture, in order. */
  push(chunk: Uint8Array, emit: (frame: Uint8Array) => void): void {
    let offset = 0;
    while (offset < chunk.length) {
      // Not zero-filled: every byte is overwritten before the picture is emitted.
      const current = (this.current ??= allocate(this.frameBytes));
      const take = Math.min(this.frameBytes - this.filled, chunk.length - offset);
      current.set(chunk.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === this.frameBytes) {
        this.current = undefined;
        this.filled = 0;
        emit(current);
      }
    }
  }

  reset(): void {
    this.filled = 0;
  }
}
