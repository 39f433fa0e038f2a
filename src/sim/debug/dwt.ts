// The Data Watchpoint and Trace unit at 0xE0001000 (ARMv7-M ARM C1.8): comparators for
// data address watchpoints (read/write/access, address + mask, MATCHED cleared on read)
// and instruction address (PC) match, and the cycle counter. Trace packets, the other
// profiling counters and data value matching are not modelled (they read as zero).
import type { AccessSize, Device } from '../bus.js';
import type { Clock } from '../clock.js';
import { DWT_CTRL, DWT_FUNCTION, DWT_FUNC } from '../../arch/dwt.js';
import { armPid, CS_CLASS } from '../../arch/coresight.js';
import { readIdRegister, type ComponentIdentity } from './component-id.js';

export class DwtUnit implements Device {
  readonly comp: Uint32Array;
  readonly mask: Uint32Array;
  readonly func: Uint32Array;
  private ctrlBits = 0;
  private cycBase = 0;
  private cycSince = 0;
  private counting = false;
  /** DEMCR.TRCENA: the global enable of DWT and ITM (set by the debug unit). */
  private trcena = false;
  /** Data comparators in force: [lo, hi) ranges and the access kinds they watch. */
  private data: { i: number; lo: number; hi: number; read: boolean; write: boolean }[] = [];
  /** PC-match comparator addresses. */
  readonly pcMatches = new Set<number>();
  readonly identity: ComponentIdentity = { cls: CS_CLASS.GENERIC_IP, pid: armPid(0x002, 3) };

  constructor(
    readonly numComp: number,
    private readonly clock: Clock,
    /** The current PC, for DWT_PCSR; undefined while halted. */
    private readonly samplePc: () => number | undefined,
    private readonly changed: () => void = () => {},
  ) {
    this.comp = new Uint32Array(numComp);
    this.mask = new Uint32Array(numComp);
    this.func = new Uint32Array(numComp);
  }

  get dataActive(): boolean {
    return this.data.length > 0;
  }

  get pcActive(): boolean {
    return this.pcMatches.size > 0;
  }

  setTraceEnable(on: boolean): void {
    if (on === this.trcena) return;
    this.cycSet(this.cyccnt);
    this.trcena = on;
    this.counting = on && (this.ctrlBits & 1) !== 0;
    this.rebuild();
  }

  reset(): void {
    this.comp.fill(0);
    this.mask.fill(0);
    this.func.fill(0);
    this.ctrlBits = 0;
    this.counting = false;
    this.cycSet(0);
    this.rebuild();
  }

  get cyccnt(): number {
    return (this.counting ? this.cycBase + (this.clock.now - this.cycSince) : this.cycBase) >>> 0;
  }

  private cycSet(v: number): void {
    this.cycBase = v >>> 0;
    this.cycSince = this.clock.now;
  }

  read(offset: number, size: AccessSize): number {
    const word = offset & ~3;
    let v: number;
    if (word === 0) v = ((this.numComp << 28) | (1 << 27) | (1 << 26) | this.ctrlBits) >>> 0; // NOTRCPKT, NOEXTTRIG
    else if (word === 4) v = this.cyccnt;
    else if (word === 0x1c) v = this.samplePc() ?? 0xffffffff;
    else if (word >= 0x20 && word < 0x20 + 16 * this.numComp) {
      const i = (word - 0x20) >>> 4;
      const r = (word - 0x20) & 0xf;
      if (r === 0) v = this.comp[i];
      else if (r === 4) v = this.mask[i];
      else if (r === 8) {
        v = this.func[i];
        this.func[i] &= ~DWT_FUNCTION.fields.MATCHED.mask; // MATCHED clears on read
      } else v = 0;
    } else v = readIdRegister(this.identity, word) ?? 0;
    return size === 4 ? v >>> 0 : (v >>> ((offset & 3) * 8)) & (size === 1 ? 0xff : 0xffff);
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (size !== 4) return;
    value >>>= 0;
    if (offset === 0) {
      const cur = this.cyccnt;
      // Writable: the event enables and CYCCNTENA (tap/prescale fields stored as written).
      this.ctrlBits = value & 0x007f1fff;
      this.counting = this.trcena && (value & DWT_CTRL.fields.CYCCNTENA.mask) !== 0;
      this.cycSet(cur);
    } else if (offset === 4) this.cycSet(value);
    else if (offset >= 0x20 && offset < 0x20 + 16 * this.numComp) {
      const i = (offset - 0x20) >>> 4;
      const r = (offset - 0x20) & 0xf;
      if (r === 0) this.comp[i] = value;
      else if (r === 4) this.mask[i] = value & 0x1f;
      else if (r === 8) {
        const f = DWT_FUNCTION.fields;
        this.func[i] = (this.func[i] & f.MATCHED.mask) | (value & (f.DATAVADDR1.mask | f.DATAVADDR0.mask | f.DATAVSIZE.mask | f.LNK1ENA.mask | f.DATAVMATCH.mask | f.CYCMATCH.mask | f.EMITRANGE.mask | f.FUNCTION.mask));
      } else return;
      this.rebuild();
    }
  }

  private rebuild(): void {
    this.data = [];
    this.pcMatches.clear();
    if (this.trcena) {
      for (let i = 0; i < this.numComp; i++) {
        const f = this.func[i];
        if (f & (DWT_FUNCTION.fields.DATAVMATCH.mask | DWT_FUNCTION.fields.CYCMATCH.mask)) continue; // not modelled
        const fn = f & 0xf;
        const size = 2 ** this.mask[i];
        const lo = (this.comp[i] - (this.comp[i] % size)) >>> 0;
        if (fn === DWT_FUNC.PC_MATCH) {
          if (this.mask[i] === 0) this.pcMatches.add(lo & ~1);
          else for (let a = lo; a < lo + size && a - lo < 0x10000; a += 2) this.pcMatches.add(a);
        } else if (fn >= DWT_FUNC.READ && fn <= DWT_FUNC.ACCESS) {
          this.data.push({ i, lo, hi: lo + size, read: fn !== DWT_FUNC.WRITE, write: fn !== DWT_FUNC.READ });
        }
      }
    }
    this.changed();
  }

  /** A data access by the core; returns true when a watchpoint matched (MATCHED is set). */
  access(addr: number, size: number, write: boolean): boolean {
    let hit = false;
    for (const d of this.data) {
      if ((write ? d.write : d.read) && addr < d.hi && addr + size > d.lo) {
        this.func[d.i] |= DWT_FUNCTION.fields.MATCHED.mask;
        hit = true;
      }
    }
    return hit;
  }

  /** An instruction fetch at pc; true when a PC-match comparator fires (MATCHED is set). */
  pcMatch(pc: number): boolean {
    if (!this.pcMatches.has(pc)) return false;
    for (let i = 0; i < this.numComp; i++) {
      if ((this.func[i] & 0xf) !== DWT_FUNC.PC_MATCH) continue;
      const size = 2 ** this.mask[i];
      const lo = (this.comp[i] - (this.comp[i] % size)) >>> 0;
      if (pc >= lo && pc < lo + size) this.func[i] |= DWT_FUNCTION.fields.MATCHED.mask;
    }
    return true;
  }
}
