/**
 * Cuts ffmpeg's rawvideo byte stream into whole pictures. Pipe reads arrive in arbitrary
 * chunks (64 KiB on Linux) that straddle picture boundaries; each picture gets its own buffer
 * because it outlives the chunk (it is queued, analysed and handed to the detector).
 */
function allocate(bytes: number): Uint8Array {
  const buffer = Buffer.allocUnsafeSlow(bytes);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

export class RawFrameSplitter {
  readonly frameBytes: number;
  private current: Uint8Array;
  private filled = 0;

  constructor(frameBytes: number) {
    if (!Number.isInteger(frameBytes) || frameBytes < 1)
      throw new RangeError(`frameBytes must be a positive integer, got ${frameBytes}`);
    this.frameBytes = frameBytes;
    this.current = allocate(frameBytes);
  }

  /** Bytes of a picture received so far (after a process dies, a torn picture is discarded). */
  get pending(): number {
    return this.filled;
  }

  /** Feeds one chunk; calls `emit` once per completed picture, in order. */
  push(chunk: Uint8Array, emit: (frame: Uint8Array) => void): void {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(this.frameBytes - this.filled, chunk.length - offset);
      this.current.set(chunk.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === this.frameBytes) {
        const done = this.current;
        // Not zero-filled: every byte is overwritten before the picture is emitted.
        this.current = allocate(this.frameBytes);
        this.filled = 0;
        emit(done);
      }
    }
  }

  reset(): void {
    this.filled = 0;
  }
}
