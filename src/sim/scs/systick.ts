// SysTick (ARMv7-M B3.3): a 24-bit down counter clocked by the core clock (CLKSOURCE=1) or
// a reference clock (CLKSOURCE=0, `refDivider` core cycles per tick). It counts simulated
// cycles through clock events, not per instruction: the value is computed from clock.now
// and a callback is scheduled for the next time the counter reaches zero.

import type { TimerEvent } from '../clock.js';
import type { Cpu } from '../cpu/cpu.js';

const CSR_ENABLE = 1;
const CSR_TICKINT = 2;
const CSR_CLKSOURCE = 4;
const CSR_COUNTFLAG = 1 << 16;

export class SysTick {
  /** Core cycles per reference clock tick (CLKSOURCE=0). Boards set it (MPS2: 25 MHz / 1 MHz = 25). */
  refDivider = 1;
  /** SYST_CALIB as read; boards may set it. */
  calib = 0;

  private csr = 0;
  private rvr = 0;
  // While counting: the counter held `v0` at cycle `t0` (tick aligned).
  private t0 = 0;
  private v0 = 0;
  private event: TimerEvent | undefined;

  constructor(private readonly cpu: Cpu) {
    this.calib = (1 << 30) | (Math.max(0, Math.floor(cpu.clock.hz / 100) - 1) & 0xffffff); // SKEW, TENMS
  }

  reset(): void {
    this.cpu.clock.cancel(this.event);
    this.event = undefined;
    this.csr = 0;
    this.rvr = 0; // UNKNOWN on reset; QEMU starts at 0
    this.v0 = 0;
    this.t0 = this.cpu.clock.now;
  }

  private get running(): boolean {
    return (this.csr & CSR_ENABLE) !== 0;
  }

  private get cyclesPerTick(): number {
    return this.csr & CSR_CLKSOURCE ? 1 : Math.max(1, this.refDivider);
  }

  /** Ticks since t0. */
  private ticks(): number {
    return Math.floor((this.cpu.clock.now - this.t0) / this.cyclesPerTick);
  }

  /** The counter value k ticks after t0: v0 down to 0, then RVR down to 0 over and over. */
  private valueAt(k: number): number {
    if (k <= this.v0) return this.v0 - k;
    if (this.rvr === 0) return 0;
    return this.rvr - ((k - this.v0 - 1) % (this.rvr + 1));
  }

  /** The next tick (> k) at which the counter reaches 0 from a non-zero value, or -1. */
  private nextZeroAfter(k: number): number {
    if (this.v0 > 0 && k < this.v0) return this.v0;
    if (this.rvr === 0) return -1;
    const period = this.rvr + 1;
    const j = Math.floor((k - this.v0) / period) + 1;
    return this.v0 + j * period;
  }

  get current(): number {
    return this.running ? this.valueAt(this.ticks()) : this.v0;
  }

  /** Re-base the count at now (after a register write), keeping the current value. */
  private rebase(value = this.current): void {
    const k = this.running ? this.ticks() : 0;
    this.t0 = this.running ? this.t0 + k * this.cyclesPerTick : this.cpu.clock.now;
    this.v0 = value;
    this.schedule();
  }

  private schedule(): void {
    const clock = this.cpu.clock;
    clock.cancel(this.event);
    this.event = undefined;
    if (!this.running) return;
    const z = this.nextZeroAfter(this.ticks());
    if (z < 0) return;
    this.event = clock.at(this.t0 + z * this.cyclesPerTick, () => this.wrapped());
  }

  private wrapped(): void {
    this.event = undefined;
    this.csr |= CSR_COUNTFLAG;
    if (this.csr & CSR_TICKINT) this.cpu.nvic.setPending(15);
    this.schedule();
  }

  read(reg: number): number {
    switch (reg) {
      case 0: {
        const v = this.csr;
        this.csr &= ~CSR_COUNTFLAG; // COUNTFLAG clears on read
        return v >>> 0;
      }
      case 4: return this.rvr;
      case 8: return this.current;
      case 12: return this.calib >>> 0;
    }
    return 0;
  }

  write(reg: number, v: number): void {
    switch (reg) {
      case 0: {
        const cur = this.current;
        const wasRunning = this.running;
        if (wasRunning) this.rebase(cur);
        this.csr = (this.csr & CSR_COUNTFLAG) | (v & 7);
        if (!this.running) {
          this.v0 = cur;
          this.cpu.clock.cancel(this.event);
          this.event = undefined;
        } else if (!wasRunning) {
          this.t0 = this.cpu.clock.now;
          this.v0 = cur;
          this.schedule();
        } else this.schedule();
        return;
      }
      case 4:
        if (this.running) this.rebase();
        this.rvr = v & 0xffffff;
        this.schedule();
        return;
      case 8:
        // any write clears the counter and COUNTFLAG; the next tick reloads from RVR
        this.csr &= ~CSR_COUNTFLAG;
        if (this.running) {
          this.t0 = this.cpu.clock.now;
          this.v0 = 0;
          this.schedule();
        } else this.v0 = 0;
        return;
    }
  }
}
