/**
 * A background poll for the API's in-memory books (api/score-book-sync.ts,
 * api/incident-book-sync.ts): `run` every `everyMs`, one at a time. A call while a poll is in
 * flight joins it rather than starting another; a failed poll is reported and the next tick
 * tries again.
 */
export class Poller {
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly run: () => Promise<void>,
    private readonly everyMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.now().catch(this.onError);
    }, this.everyMs);
    // The timer alone never keeps the process alive.
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One poll now, or the one in flight. */
  now(): Promise<void> {
    this.inFlight ??= this.run().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Settles when the poll in flight (if any) has; never rejects. */
  async settled(): Promise<void> {
    await this.inFlight?.catch(() => undefined);
  }
}
