// STM32 GPIO port (RM0433 "General-purpose I/Os"): MODER, OTYPER, OSPEEDR, PUPDR, IDR,
// ODR, BSRR, LCKR (stored; the lock key sequence is not modelled), AFRL/AFRH. A pin configured as output drives its ODR bit; IDR reads
// the pin: the driven level for outputs, otherwise what the board connects (`inputs`),
// else the pull-up/down, else low. The host learns of pin changes through `onChange`.
import type { AccessSize, Device } from '../../bus.js';
import { laneMerge, laneRead } from './regfile.js';

export interface GpioResetValues {
  moder: number;
  ospeedr: number;
  pupdr: number;
}

/** Reset values per port (RM0433: ports A and B carry the debug pins). */
export function gpioResetValues(port: number): GpioResetValues {
  if (port === 0) return { moder: 0xabffffff, ospeedr: 0x0c000000, pupdr: 0x64000000 };
  if (port === 1) return { moder: 0xfffffebf, ospeedr: 0x000000c0, pupdr: 0x00000100 };
  return { moder: 0xffffffff, ospeedr: 0, pupdr: 0 };
}

export class Stm32Gpio implements Device {
  moder = 0;
  otyper = 0;
  ospeedr = 0;
  pupdr = 0;
  odr = 0;
  lckr = 0;
  afrl = 0;
  afrh = 0;
  /** External levels driven onto pins by the board (bit set: high); undefined bits float. */
  inputs = 0;
  inputMask = 0;
  /** Called with the pin and its new level whenever a pin's level changes. */
  onChange: ((pin: number, level: boolean) => void) | null = null;
  private lastPins = 0;

  constructor(readonly name: string, readonly port: number) {
    this.reset();
  }

  reset(): void {
    const r = gpioResetValues(this.port);
    this.moder = r.moder;
    this.ospeedr = r.ospeedr;
    this.pupdr = r.pupdr;
    this.otyper = this.odr = this.lckr = this.afrl = this.afrh = 0;
    this.lastPins = this.pins();
    this.notify();
  }

  /** Pins in output mode (MODER = 01). */
  get outputMask(): number {
    let m = 0;
    for (let p = 0; p < 16; p++) if (((this.moder >>> (2 * p)) & 3) === 1) m |= 1 << p;
    return m;
  }

  /** The level of every pin as IDR reads it. */
  pins(): number {
    const out = this.outputMask;
    let v = this.odr & out;
    for (let p = 0; p < 16; p++) {
      const bit = 1 << p;
      if (out & bit) continue;
      if (this.inputMask & bit) v |= this.inputs & bit;
      else if (((this.pupdr >>> (2 * p)) & 3) === 1) v |= bit; // pull-up
    }
    return v & 0xffff;
  }

  /** Drive an input pin from outside (a button); undefined releases it. */
  setInput(pin: number, level: boolean | undefined): void {
    const bit = 1 << pin;
    if (level === undefined) this.inputMask &= ~bit;
    else {
      this.inputMask |= bit;
      this.inputs = level ? this.inputs | bit : this.inputs & ~bit;
    }
    this.notify();
  }

  read(offset: number, size: AccessSize): number {
    const reg = offset & ~3;
    let v = 0;
    switch (reg) {
      case 0x00: v = this.moder; break;
      case 0x04: v = this.otyper; break;
      case 0x08: v = this.ospeedr; break;
      case 0x0c: v = this.pupdr; break;
      case 0x10: v = this.pins(); break;
      case 0x14: v = this.odr; break;
      case 0x18: v = 0; break; // BSRR is write-only
      case 0x1c: v = this.lckr; break;
      case 0x20: v = this.afrl; break;
      case 0x24: v = this.afrh; break;
    }
    return laneRead(v, offset, size);
  }

  write(offset: number, size: AccessSize, value: number): void {
    const reg = offset & ~3;
    switch (reg) {
      case 0x00: this.moder = laneMerge(this.moder, offset, size, value); break;
      case 0x04: this.otyper = laneMerge(this.otyper, offset, size, value) & 0xffff; break;
      case 0x08: this.ospeedr = laneMerge(this.ospeedr, offset, size, value); break;
      case 0x0c: this.pupdr = laneMerge(this.pupdr, offset, size, value); break;
      case 0x14: this.odr = laneMerge(this.odr, offset, size, value) & 0xffff; break;
      case 0x18: {
        // BSRR: bits 0-15 set, bits 16-31 reset; set wins when both are written.
        const v = laneMerge(0, offset, size, value);
        this.odr = ((this.odr & ~(v >>> 16)) | (v & 0xffff)) & 0xffff;
        break;
      }
      case 0x1c: this.lckr = laneMerge(this.lckr, offset, size, value) & 0x1ffff; break;
      case 0x20: this.afrl = laneMerge(this.afrl, offset, size, value); break;
      case 0x24: this.afrh = laneMerge(this.afrh, offset, size, value); break;
      default: return;
    }
    this.notify();
  }

  private notify(): void {
    const now = this.pins();
    const changed = now ^ this.lastPins;
    this.lastPins = now;
    if (!changed || !this.onChange) return;
    for (let p = 0; p < 16; p++) if (changed & (1 << p)) this.onChange(p, (now & (1 << p)) !== 0);
  }
}
