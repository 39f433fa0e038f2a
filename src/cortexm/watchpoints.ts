// Data watchpoints and PC matches in the DWT comparators (ARMv7-M: address + MASK,
// FUNCTION 5 read, 6 write, 7 access, 4 PC match).
import { DWT_CTRL, DWT_FUNC, dwtCompAddress, dwtFunctionAddress, dwtMaskAddress } from '../arch/dwt.js';
import { DEMCR } from '../arch/scs-debug.js';
import { hex32 } from '../arch/register.js';
import type { MemAccessPort } from '../adi/mem-ap.js';

export type WatchKind = 'read' | 'write' | 'access';

export interface Watchpoint {
  comparator: number;
  address: number;
  size: number;
  kind: WatchKind | 'pc';
}

export class WatchpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WatchpointError';
  }
}

const FUNC: Record<Watchpoint['kind'], number> = { read: DWT_FUNC.READ, write: DWT_FUNC.WRITE, access: DWT_FUNC.ACCESS, pc: DWT_FUNC.PC_MATCH };

export class Watchpoints {
  numComp = 0;
  private slots: (Watchpoint | undefined)[] = [];

  constructor(private readonly mem: MemAccessPort) {}

  async init(): Promise<void> {
    // The DWT only works with DEMCR.TRCENA set.
    const demcr = await this.mem.read32(DEMCR.address);
    if (!(demcr & DEMCR.fields.TRCENA.mask)) await this.mem.write32(DEMCR.address, demcr | DEMCR.fields.TRCENA.mask);
    const ctrl = await this.mem.read32(DWT_CTRL.address);
    this.numComp = ctrl >>> 28;
    this.slots = new Array(this.numComp).fill(undefined);
    const writes: [number, number][] = [];
    for (let i = 0; i < this.numComp; i++) writes.push([dwtFunctionAddress(i), 0]);
    await this.mem.writeMany32(writes);
  }

  get active(): Watchpoint[] {
    return this.slots.filter((s): s is Watchpoint => s !== undefined);
  }

  async add(address: number, size: number, kind: Watchpoint['kind']): Promise<Watchpoint> {
    address >>>= 0;
    if (size < 1 || (size & (size - 1)) !== 0 || size > 0x8000) throw new WatchpointError(`watchpoint size ${size} must be a power of two up to 32 KiB`);
    if (address % size !== 0) throw new WatchpointError(`watchpoint at ${hex32(address)}: the address must be aligned to its size (${size})`);
    const existing = this.slots.find((s) => s && s.address === address && s.size === size && s.kind === kind);
    if (existing) return existing;
    const i = this.slots.findIndex((s) => s === undefined);
    if (i < 0) throw new WatchpointError(`all ${this.numComp} DWT comparators are in use; remove a watchpoint first`);
    const w: Watchpoint = { comparator: i, address, size, kind };
    this.slots[i] = w;
    await this.mem.writeMany32([
      [dwtCompAddress(i), address],
      [dwtMaskAddress(i), Math.log2(size)],
      [dwtFunctionAddress(i), FUNC[kind]],
    ]);
    return w;
  }

  async remove(address: number, size?: number, kind?: Watchpoint['kind']): Promise<boolean> {
    const i = this.slots.findIndex((s) => s && s.address === address >>> 0 && (size === undefined || s.size === size) && (kind === undefined || s.kind === kind));
    if (i < 0) return false;
    this.slots[i] = undefined;
    await this.mem.write32(dwtFunctionAddress(i), 0);
    return true;
  }

  /** Which comparator matched (reads FUNCTIONn, which clears MATCHED). */
  async matched(): Promise<Watchpoint | undefined> {
    const active = this.active;
    if (!active.length) return undefined;
    const funcs = await this.mem.readMany32(active.map((w) => dwtFunctionAddress(w.comparator)));
    return active.find((_, k) => (funcs[k] & (1 << 24)) !== 0);
  }
}
