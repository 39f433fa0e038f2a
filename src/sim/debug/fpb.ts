// The Flash Patch and Breakpoint unit as a bus device at 0xE0002000 (ARMv7-M ARM C1.11).
// v1 (Cortex-M3/M4): 6 code + 2 literal comparators, breakpoints in the Code region only,
// REPLACE selects the halfword. v2 (Cortex-M7): 8 comparators, BPADDR anywhere.
// Flash patch (v1, REPLACE = 0b00): an enabled comparator makes reads of its word in the
// Code region return word n of the remap table at FP_REMAP (in SRAM) instead. The
// simulated core fetches straight from memory, so the unit applies a patch by swapping
// the word in memory while it is in force and putting the original back when it is not
// (the table is read when the FPB registers or the remap table base change). On
// Cortex-M3/M4 the debugger's AHB-AP reads through the same remapped DCode path, so it
// sees the patched word too.
import type { AccessSize, Bus, Device } from '../bus.js';
import { FP_CTRL, FP_COMP_V1, FP_COMP_V2, FPB_V1_CODE_LIMIT } from '../../arch/fpb.js';
import { armPid, CS_CLASS } from '../../arch/coresight.js';
import { readIdRegister, type ComponentIdentity } from './component-id.js';

export class FpbUnit implements Device {
  private enabled = false;
  private remap = 0;
  readonly comps: Uint32Array;
  /** Instruction addresses that hit a breakpoint while the unit is enabled. */
  readonly breakpoints = new Set<number>();
  readonly identity: ComponentIdentity;

  constructor(
    readonly version: 1 | 2,
    readonly numCode: number,
    readonly numLit: number,
    /** Called when the set of active breakpoints changes (the debug unit re-installs its hooks). */
    private readonly changed: () => void = () => {},
    /** The system bus, for flash patching (v1); without it patches are not applied. */
    private readonly bus?: Bus,
  ) {
    this.comps = new Uint32Array(numCode + numLit);
    this.identity = { cls: CS_CLASS.GENERIC_IP, pid: version === 1 ? armPid(0x003, 2) : armPid(0x00e, 0) };
  }

  /** Breakpoints are in force. */
  get active(): boolean {
    return this.enabled && this.breakpoints.size > 0;
  }

  reset(): void {
    this.enabled = false;
    this.comps.fill(0);
    this.remap = 0;
    this.rebuild();
  }

  get ctrl(): number {
    const f = FP_CTRL.fields;
    return ((this.version === 2 ? 1 << f.REV.lsb : 0) |
      (((this.numCode >> 4) & 7) << f.NUM_CODE_HI.lsb) |
      ((this.numLit & 0xf) << f.NUM_LIT.lsb) |
      ((this.numCode & 0xf) << f.NUM_CODE_LO.lsb) |
      (this.enabled ? 1 : 0)) >>> 0;
  }

  read(offset: number, size: AccessSize): number {
    const word = offset & ~3;
    let v: number;
    if (word === 0) v = this.ctrl;
    else if (word === 4) v = this.version === 1 ? ((1 << 29) | (this.remap & 0x1fffffe0)) >>> 0 : 0;
    else if (word >= 8 && word < 8 + 4 * this.comps.length) v = this.comps[(word - 8) >>> 2];
    else v = readIdRegister(this.identity, word) ?? 0;
    return size === 4 ? v >>> 0 : (v >>> ((offset & 3) * 8)) & (size === 1 ? 0xff : 0xffff);
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (size !== 4) return; // word accesses only
    if (offset === 0) {
      if (value & FP_CTRL.fields.KEY.mask) this.enabled = (value & 1) !== 0; // KEY must be 1 for the write to take
    } else if (offset === 4) {
      if (this.version === 1) this.remap = value & 0x1fffffe0;
    } else if (offset >= 8 && offset < 8 + 4 * this.comps.length) {
      const i = (offset - 8) >>> 2;
      if (this.version === 1) {
        const f = FP_COMP_V1.fields;
        this.comps[i] = value & (f.REPLACE.mask | f.COMP.mask | f.ENABLE.mask);
      } else this.comps[i] = value >>> 0;
    } else return;
    this.rebuild();
  }

  /** Words patched now: code address -> the original word kept aside. */
  private readonly patched = new Map<number, number>();

  /** Apply the flash patches the registers ask for, undo the others. */
  applyPatches(): void {
    const bus = this.bus;
    if (!bus || this.version !== 1) return;
    const want = new Map<number, number>(); // code word address -> remap table word address
    if (this.enabled) {
      for (let i = 0; i < this.comps.length; i++) {
        const c = this.comps[i];
        const f = FP_COMP_V1.fields;
        if ((c & 1) === 0 || (c & f.REPLACE.mask) !== 0) continue;
        want.set(c & f.COMP.mask, (0x20000000 | this.remap) + 4 * i);
      }
    }
    const word = (addr: number) => {
      const r = bus.find(addr);
      return r?.words ? r.words[(addr - r.base) >>> 2] : undefined;
    };
    const put = (addr: number, v: number) => bus.load(addr, new Uint8Array(new Uint32Array([v]).buffer));
    for (const [addr, orig] of this.patched) {
      if (want.has(addr)) continue;
      put(addr, orig);
      this.patched.delete(addr);
    }
    for (const [addr, src] of want) {
      const replacement = word(src);
      const current = word(addr);
      if (replacement === undefined || current === undefined) continue; // not memory: nothing to patch
      if (!this.patched.has(addr)) this.patched.set(addr, current);
      if (current !== replacement) put(addr, replacement);
    }
  }

  private rebuild(): void {
    this.applyPatches();
    this.breakpoints.clear();
    for (let i = 0; i < this.numCode; i++) {
      const c = this.comps[i];
      if ((c & 1) === 0) continue;
      if (this.version === 1) {
        const f = FP_COMP_V1.fields;
        const base = c & f.COMP.mask;
        if (base >= FPB_V1_CODE_LIMIT) continue;
        const replace = (c & f.REPLACE.mask) >>> f.REPLACE.lsb;
        if (replace & 1) this.breakpoints.add(base);
        if (replace & 2) this.breakpoints.add(base + 2);
      } else {
        this.breakpoints.add((c & FP_COMP_V2.fields.BPADDR.mask) >>> 0);
      }
    }
    this.changed();
  }

  /** True when an instruction at pc hits a breakpoint. */
  hits(pc: number): boolean {
    return this.enabled && this.breakpoints.has(pc);
  }
}
