// Simulated time. Time is counted in core clock cycles and advances only as the CPU
// executes (or sleeps until the next event), so runs are deterministic.
// Peripherals (SysTick, timers, UART baud pacing) schedule callbacks at a cycle count.

export interface TimerEvent {
  at: number;
  readonly callback: () => void;
  /** False once fired or cancelled. */
  active: boolean;
}

export class Clock {
  /** Cycles elapsed since power-on. A JS number is exact up to 2^53 cycles. */
  now = 0;
  /** Core clock in Hz (for converting cycles to seconds: SYS_CLOCK, --realtime). */
  constructor(public hz: number) {}

  private events: TimerEvent[] = []; // kept sorted by `at`

  /** Run `callback` once `now` reaches `at` (absolute cycles). */
  at(at: number, callback: () => void): TimerEvent {
    const ev: TimerEvent = { at, callback, active: true };
    let i = this.events.length;
    while (i > 0 && this.events[i - 1].at > at) i--;
    this.events.splice(i, 0, ev);
    return ev;
  }

  /** Run `callback` after `delay` cycles. */
  after(delay: number, callback: () => void): TimerEvent {
    return this.at(this.now + delay, callback);
  }

  cancel(ev: TimerEvent | undefined): void {
    if (!ev || !ev.active) return;
    ev.active = false;
    const i = this.events.indexOf(ev);
    if (i >= 0) this.events.splice(i, 1);
  }

  /** Cycle count of the next pending event, or Infinity. */
  nextDeadline(): number {
    return this.events.length ? this.events[0].at : Infinity;
  }

  /** Fire every event due at or before `now`. */
  fireDue(): void {
    while (this.events.length && this.events[0].at <= this.now) {
      const ev = this.events.shift()!;
      ev.active = false;
      ev.callback();
    }
  }

  seconds(): number {
    return this.now / this.hz;
  }
}
