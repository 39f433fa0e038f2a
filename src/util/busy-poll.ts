// Keeping the event loop polling its sockets for a short while instead of sleeping in
// it, after sending something whose answer comes back within microseconds (a gdb request
// after a reply, a CMSIS-DAP response after a request). On an idle machine a sleeping
// host core takes far longer than that to wake for the answer; under load it is awake
// anyway. Each turn is a zero-timeout poll (setImmediate), so nothing else waits.

/** TSPROBE_BUSY_POLL_US overrides every default (0 turns busy polling off). */
const OVERRIDE_US = process.env.TSPROBE_BUSY_POLL_US;

export class BusyPoll {
  private readonly ms: number;
  private until = 0;
  private spinning = false;
  private stopped = false;

  constructor(defaultMicros: number) {
    this.ms = Number(OVERRIDE_US ?? defaultMicros) / 1000;
  }

  /** Keep polling until `ms` from now (extends a poll already running). */
  kick(): void {
    if (!(this.ms > 0) || this.stopped) return;
    this.until = performance.now() + this.ms;
    if (this.spinning) return;
    this.spinning = true;
    const turn = () => {
      if (this.stopped || performance.now() > this.until) {
        this.spinning = false;
        return;
      }
      setImmediate(turn);
    };
    setImmediate(turn);
  }

  /** No more polling (the connection closed). */
  stop(): void {
    this.stopped = true;
  }
}
