/**
 * A pass of work run every so many seconds, never two at once: a call while one runs shares
 * it. The pass reports its own failures (it should not reject).
 */
export class PeriodicPass<T> {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<T> | null = null;

  constructor(private readonly pass: () => Promise<T>) {}

  /** Runs the pass every `seconds` from now on; the timer does not keep the process alive. */
  start(seconds: number): void {
    this.timer = setInterval(() => void this.runOnce(), seconds * 1000);
    this.timer.unref();
  }

  /** One pass now, or the one in progress. */
  runOnce(): Promise<T> {
    this.running ??= this.pass().finally(() => (this.running = null));
    return this.running;
  }

  /** No more passes; waits for the one in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
