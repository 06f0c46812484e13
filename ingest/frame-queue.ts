/**
 * A bounded hand-off between a sampler and its consumer. The sampler never waits: when the
 * queue is full the oldest frame is dropped (and counted), because for live analytics the newest
 * picture is worth more than an old one, and blocking would make ffmpeg's socket buffer (and
 * the camera's latency) grow instead. Memory is bounded by `capacity` frames.
 */
export class FrameQueue<T> implements AsyncIterable<T> {
  readonly capacity: number;
  private readonly items: T[] = [];
  private waiter: ((result: IteratorResult<T>) => void) | undefined;
  private closed = false;
  private droppedCount = 0;
  private pushedCount = 0;

  /** `onDrop` is told of each item the queue discards (displaced or left when iteration ends). */
  constructor(
    capacity: number,
    private readonly onDrop: (item: T) => void = () => undefined,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
  }

  /** Frames discarded because the consumer was behind. */
  get dropped(): number {
    return this.droppedCount;
  }

  get pushed(): number {
    return this.pushedCount;
  }

  get size(): number {
    return this.items.length;
  }

  /** Returns false when the frame displaced an older one (or the queue is closed). */
  push(item: T): boolean {
    if (this.closed) {
      this.onDrop(item);
      return false;
    }
    this.pushedCount++;
    const waiter = this.waiter;
    if (waiter !== undefined) {
      this.waiter = undefined;
      waiter({ value: item, done: false });
      return true;
    }
    this.items.push(item);
    if (this.items.length > this.capacity) {
      const displaced = this.items.shift();
      if (displaced !== undefined) this.onDrop(displaced);
      this.droppedCount++;
      return false;
    }
    return true;
  }

  /** Ends iteration once the queued frames are consumed. */
  close(): void {
    this.closed = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    if (this.waiter !== undefined)
      return Promise.reject(new Error('FrameQueue supports one consumer at a time'));
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => this.next(),
      return: () => {
        this.close();
        for (const item of this.items.splice(0)) this.onDrop(item);
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
