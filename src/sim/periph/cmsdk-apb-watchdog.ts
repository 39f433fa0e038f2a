// The ARM CMSDK APB watchdog (CMSDK TRM DDI0479C; an SP805 derivative): a
// down-counter that runs while CONTROL.INTEN is set. Reaching 0 the first time
// raises the interrupt (NMI on MPS2) and reloads; reaching 0 again with the
// interrupt still uncleared resets the system if CONTROL.RESEN is set. Writing
// WDOGINTCLR clears the interrupt and reloads. Registers are write-protected
// unless 0x1ACCE551 was written to WDOGLOCK.
import type { Device, AccessSize } from '../bus.js';
import type { Clock, TimerEvent } from '../clock.js';
import { readIdRegister } from './peripheral-id.js';
import { noIrq, type IrqLine } from './irq-line.js';

const LOAD = 0x000, VALUE = 0x004, CONTROL = 0x008, INTCLR = 0x00c, RIS = 0x010, MIS = 0x014;
const LOCK = 0xc00, ITCR = 0xf00, ITOP = 0xf04;
const INTEN = 1, RESEN = 2;
const UNLOCK_KEY = 0x1acce551;
const IDS = [0x04, 0, 0, 0, 0x24, 0xb8, 0x1b, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

export class CmsdkApbWatchdog implements Device {
  /** Called when the watchdog resets the system (the board performs a system reset). */
  onReset: (() => void) | null = null;

  private load = 0xffffffff;
  private control = 0;
  private ris = 0;
  private locked = false;
  private itcr = 0;
  private itop = 0;
  private v0 = 0xffffffff; // counter at t0 (running) or frozen value
  private t0 = 0;
  private event: TimerEvent | undefined;

  constructor(readonly name: string, private readonly clock: Clock, private readonly irq: IrqLine = noIrq) {}

  reset(): void {
    this.load = this.v0 = 0xffffffff;
    this.control = this.ris = this.itcr = this.itop = 0;
    this.locked = false;
    this.t0 = this.clock.now;
    this.schedule();
    this.updateIrq();
  }

  private get running(): boolean {
    return (this.control & INTEN) !== 0;
  }

  private value(): number {
    if (!this.running) return this.v0;
    const e = this.clock.now - this.t0;
    return e <= this.v0 ? this.v0 - e : this.v0; // an expiry event re-bases before going past 0
  }

  private restart(from: number): void {
    this.v0 = from >>> 0;
    this.t0 = this.clock.now;
    this.schedule();
  }

  private schedule(): void {
    this.clock.cancel(this.event);
    this.event = undefined;
    if (!this.running) return;
    this.event = this.clock.at(this.t0 + this.v0, () => this.expire());
  }

  private expire(): void {
    this.event = undefined;
    if (this.ris && this.control & RESEN) {
      this.onReset?.();
      return;
    }
    this.ris = 1;
    this.updateIrq();
    // Reload one tick later, as the CMSDK counters do.
    this.v0 = this.load;
    this.t0 = this.clock.now + 1;
    this.schedule();
  }

  private updateIrq(): void {
    this.irq(this.itcr ? (this.itop & 2) !== 0 : (this.ris & this.control & INTEN) !== 0);
  }

  read(offset: number, _size: AccessSize): number {
    switch (offset) {
      case LOAD: return this.load >>> 0;
      case VALUE: return this.value() >>> 0;
      case CONTROL: return this.control;
      case RIS: return this.ris;
      case MIS: return this.ris & this.control & INTEN;
      case LOCK: return this.locked ? 1 : 0;
      case ITCR: return this.itcr;
      default: return readIdRegister(offset, IDS) ?? 0;
    }
  }

  write(offset: number, _size: AccessSize, value: number): void {
    value >>>= 0;
    if (offset === LOCK) {
      this.locked = value !== UNLOCK_KEY;
      return;
    }
    if (this.locked) return;
    switch (offset) {
      case LOAD:
        this.load = value;
        this.restart(value);
        break;
      case CONTROL: {
        const was = this.running;
        this.v0 = this.value();
        this.control = value & 3;
        if (!was && this.running) this.restart(this.load); // enabling reloads
        else this.restart(this.v0);
        break;
      }
      case INTCLR:
        this.ris = 0;
        this.restart(this.load);
        break;
      case ITCR:
        this.itcr = value & 1;
        break;
      case ITOP:
        this.itop = value & 3;
        break;
      default:
        return;
    }
    this.updateIrq();
  }
}
