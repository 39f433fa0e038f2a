// The ARM CMSDK APB timer (CMSDK TRM DDI0479C): a 32-bit down-counter clocked by
// PCLK, reloading from RELOAD, with one interrupt.
// Counting follows QEMU 7.2's model: from VALUE v the counter reaches 0 after v
// ticks and raises the interrupt (only if CTRL.IRQEN at that moment), sits at 0 for
// one tick, then restarts from RELOAD, so the period is RELOAD + 1 ticks. Writing
// RELOAD also sets VALUE. RELOAD = 0 makes it stop at 0 (one shot). EXTIN (CTRL
// bits 1-2) is not connected on MPS2, so it is not modelled either.
//
// The count is not ticked cycle by cycle: VALUE is computed from the clock when
// read, and a clock event is scheduled only for the next interrupt.
import type { Device, AccessSize } from '../bus.js';
import type { Clock, TimerEvent } from '../clock.js';
import { cmsdkIds, readIdRegister } from './peripheral-id.js';
import { noIrq, type IrqLine } from './irq-line.js';

const CTRL = 0x00, VALUE = 0x04, RELOAD = 0x08, INTSTATUS = 0x0c;
const EN = 1, IRQEN = 8;
const IDS = cmsdkIds(0x22);

export class CmsdkApbTimer implements Device {
  private ctrl = 0;
  private reload = 0;
  private intstatus = 0;
  private running = false;
  /** VALUE at cycle t0 (while running), or the frozen VALUE (while stopped). */
  private v0 = 0;
  private t0 = 0;
  private event: TimerEvent | undefined;

  /** `cyclesPerTick`: core cycles per PCLK tick (1 on MPS2, where PCLK = the core clock). */
  constructor(readonly name: string, private readonly clock: Clock, private readonly irq: IrqLine = noIrq, private readonly cyclesPerTick = 1) {}

  reset(): void {
    this.ctrl = this.reload = this.intstatus = this.v0 = 0;
    this.running = false;
    this.reschedule();
    this.irq(false);
  }

  private ticks(): number {
    return Math.floor((this.clock.now - this.t0) / this.cyclesPerTick);
  }

  /** The counter now, and whether it has stopped for good (one shot done). */
  private current(): number {
    if (!this.running) return this.v0;
    const e = this.ticks();
    if (this.v0 > 0 && e < this.v0) return this.v0 - e;
    if (this.reload === 0) return 0;
    const period = this.reload + 1;
    const since = this.v0 > 0 ? e - this.v0 : e + period; // v0 = 0: as if it had just reached 0
    const pos = since % period;
    return pos === 0 ? 0 : period - pos;
  }

  /** Re-base the running count at `now` (before any register change). */
  private rebase(): void {
    this.v0 = this.current();
    this.t0 = this.clock.now - ((this.clock.now - this.t0) % this.cyclesPerTick);
    if (this.running && this.v0 === 0 && this.reload === 0) this.running = false;
  }

  private reschedule(): void {
    this.clock.cancel(this.event);
    this.event = undefined;
    if (!this.running || !(this.ctrl & IRQEN)) return;
    const ticksToZero = this.v0 > 0 ? this.v0 : this.reload + 1;
    if (this.v0 === 0 && this.reload === 0) return;
    this.event = this.clock.at(this.t0 + ticksToZero * this.cyclesPerTick, () => this.expire());
  }

  private expire(): void {
    this.event = undefined;
    this.rebase(); // now exactly at 0
    if (this.ctrl & IRQEN) {
      this.intstatus = 1;
      this.irq(true);
    }
    this.reschedule();
  }

  private start(): void {
    this.running = (this.ctrl & EN) !== 0 && !(this.v0 === 0 && this.reload === 0);
    this.t0 = this.clock.now;
  }

  read(offset: number, _size: AccessSize): number {
    switch (offset) {
      case CTRL: return this.ctrl;
      case VALUE: return this.current() >>> 0;
      case RELOAD: return this.reload >>> 0;
      case INTSTATUS: return this.intstatus;
      default: return readIdRegister(offset, IDS) ?? 0;
    }
  }

  write(offset: number, _size: AccessSize, value: number): void {
    value >>>= 0;
    switch (offset) {
      case CTRL:
        this.rebase();
        this.ctrl = value & 0xf;
        this.start();
        break;
      case RELOAD: // also loads the counter
        this.rebase();
        this.reload = value;
        this.v0 = value;
        this.start();
        break;
      case VALUE:
        this.rebase();
        this.v0 = value;
        this.start();
        break;
      case INTSTATUS: // INTCLEAR
        this.intstatus &= ~(value & 1);
        this.irq(this.intstatus !== 0);
        return;
      default:
        return;
    }
    this.reschedule();
  }
}
