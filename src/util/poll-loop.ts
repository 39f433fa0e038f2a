// Polling something every few milliseconds until told to stop (SWO capture, RTT buffers):
// again at once while a poll says there is more, one last poll at the end, and a stop()
// that resolves only after that last poll.

export class PollLoop {
  private stopping = false;
  private wake: (() => void) | null = null;
  private running: Promise<void> | null = null;

  /** `poll` returns true when it should run again at once (more is waiting). */
  constructor(private readonly poll: () => Promise<boolean>) {}

  /** Poll every `intervalMs` until stop() or `untilMs` has passed. */
  run(intervalMs: number, untilMs = Infinity): Promise<void> {
    const r = this.loop(intervalMs, untilMs);
    this.running = r;
    return r;
  }

  private async loop(intervalMs: number, untilMs: number): Promise<void> {
    const deadline = performance.now() + untilMs;
    while (!this.stopping && performance.now() < deadline) {
      if (await this.poll()) continue;
      const wait = Math.max(0, Math.min(intervalMs, deadline - performance.now()));
      await new Promise<void>((r) => {
        const t = setTimeout(r, wait);
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
      this.wake = null;
    }
    await this.poll();
  }

  /** Cut the current wait short (new work arrived). */
  nudge(): void {
    this.wake?.();
  }

  /** Make run() finish; resolves once its last poll is done. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running?.catch(() => undefined);
  }
}
