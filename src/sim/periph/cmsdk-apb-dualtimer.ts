// The ARM CMSDK APB dual-input timer (CMSDK TRM DDI0479C, an SP804 derivative):
// two down-counters with LOAD, VALUE, CONTROL, INTCLR, RIS, MIS and BGLOAD, and
// one combined interrupt. CONTROL: ONESHOT (bit 0), SIZE 32-bit (bit 1),
// PRESCALE /1 /16 /256 (bits 3:2), INTEN (bit 5), MODE periodic (bit 6), ENABLE
// (bit 7); reset value 0x20. Free-running mode wraps to the maximum count,
// periodic mode reloads from LOAD, one-shot mode stops at 0. Like the CMSDK timer,
// a counter reaches 0 after VALUE ticks and restarts one tick later.
// VALUE is computed from simulated time; a clock event is scheduled only for
// the next interrupt while it is enabled.
import type { Device, AccessSize } from '../bus.js';
import type { Clock, TimerEvent } from '../clock.js';
import { readIdRegister } from './peripheral-id.js';
import { noIrq, type IrqLine } from './irq-line.js';

const LOAD = 0x00, VALUE = 0x04, CONTROL = 0x08, INTCLR = 0x0c, RIS = 0x10, MIS = 0x14, BGLOAD = 0x18;
const ONESHOT = 1, SIZE32 = 2, INTEN = 0x20, PERIODIC = 0x40, ENABLE = 0x80;
const IDS = [0x04, 0, 0, 0, 0x23, 0xb8, 0x1b, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

class DualTimerCounter {
  load = 0;
  control = INTEN;
  ris = 0;
  private running = false;
  private v0 = 0xffffffff;
  private t0 = 0;
  private event: TimerEvent | undefined;

  constructor(private readonly clock: Clock, private readonly changed: () => void) {}

  reset(): void {
    this.load = 0;
    this.control = INTEN;
    this.ris = 0;
    this.running = false;
    this.v0 = 0xffffffff;
    this.clock.cancel(this.event);
    this.event = undefined;
  }

  private max(): number {
    return this.control & SIZE32 ? 0xffffffff : 0xffff;
  }

  private prescale(): number {
    return [1, 16, 256, 256][(this.control >> 2) & 3];
  }

  /** The value the counter restarts from after reaching 0, or -1 for one-shot (stops). */
  private restart(): number {
    if (this.control & ONESHOT) return -1;
    return this.control & PERIODIC ? this.load : this.max();
  }

  value(): number {
    if (!this.running) return this.v0;
    const e = Math.floor((this.clock.now - this.t0) / this.prescale());
    if (this.v0 > 0 && e < this.v0) return this.v0 - e;
    const r = this.restart();
    if (r <= 0) return 0;
    const period = r + 1;
    const since = this.v0 > 0 ? e - this.v0 : e;
    const pos = since % period;
    return pos === 0 ? 0 : period - pos;
  }

  private rebase(): void {
    const p = this.prescale();
    this.v0 = this.value();
    this.t0 = this.clock.now - ((this.clock.now - this.t0) % p);
    if (this.running && this.v0 === 0 && this.restart() <= 0) this.running = false;
  }

  private schedule(): void {
    this.clock.cancel(this.event);
    this.event = undefined;
    if (!this.running) return;
    let ticks = this.v0;
    if (ticks === 0) {
      const r = this.restart();
      if (r <= 0) return;
      ticks = r + 1;
    }
    this.event = this.clock.at(this.t0 + ticks * this.prescale(), () => {
      this.event = undefined;
      this.rebase();
      this.ris = 1;
      this.changed();
      this.schedule();
    });
  }

  /** Apply a register change at the current time. */
  update(change: () => void): void {
    this.rebase();
    change();
    this.v0 = Math.min(this.v0, this.max()) >>> 0;
    this.running = (this.control & ENABLE) !== 0 && !(this.v0 === 0 && this.restart() <= 0);
    this.t0 = this.clock.now;
    this.schedule();
  }

  setValue(v: number): void {
    this.v0 = v >>> 0;
  }
}

export class CmsdkApbDualTimer implements Device {
  private readonly timers: DualTimerCounter[];
  private itcr = 0;
  private itop = 0;

  constructor(readonly name: string, clock: Clock, private readonly irq: IrqLine = noIrq) {
    this.timers = [new DualTimerCounter(clock, () => this.updateIrq()), new DualTimerCounter(clock, () => this.updateIrq())];
  }

  reset(): void {
    for (const t of this.timers) t.reset();
    this.itcr = this.itop = 0;
    this.updateIrq();
  }

  private mis(t: DualTimerCounter): number {
    return t.ris & (t.control & INTEN ? 1 : 0);
  }

  private updateIrq(): void {
    const level = this.itcr & 1 ? (this.itop & 3) !== 0 : this.timers.some((t) => this.mis(t) !== 0);
    this.irq(level);
  }

  read(offset: number, _size: AccessSize): number {
    if (offset < 0x40) {
      const t = this.timers[offset >> 5];
      switch (offset & 0x1f) {
        case LOAD: case BGLOAD: return t.load >>> 0;
        case VALUE: return t.value() >>> 0;
        case CONTROL: return t.control;
        case RIS: return t.ris;
        case MIS: return this.mis(t);
        default: return 0;
      }
    }
    if (offset === 0xf00) return this.itcr;
    return readIdRegister(offset, IDS) ?? 0;
  }

  write(offset: number, _size: AccessSize, value: number): void {
    value >>>= 0;
    if (offset < 0x40) {
      const t = this.timers[offset >> 5];
      switch (offset & 0x1f) {
        case LOAD: // also restarts the count from the new value
          t.update(() => {
            t.load = value;
            t.setValue(value);
          });
          break;
        case BGLOAD:
          t.update(() => (t.load = value));
          break;
        case CONTROL:
          t.update(() => (t.control = value & 0xef));
          break;
        case INTCLR:
          t.ris = 0;
          break;
        default:
          return;
      }
      this.updateIrq();
      return;
    }
    if (offset === 0xf00) this.itcr = value & 1;
    else if (offset === 0xf04) this.itop = value & 3;
    this.updateIrq();
  }
}
