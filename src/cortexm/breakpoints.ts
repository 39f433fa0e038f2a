// Hardware breakpoints in the FPB (v1: Code region only, a comparator per word with the
// halfword in REPLACE; v2: any address) and software breakpoints (BKPT #0 written over
// the instruction, in RAM only).
import { FP_CTRL, FP_COMP_V1, fpCompAddress, fpNumCode, FPB_V1_CODE_LIMIT, FP_REPLACE } from '../arch/fpb.js';
import { hex32 } from '../arch/register.js';
import type { MemAccessPort } from '../adi/mem-ap.js';

export const BKPT_INSTRUCTION = 0xbe00;

export class BreakpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BreakpointError';
  }
}

export class Breakpoints {
  version = 1;
  numCode = 0;
  /** Comparator index -> the halfword addresses it breaks on. */
  private comps: (number[] | undefined)[] = [];
  /** Software breakpoints: address -> the instruction halfword it replaced. */
  readonly software = new Map<number, number>();

  constructor(private readonly mem: MemAccessPort) {}

  async init(): Promise<void> {
    const ctrl = await this.mem.read32(FP_CTRL.address);
    this.version = ((ctrl >>> 28) & 0xf) + 1;
    this.numCode = fpNumCode(ctrl);
    this.comps = new Array(this.numCode).fill(undefined);
    // Clear all comparators and enable the unit (KEY must be set for the write to count).
    const writes: [number, number][] = [];
    for (let i = 0; i < this.numCode; i++) writes.push([fpCompAddress(i), 0]);
    writes.push([FP_CTRL.address, FP_CTRL.fields.KEY.mask | FP_CTRL.fields.ENABLE.mask]);
    await this.mem.writeMany32(writes);
  }

  /** Can the FPB break at addr? */
  hardwareCanBreak(addr: number): boolean {
    return this.version >= 2 || addr < FPB_V1_CODE_LIMIT;
  }

  get hardwareInUse(): number[] {
    return this.comps.flatMap((c) => c ?? []);
  }

  hasHardware(addr: number): boolean {
    return this.comps.some((c) => c?.includes(addr >>> 0));
  }

  private compValue(addrs: number[]): number {
    if (this.version >= 2) return ((addrs[0] & ~1) | 1) >>> 0;
    const f = FP_COMP_V1.fields;
    let replace = 0;
    for (const a of addrs) replace |= a & 2 ? FP_REPLACE.BKPT_UPPER : FP_REPLACE.BKPT_LOWER;
    return ((replace << f.REPLACE.lsb) | (addrs[0] & f.COMP.mask) | 1) >>> 0;
  }

  async addHardware(addr: number): Promise<void> {
    addr = (addr & ~1) >>> 0;
    if (this.hasHardware(addr)) return;
    if (!this.hardwareCanBreak(addr)) throw new BreakpointError(`no hardware breakpoint possible at ${hex32(addr)}: FPB v1 only covers the Code region (below 0x20000000); use a software breakpoint`);
    let i = this.version < 2 ? this.comps.findIndex((c) => c !== undefined && ((c[0] ^ addr) & ~3) === 0) : -1;
    if (i < 0) i = this.comps.findIndex((c) => c === undefined);
    if (i < 0) throw new BreakpointError(`all ${this.numCode} FPB comparators are in use (breakpoints at ${this.hardwareInUse.map(hex32).join(', ')}); remove one or use a software breakpoint`);
    const addrs = [...(this.comps[i] ?? []), addr];
    this.comps[i] = addrs;
    await this.mem.write32(fpCompAddress(i), this.compValue(addrs));
  }

  async removeHardware(addr: number): Promise<boolean> {
    addr = (addr & ~1) >>> 0;
    const i = this.comps.findIndex((c) => c?.includes(addr));
    if (i < 0) return false;
    const rest = this.comps[i]!.filter((a) => a !== addr);
    this.comps[i] = rest.length ? rest : undefined;
    await this.mem.write32(fpCompAddress(i), rest.length ? this.compValue(rest) : 0);
    return true;
  }

  async addSoftware(addr: number): Promise<void> {
    addr = (addr & ~1) >>> 0;
    if (this.software.has(addr)) return;
    const orig = await this.mem.read16(addr);
    await this.mem.write16(addr, BKPT_INSTRUCTION);
    const back = await this.mem.read16(addr);
    if (back !== BKPT_INSTRUCTION) {
      throw new BreakpointError(`cannot set a software breakpoint at ${hex32(addr)}: the memory there is not writable by the debugger (flash or ROM); use a hardware breakpoint`);
    }
    this.software.set(addr, orig);
  }

  async removeSoftware(addr: number): Promise<boolean> {
    addr = (addr & ~1) >>> 0;
    const orig = this.software.get(addr);
    if (orig === undefined) return false;
    await this.mem.write16(addr, orig);
    this.software.delete(addr);
    return true;
  }

  /** Hardware when the FPB can, else software. Returns which one was used. */
  async add(addr: number, kind: 'auto' | 'hardware' | 'software' = 'auto'): Promise<'hardware' | 'software'> {
    if (kind === 'software') {
      await this.addSoftware(addr);
      return 'software';
    }
    if (kind === 'hardware' || (this.hardwareCanBreak(addr) && this.comps.some((c) => c === undefined || (this.version < 2 && ((c[0] ^ addr) & ~3) === 0)))) {
      await this.addHardware(addr);
      return 'hardware';
    }
    await this.addSoftware(addr);
    return 'software';
  }

  async remove(addr: number): Promise<boolean> {
    return (await this.removeHardware(addr)) || (await this.removeSoftware(addr));
  }
}
