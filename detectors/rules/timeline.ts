/**
 * Fixed sampling windows over a piecewise-constant signal: the time-weighted mean of each
 * window, emitted when the window closes. Windows are aligned to multiples of the period since
 * the epoch, so every camera's samples line up and a replay cuts the same windows. Time the
 * camera did not see (gaps between frames longer than `maxGapMs`) is left out of the mean, and
 * a window it never saw yields no sample.
 */
export interface WindowSample {
  readonly end: number;
  /** Covered time in the window, ms. */
  readonly coveredMs: number;
  /** Time-weighted means of each value over the covered time. */
  readonly means: readonly number[];
}

export class WindowSampler {
  private windowEnd = NaN;
  private coveredMs = 0;
  private readonly areas: number[];

  constructor(
    private readonly periodMs: number,
    private readonly width: number,
  ) {
    this.areas = new Array<number>(width).fill(0);
  }

  /** Accounts `values` held over [from, to); returns the windows that closed on the way. */
  add(
    from: number,
    to: number,
    values: readonly number[],
    covered: boolean,
    closed: WindowSample[],
  ): void {
    if (Number.isNaN(this.windowEnd))
      this.windowEnd = (Math.floor(from / this.periodMs) + 1) * this.periodMs;
    let t = from;
    while (to >= this.windowEnd) {
      if (covered) this.accumulate(this.windowEnd - t, values);
      this.close(closed);
      t = this.windowEnd - this.periodMs;
    }
    if (covered && to > t) this.accumulate(to - t, values);
  }

  private accumulate(dt: number, values: readonly number[]): void {
    if (dt <= 0) return;
    this.coveredMs += dt;
    for (let i = 0; i < this.width; i++)
      this.areas[i] = (this.areas[i] ?? 0) + dt * (values[i] ?? 0);
  }

  private close(closed: WindowSample[]): void {
    if (this.coveredMs > 0) {
      const means = this.areas.map((a) => a / this.coveredMs);
      closed.push({ end: this.windowEnd, coveredMs: this.coveredMs, means });
    }
    this.coveredMs = 0;
    this.areas.fill(0);
    this.windowEnd += this.periodMs;
  }
}
