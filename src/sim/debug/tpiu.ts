// The TPIU at 0xE0040000 (ARMv7-M ARM C1.10): the registers a host sets up for SWO
// (port size, prescaler, protocol, formatter). The pin itself (pacing, protocol, the
// bytes) is SwoPin (swo-pin.ts), which reads these registers as each byte starts.
// The same block, with its own part number, stands for TPIU-like SWO units elsewhere:
// the STM32H7's CoreSight SWO (part 0x914) on the debug APB, whose CODR, SPPR and FFCR
// sit where a TPIU's ACPR, SPPR and FFCR do.
import type { AccessSize, Device } from '../bus.js';
import { armPid, CS_CLASS } from '../../arch/coresight.js';
import { readIdRegister, type ComponentIdentity } from './component-id.js';

export class TpiuUnit implements Device {
  cspsr = 1;
  acpr = 0;
  sppr = 1; // SWO Manchester after reset
  ffcr = 0x102;
  readonly identity: ComponentIdentity;

  /** `part`: the Arm part number in PIDR (0x923 the Cortex-M3 TPIU, 0x914 the CoreSight SWO, ...); DEVTYPE 0x11 (trace port). */
  constructor(part: number) {
    this.identity = { cls: CS_CLASS.CORESIGHT, pid: armPid(part, 0), devtype: 0x11 };
  }

  reset(): void {
    this.cspsr = 1;
    this.acpr = 0;
    this.sppr = 1;
    this.ffcr = 0x102;
  }

  read(offset: number, size: AccessSize): number {
    const word = offset & ~3;
    let v: number;
    switch (word) {
      case 0x000: v = 0xf; break; // SSPSR: port widths 1-4
      case 0x004: v = this.cspsr; break;
      case 0x010: v = this.acpr; break;
      case 0x0f0: v = this.sppr; break;
      case 0x300: v = 0x8; break; // FFSR: FtNonStop
      case 0x304: v = this.ffcr; break;
      case 0xfc8: v = 0xca0; break; // TYPE: NRZ and Manchester valid, FIFO size 4
      default: v = readIdRegister(this.identity, word) ?? 0;
    }
    return size === 4 ? v >>> 0 : (v >>> ((offset & 3) * 8)) & (size === 1 ? 0xff : 0xffff);
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (size !== 4) return;
    switch (offset) {
      case 0x004: this.cspsr = value >>> 0; break;
      case 0x010: this.acpr = value & 0x1fff; break;
      case 0x0f0: this.sppr = value & 3; break;
      case 0x304: this.ffcr = value & 0x103; break;
    }
  }
}
