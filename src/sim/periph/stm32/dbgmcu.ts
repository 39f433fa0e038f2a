// The STM32H7 microcontroller debug unit (RM0433 "DBGMCU"): IDCODE (REV_ID, DEV_ID),
// CR (debug in low-power modes, debug clock enables, trace clock) and the peripheral
// freeze registers. The same registers answer at 0x5C001000 on the system bus and at
// 0xE00E1000 on the debug APB (AP2).
import type { AccessSize, Device } from '../../bus.js';
import { laneMerge, laneRead } from './regfile.js';

/** DEV_ID of the STM32H742/743/750/753. */
export const STM32H7_DEV_ID = 0x450;
/** REV_ID of silicon revision V (0x1001 Z, 0x1003 Y, 0x2001 X, 0x2003 V). */
export const STM32H7_REV_V = 0x2003;

export const DBGMCU_REG = { IDC: 0x00, CR: 0x04, APB3FZ1: 0x34, APB1LFZ1: 0x3c, APB1HFZ1: 0x44, APB2FZ1: 0x4c, APB4FZ1: 0x54 } as const;

/** CR bits that exist: DBGSLEEP/STOP/STANDBY_D1 (0-2), D2 (3-5), D3 (7-8), TRACECLKEN (20), D1DBGCKEN (21), D3DBGCKEN (22), TRGOEN (28). */
const CR_MASK = 0x1070_01bf;

export class Stm32Dbgmcu implements Device {
  cr = 0;
  private readonly freeze = new Map<number, number>();

  /** IDCODE: REV_ID in [31:16], DEV_ID in [11:0]; the reserved bits [15:12] read 0x6 on silicon (e.g. 0x10036450 on revision Y). */
  constructor(readonly idcode: number = ((STM32H7_REV_V << 16) | 0x6000 | STM32H7_DEV_ID) >>> 0) {}

  reset(): void {
    // DBGMCU is reset by the power-on reset only; a system reset keeps it (RM0433).
  }

  read(offset: number, size: AccessSize): number {
    const reg = offset & ~3;
    let v = 0;
    if (reg === DBGMCU_REG.IDC) v = this.idcode;
    else if (reg === DBGMCU_REG.CR) v = this.cr;
    else v = this.freeze.get(reg) ?? 0;
    return laneRead(v, offset, size);
  }

  write(offset: number, size: AccessSize, value: number): void {
    const reg = offset & ~3;
    if (reg === DBGMCU_REG.IDC) return;
    if (reg === DBGMCU_REG.CR) {
      this.cr = (laneMerge(this.cr, offset, size, value) & CR_MASK) >>> 0;
      return;
    }
    if (reg >= 0x34 && reg <= 0x58) this.freeze.set(reg, laneMerge(this.freeze.get(reg) ?? 0, offset, size, value));
  }
}
