// The MPS2 FPGA's Serial Communication Controller block (0x4002F000): board
// configuration registers and the identification words firmware reads to know
// which FPGA image it runs on. Values as QEMU 7.2 resets them.
import type { Device, AccessSize } from '../bus.js';

const CFG0 = 0x000, CFG1 = 0x004, CFG3 = 0x00c, CFG4 = 0x010;
const CFGDATA_RTN = 0x0a0, CFGDATA_OUT = 0x0a4, CFGCTRL = 0x0a8, CFGSTAT = 0x0ac;
const DLL = 0x100, AID = 0xff8, ID = 0xffc;

export class Mps2Scc implements Device {
  private regs = new Map<number, number>();

  /** `id`: SCC ID, e.g. 0x41043850 for AN385. */
  constructor(readonly name: string, private readonly id: number, private readonly aid = 0x00200008, private readonly cfg4 = 0x2) {
    this.reset();
  }

  reset(): void {
    this.regs = new Map([
      [CFG0, 0], [CFG1, 0], [CFG3, 0], [CFGDATA_RTN, 0], [CFGDATA_OUT, 0],
      [CFGCTRL, 0x00100000], [CFGSTAT, 0], [DLL, 0xffff0001],
    ]);
  }

  read(offset: number, _size: AccessSize): number {
    const o = offset & ~3;
    if (o === ID) return this.id >>> 0;
    if (o === AID) return this.aid >>> 0;
    if (o === CFG4) return this.cfg4;
    return (this.regs.get(o) ?? 0) >>> 0;
  }

  write(offset: number, _size: AccessSize, value: number): void {
    const o = offset & ~3;
    if (o === CFGCTRL) {
      this.regs.set(o, value >>> 0);
      // A configuration transfer (START, bit 31) completes at once: CFGSTAT.DONE.
      if (value & 0x80000000) this.regs.set(CFGSTAT, 1);
      return;
    }
    if (o === CFGSTAT || o === ID || o === AID || o === CFG4 || o === DLL) return; // read-only here
    if (this.regs.has(o)) this.regs.set(o, value >>> 0);
  }
}
