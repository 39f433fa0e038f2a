// The MPS2 FPGA system control block (0x40028000): user LEDs, push buttons,
// free-running 1 Hz / 100 Hz counters and a prescaled cycle counter. The
// counters are computed from simulated time when read, so they cost nothing
// while nobody looks.
import type { Device, AccessSize } from '../bus.js';
import type { Clock } from '../clock.js';

const LED0 = 0x00, BUTTON = 0x08, CLK1HZ = 0x10, CLK100HZ = 0x14, COUNTER = 0x18;
const PRESCALE = 0x1c, PSCNTR = 0x20, MISC = 0x4c;

export class Mps2FpgaIo implements Device {
  /** Called when the firmware changes the LEDs (bit n = LED n on). */
  onLeds: ((leds: number) => void) | null = null;
  /** Push-button state as the host sets it (bit n = button n pressed). */
  buttons = 0;

  private leds = 0;
  private misc = 0;
  private prescale = 0;
  private base = 0; // cycle at which the 1 Hz / 100 Hz counters were last zero
  private counter0 = 0; // COUNTER at cycle counterT0
  private counterT0 = 0;
  private pscntr0 = 0; // PSCNTR at counterT0

  constructor(readonly name: string, private readonly clock: Clock, private readonly ledCount = 2) {}

  reset(): void {
    this.leds = this.misc = this.prescale = 0;
    this.base = this.clock.now;
    this.counter0 = this.pscntr0 = 0;
    this.counterT0 = this.clock.now;
  }

  // PSCNTR counts down every cycle and reloads from PRESCALE after 0; COUNTER
  // counts up each time PSCNTR wraps.
  private counters(): { counter: number; pscntr: number } {
    const e = this.clock.now - this.counterT0;
    const period = this.prescale + 1;
    if (e <= this.pscntr0) return { counter: this.counter0, pscntr: this.pscntr0 - e };
    const after = e - this.pscntr0 - 1; // cycles after the first wrap
    return {
      counter: (this.counter0 + 1 + Math.floor(after / period)) >>> 0,
      pscntr: this.prescale - (after % period),
    };
  }

  read(offset: number, _size: AccessSize): number {
    const hz = this.clock.hz;
    switch (offset & ~3) {
      case LED0: return this.leds;
      case BUTTON: return this.buttons & 3;
      case CLK1HZ: return Math.floor((this.clock.now - this.base) / hz) >>> 0;
      case CLK100HZ: return Math.floor(((this.clock.now - this.base) * 100) / hz) >>> 0;
      case COUNTER: return this.counters().counter;
      case PRESCALE: return this.prescale >>> 0;
      case PSCNTR: return this.counters().pscntr >>> 0;
      case MISC: return this.misc >>> 0;
      default: return 0;
    }
  }

  write(offset: number, _size: AccessSize, value: number): void {
    switch (offset & ~3) {
      case LED0: {
        const leds = value & ((1 << this.ledCount) - 1);
        if (leds !== this.leds) {
          this.leds = leds;
          this.onLeds?.(leds);
        }
        return;
      }
      case PRESCALE:
      case COUNTER:
      case PSCNTR: {
        const { counter, pscntr } = this.counters();
        this.counter0 = counter;
        this.pscntr0 = pscntr;
        this.counterT0 = this.clock.now;
        if ((offset & ~3) === PRESCALE) this.prescale = value >>> 0;
        if ((offset & ~3) === COUNTER) this.counter0 = value >>> 0;
        if ((offset & ~3) === PSCNTR) this.pscntr0 = value >>> 0;
        return;
      }
      case MISC:
        this.misc = value >>> 0;
        return;
      default:
        return;
    }
  }
}
