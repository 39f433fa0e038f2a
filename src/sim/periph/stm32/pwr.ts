// STM32H7 power control (RM0433 "Power control (PWR)"), the parts start-up code waits
// on: CR3 (supply configuration: LDOEN, BYPASS, SCUEN), CSR1.ACTVOSRDY/ACTVOS, and
// D3CR.VOS (voltage scale) with VOSRDY. The ready flags follow a write after a short
// simulated delay (`delayCycles`), so code that polls them sees them low first.
import type { AccessSize, Device } from '../../bus.js';
import type { Clock, TimerEvent } from '../../clock.js';
import { laneMerge, laneRead } from './regfile.js';

export const PWR_REG = { CR1: 0x00, CSR1: 0x04, CR2: 0x08, CR3: 0x0c, CPUCR: 0x10, D3CR: 0x18, WKUPCR: 0x20, WKUPFR: 0x24, WKUPEPR: 0x28 } as const;
export const PWR_CSR1_ACTVOSRDY = 1 << 13;
export const PWR_D3CR_VOSRDY = 1 << 13;
export const PWR_VOS_SHIFT = 14;

export class Stm32h7Pwr implements Device {
  cr1 = 0;
  cr2 = 0;
  cr3 = 0;
  cpucr = 0;
  /** VOS as written (1 = scale 3 at reset, 3 = scale 1). */
  vos = 1;
  /** VOS in force (CSR1.ACTVOS). */
  actvos = 1;
  vosRdy = true;
  actVosRdy = false;
  private wkup = [0, 0, 0];
  private pendingEv: TimerEvent | undefined;

  constructor(private readonly clock: Clock, readonly delayCycles = 200) {
    this.reset();
  }

  reset(): void {
    this.cr1 = 0xf000c000;
    this.cr2 = 0;
    this.cr3 = 0x00000006; // SCUEN, LDOEN
    this.cpucr = 0;
    this.vos = this.actvos = 1;
    this.vosRdy = true;
    this.actVosRdy = false; // until the supply configuration is written
    this.wkup = [0, 0, 0];
    this.clock.cancel(this.pendingEv);
    this.pendingEv = undefined;
  }

  private later(fn: () => void): void {
    this.clock.cancel(this.pendingEv);
    this.pendingEv = this.clock.after(this.delayCycles, fn);
  }

  read(offset: number, size: AccessSize): number {
    const reg = offset & ~3;
    let v = 0;
    switch (reg) {
      case PWR_REG.CR1: v = this.cr1; break;
      case PWR_REG.CSR1: v = (this.actvos << PWR_VOS_SHIFT) | (this.actVosRdy ? PWR_CSR1_ACTVOSRDY : 0); break;
      case PWR_REG.CR2: v = this.cr2; break;
      case PWR_REG.CR3: v = this.cr3; break;
      case PWR_REG.CPUCR: v = this.cpucr; break;
      case PWR_REG.D3CR: v = (this.vos << PWR_VOS_SHIFT) | (this.vosRdy ? PWR_D3CR_VOSRDY : 0); break;
      case PWR_REG.WKUPCR: v = this.wkup[0]; break;
      case PWR_REG.WKUPFR: v = this.wkup[1]; break;
      case PWR_REG.WKUPEPR: v = this.wkup[2]; break;
    }
    return laneRead(v, offset, size);
  }

  write(offset: number, size: AccessSize, value: number): void {
    const reg = offset & ~3;
    switch (reg) {
      case PWR_REG.CR1: this.cr1 = laneMerge(this.cr1, offset, size, value); return;
      case PWR_REG.CR2: this.cr2 = laneMerge(this.cr2, offset, size, value); return;
      case PWR_REG.CR3: {
        // The supply configuration (LDOEN, BYPASS, SCUEN) is accepted once after reset.
        const v = laneMerge(this.cr3, offset, size, value);
        const supply = 0x7;
        this.cr3 = this.cr3 & 0x4 ? v : ((this.cr3 & supply) | (v & ~supply)) >>> 0;
        this.cr3 &= ~0x4; // SCUEN clears once written
        this.actVosRdy = false;
        this.later(() => {
          this.actVosRdy = true;
          this.actvos = this.vos;
        });
        return;
      }
      case PWR_REG.CPUCR: this.cpucr = laneMerge(this.cpucr, offset, size, value); return;
      case PWR_REG.D3CR: {
        const v = laneMerge(this.read(PWR_REG.D3CR, 4), offset, size, value);
        this.vos = (v >>> PWR_VOS_SHIFT) & 3;
        this.vosRdy = false;
        this.later(() => {
          this.vosRdy = true;
          this.actvos = this.vos;
          this.actVosRdy = true;
        });
        return;
      }
      case PWR_REG.WKUPCR: this.wkup[0] = laneMerge(this.wkup[0], offset, size, value); return;
      case PWR_REG.WKUPEPR: this.wkup[2] = laneMerge(this.wkup[2], offset, size, value); return;
    }
  }
}
