/**
 * Cuts ffmpeg's rawvideo byte stream into whole pictures, reading straight into picture buffers.
 * The sampler's FIFO reader asks `target()` where the next bytes go and the kernel copies pipe
 * data there; `advance()` then counts them. No pipe chunk is allocated or copied on this side.
 *
 * Picture buffers come from a `FramePool` and go back to it when the consumer releases the
 * frame. A frame that is never released is simply garbage: the pool allocates another. Without
 * the pool every picture was a fresh 1 MB external buffer (768x432 RGB), plus sixteen 64 KiB pipe
 * chunks, and that external memory made V8 run a full mark-compact every dozen frames: most of
 * the node side's CPU in `bench sampling`.
 */

/** Picture buffers of one size, reused once their frame is released. */
export class FramePool {
  readonly frameBytes: number;
  private readonly free: Uint8Array[] = [];
  private allocations = 0;

  /** `maxFree` bounds what an idle camera keeps: the queue, the consumer and the picture being read. */
  constructor(
    frameBytes: number,
    private readonly maxFree = 4,
  ) {
    if (!Number.isInteger(frameBytes) || frameBytes < 1)
      throw new RangeError(`frameBytes must be a positive integer, got ${frameBytes}`);
    this.frameBytes = frameBytes;
  }

  /** Buffers allocated so far (the rest of the pictures reused a released one). */
  get allocated(): number {
    return this.allocations;
  }

  get idle(): number {
    return this.free.length;
  }

  /** A buffer of `frameBytes`, not zero-filled: its reader overwrites every byte before use. */
  take(): Uint8Array {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    this.allocations++;
    const buffer = Buffer.allocUnsafeSlow(this.frameBytes);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  /**
   * Returns a buffer nobody reads any more. A buffer of another size, one already given back, or
   * one beyond `maxFree` is left to the garbage collector.
   */
  give(buffer: Uint8Array): void {
    if (buffer.length !== this.frameBytes || this.free.length >= this.maxFree) return;
    if (this.free.includes(buffer)) return;
    this.free.push(buffer);
  }
}

export class RawFrameAssembler {
  readonly frameBytes: number;
  private current: Uint8Array | undefined;
  private filled = 0;

  constructor(private readonly pool: FramePool) {
    this.frameBytes = pool.frameBytes;
  }

  /** Bytes of a picture received so far (after a process dies, a torn picture is discarded). */
  get pending(): number {
    return this.filled;
  }

  /** Where the next bytes of the stream go: the unfilled rest of the current picture. */
  target(): Uint8Array {
    const current = (this.current ??= this.pool.take());
    return current.subarray(this.filled);
  }

  /**
   * Counts `n` bytes written into the last `target()`; calls `emit` with the picture once it is
   * whole. The picture then belongs to `emit`'s side (release it to the pool when done).
   */
  advance(n: number, emit: (picture: Uint8Array) => void): void {
    const current = this.current;
    if (current === undefined || !Number.isInteger(n) || n < 0 || this.filled + n > this.frameBytes)
      throw new RangeError(
        `advance(${n}) with ${this.frameBytes - this.filled} bytes of the picture left`,
      );
    this.filled += n;
    if (this.filled < this.frameBytes) return;
    this.current = undefined;
    this.filled = 0;
    emit(current);
  }

  /** Copies a chunk in (tests, and any source that hands over its own buffers). */
  push(chunk: Uint8Array, emit: (picture: Uint8Array) => void): void {
    let offset = 0;
    while (offset < chunk.length) {
      const target = this.target();
      const take = Math.min(target.length, chunk.length - offset);
      target.set(chunk.subarray(offset, offset + take));
      offset += take;
      this.advance(take, emit);
    }
  }

  /** Discards a torn picture; its buffer goes back to the pool. */
  reset(): void {
    if (this.current !== undefined) this.pool.give(this.current);
    this.current = undefined;
    this.filled = 0;
  }
}
