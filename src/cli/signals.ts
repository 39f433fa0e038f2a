// Ctrl-C (SIGINT) and SIGTERM for the commands that serve until stopped (gdb, dap).
// The handlers go in before anything slow (opening the probe, --load) and stay until the
// command is done. With `process.once(...)` installed only once the server listened, a
// signal found no handler both before that (during a --load) and after the first one
// (while the server and the session were closing), and Node's default action killed the
// process with status 130: no clean close of the probe, no closing report. Nor may they
// be removed before the process has exited: the default action is back at once, and a
// signal arriving during process.exit() kills it (the exit status is then 130, not 0).

export type StopSignal = 'SIGINT' | 'SIGTERM';

export class StopSignals {
  /** The first signal received, or null. */
  received: StopSignal | null = null;
  /** Resolves with the first signal. */
  readonly stopped: Promise<StopSignal>;
  private resolve!: (s: StopSignal) => void;
  private readonly handler = (s: StopSignal) => this.onSignal(s);

  constructor(private readonly log: (line: string) => void) {
    this.stopped = new Promise((r) => (this.resolve = r));
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
  }

  private onSignal(s: StopSignal): void {
    if (this.received === null) {
      this.received = s;
      this.resolve(s);
      return;
    }
    // Already stopping: closing the probe cleanly matters more than a second Ctrl-C.
    this.log(`${s} again: already shutting down`);
  }

  /** Remove the handlers (for a caller that goes on living; a CLI command keeps them to the end). */
  dispose(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
  }
}
