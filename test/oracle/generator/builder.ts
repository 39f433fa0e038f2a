// Assembles a chunk: instructions are planned in "items" (the setup a memory or branch
// instruction needs, then the instruction itself; or a whole IT block), appended to the code,
// and forward references (branches, ADR/MOVW targets, table entries) are patched once their
// target - always an item boundary - is reached.
//
// Safety invariants the builder keeps (the reason each exists is in docs of the fields):
//  - every data access hits the scratch RAM (registers used as addresses are set up by MOVW/
//    MOVT here, or known to hold a suitable value);
//  - SP stays inside the stack window and only moves when every path agrees on it (no SP
//    change while a forward branch is pending, none inside IT blocks);
//  - branches only go forward, to item boundaries inside the chunk (or to its end).

import { Rng } from './rng.js';
import { movw, movt, it, bT2 } from './encode.js';

/** Scratch RAM shared with the harness (RAM on the MPS2 boards). */
export const SCRATCH_BASE = 0x20100000;
export const SCRATCH_END = 0x20110000;
/** Plain loads and stores: base registers point into [DATA_LOW, DATA_HIGH], offsets stay below 4 KiB. */
export const DATA_LOW = 0x20101000;
export const DATA_HIGH = 0x20107000;
/** SP is kept inside [STACK_LOW, STACK_HIGH]; SP-relative offsets up to 4 KiB stay in scratch. */
export const STACK_LOW = 0x20109000;
export const STACK_HIGH = 0x2010e000;
export const STACK_INIT = 0x2010c000;

/** Registers an instruction may freely use as a destination or operand (BadReg excluded). */
export const GENERAL = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14];
export const LOW = [0, 1, 2, 3, 4, 5, 6, 7];

export interface InstructionRecord {
  offset: number;
  size: 2 | 4;
  encoding: string;
  cls: string;
  /** Bit n set: register n is UNKNOWN after this instruction (bit 16: the flags). */
  unknownMask?: number;
}

export interface GeneratedChunk {
  code: Uint8Array;
  instructions: InstructionRecord[];
}

/** A forward reference whose target is the item boundary reached after `skip` more items. */
export interface Fixup {
  /** The op whose halfwords get patched. */
  op: Op;
  /** The distance is counted from base(op that defines the PC, usually `op`). */
  baseOp?: Op;
  base(offset: number): number;
  /** Allowed distances (target - base), inclusive. */
  min: number;
  max: number;
  /** Items to skip before the target (0: the next item boundary). */
  skip: number;
  patch(op: Op, distance: number): void;
}

/** One planned instruction (or a block of table data when `data`). */
export interface Op {
  hw: number[];
  name: string;
  cls: string;
  /** Registers written (bitmask); the builder forgets what it knew about them. */
  writes: number;
  /** Register values this op establishes (setup MOVW/MOVT). */
  sets?: [number, number][];
  unknownMask?: number;
  fixups?: Fixup[];
  /** Halfwords of data (TBB/TBH tables): emitted but not an instruction. */
  data?: boolean;
  /** For literal loads: the code must extend to at least this offset (computed at emission). */
  needEnd?: (offset: number) => number;
  /** Called with the op's final offset just before it is emitted (PC-relative fields). */
  place?: (op: Op, offset: number) => void;
  offset?: number;
}

/** Every op has the same object shape (fast property access in the emit loop). */
export function mkOp(o: Omit<Op, 'writes'> & { writes?: number }): Op {
  return {
    hw: o.hw, name: o.name, cls: o.cls, writes: o.writes ?? 0, sets: o.sets, unknownMask: o.unknownMask,
    fixups: o.fixups, data: o.data, needEnd: o.needEnd, place: o.place, offset: -1,
  };
}

interface Pending {
  fix: Fixup;
  left: number;
  /** What was known where the branch is taken (after its item): at the target, only values
   * known on both paths survive. Filled in once the item is emitted. */
  known?: Map<number, number>;
}

/** Collects the setup and the instruction(s) of one item before they are emitted. */
export class Plan {
  readonly setup: Op[] = [];
  readonly main: Op[] = [];
  /** Registers whose current value a planned instruction relies on. */
  readonly reserved = new Set<number>();
  /** Registers written by earlier instructions of the same IT block: no setup can rely on them. */
  readonly dirty = new Set<number>();
  readonly known: Map<number, number>;
  /** SP change requested by this item (must keep SP in the stack window). */
  spDelta = 0;
  /** An earlier instruction of this IT block writes memory: a value that a setup stored
   * before the IT (a branch target for LDR PC) may have been overwritten. */
  memoryWritten = false;

  constructor(
    readonly rng: Rng,
    readonly b: ChunkBuilder,
    readonly inIT: boolean,
    readonly lastInIT: boolean,
  ) {
    this.known = new Map(b.known);
  }

  /** SP before this item. */
  get sp(): number {
    return this.b.sp + this.spDelta;
  }

  /** May this item move SP by `delta` bytes? */
  canMoveSp(delta: number): boolean {
    if (this.inIT || this.b.pending.length > 0) return false;
    const next = this.sp + delta;
    return delta % 4 === 0 && next >= STACK_LOW && next <= STACK_HIGH;
  }

  moveSp(delta: number): void {
    this.spDelta += delta;
  }

  /** A random register from `from` that no setup of this item relies on. */
  pick(from: readonly number[] = GENERAL, exclude: readonly number[] = []): number {
    const ok = from.filter((r) => !this.reserved.has(r) && !exclude.includes(r));
    return this.rng.pick(ok.length > 0 ? ok : from.filter((r) => !exclude.includes(r)));
  }

  /** A register that can be given a value by setup (not dirty, not relied upon). */
  pickSettable(from: readonly number[] = GENERAL, exclude: readonly number[] = []): number {
    const ok = from.filter((r) => !this.reserved.has(r) && !this.dirty.has(r) && !exclude.includes(r));
    if (ok.length === 0) throw new NoRegister();
    return this.rng.pick(ok);
  }

  /** Makes `r` hold `value` before the item (MOVW, plus MOVT when the top half is non-zero). */
  setReg(r: number, value: number): void {
    value >>>= 0;
    this.reserved.add(r);
    if (this.known.get(r) === value) return;
    if (this.dirty.has(r)) throw new NoRegister();
    this.setup.push(mkOp({ hw: movw(r, value & 0xffff), name: 'MOV (immediate) T3', cls: 'move', writes: 1 << r, sets: [[r, value & 0xffff]] }));
    if (value >>> 16) this.setup.push(mkOp({ hw: movt(r, value >>> 16), name: 'MOVT T1', cls: 'move', writes: 1 << r, sets: [[r, value]] }));
    this.known.set(r, value);
  }

  /**
   * A base register holding an address in the data window, `align`-aligned: reuses a register
   * that already holds one when it can (fewer setup instructions), else sets one up.
   */
  dataBase(align: number, from: readonly number[] = GENERAL, exclude: readonly number[] = []): { reg: number; value: number } {
    if (this.rng.chance(0.5)) {
      const reuse = from.filter((r) => {
        const v = this.known.get(r);
        return v !== undefined && v >= DATA_LOW && v <= DATA_HIGH && v % align === 0 && !this.dirty.has(r) && !exclude.includes(r);
      });
      if (reuse.length > 0) {
        const reg = this.rng.pick(reuse);
        this.reserved.add(reg);
        return { reg, value: this.known.get(reg)! };
      }
    }
    const reg = this.pickSettable(from, exclude);
    const value = (DATA_LOW + this.rng.int((DATA_HIGH - DATA_LOW) / align) * align) >>> 0;
    this.setReg(reg, value);
    return { reg, value };
  }

  /** Adds a setup instruction (runs before the item, outside any IT block). */
  addSetup(op: Omit<Op, 'writes'> & { writes?: number }): Op {
    const full = mkOp(op);
    this.setup.push(full);
    return full;
  }

  /** Adds the item's instruction. `writes` lists the registers it writes. */
  add(op: Omit<Op, 'writes'> & { writes?: number }, writes: number[] = []): Op {
    let mask = op.writes ?? 0;
    for (const r of writes) mask |= 1 << r;
    const full = mkOp(op);
    full.writes = mask;
    this.main.push(full);
    return full;
  }
}

export class NoRegister extends Error {}

export class ChunkBuilder {
  readonly hws: number[] = [];
  readonly records: InstructionRecord[] = [];
  known = new Map<number, number>();
  sp = STACK_INIT;
  pending: Pending[] = [];
  private needEnd = 0;

  constructor(readonly rng: Rng) {}

  get offset(): number {
    return this.hws.length * 2;
  }

  /** Appends one op at the current offset. */
  emit(op: Op, conditional = false): void {
    op.offset = this.offset;
    op.place?.(op, op.offset);
    for (const h of op.hw) this.hws.push(h);
    if (!op.data) {
      const rec: InstructionRecord = { offset: op.offset, size: (op.hw.length * 2) as 2 | 4, encoding: op.name, cls: op.cls };
      if (op.unknownMask) rec.unknownMask = op.unknownMask;
      this.records.push(rec);
    }
    if (op.writes) for (let r = 0; r < 16; r++) if (op.writes & (1 << r)) this.known.delete(r);
    if (op.sets && !conditional) for (const [r, v] of op.sets) this.known.set(r, v >>> 0);
    if (op.needEnd) this.needEnd = Math.max(this.needEnd, op.needEnd(op.offset));
    for (const fix of op.fixups ?? []) this.pending.push({ fix, left: fix.skip });
  }

  /** Emits a planned item: setups, then (inside an IT block) the IT instruction, then the rest. */
  emitPlan(setups: Op[], mains: Op[], itOp?: Op): void {
    for (const op of setups) this.emit(op);
    if (itOp) this.emit(itOp);
    for (const op of mains) this.emit(op, itOp !== undefined);
    // Every branch of an item is its last instruction (a table may follow): the state after
    // the item is the state on the taken path.
    let snap: Map<number, number> | undefined;
    for (const p of this.pending) if (!p.known) p.known = snap ??= new Map(this.known);
  }

  /** The byte size an item will take. */
  static sizeOf(ops: Op[]): number {
    return ops.reduce((n, op) => n + op.hw.length * 2, 0);
  }

  /**
   * Resolves forward references at the current offset (an item boundary): those whose skip
   * count ran out, and those that could not reach past an item of `nextSize` bytes. One
   * whose target would be too close (CBZ cannot target the next halfword) waits.
   */
  resolveDue(nextSize: number): void {
    const still: Pending[] = [];
    for (const p of this.pending) {
      const base = p.fix.base((p.fix.baseOp ?? p.fix.op).offset!);
      const dist = this.offset - base;
      const mustNow = p.left <= 0 || this.offset + nextSize - base > p.fix.max;
      if (mustNow && dist >= p.fix.min && dist <= p.fix.max) this.resolve(p, dist);
      else still.push(p);
    }
    this.pending = still;
  }

  /** Would appending `size` more bytes push a pending reference out of range? */
  wouldOverflow(size: number): boolean {
    return this.pending.some((p) => this.offset + size - p.fix.base((p.fix.baseOp ?? p.fix.op).offset!) > p.fix.max);
  }

  private resolve(p: Pending, dist: number): void {
    const op = p.fix.op;
    p.fix.patch(op, dist);
    for (let k = 0; k < op.hw.length; k++) this.hws[op.offset! / 2 + k] = op.hw[k];
    // Only what both paths agree on is known at the target.
    for (const [r, v] of this.known) if (p.known?.get(r) !== v) this.known.delete(r);
  }

  /** Counts one item boundary for the skip counters. */
  itemDone(): void {
    for (const p of this.pending) p.left--;
  }

  /** Ends the chunk: pads for forward literal loads, then resolves every reference at the end. */
  finish(): GeneratedChunk {
    // Land every forward reference at the end; one that cannot reach it yet (CBZ needs at
    // least 2 bytes) gets a NOP to skip first.
    for (let guard = 0; guard < 4; guard++) {
      for (const p of this.pending) p.left = 0;
      this.resolveDue(0);
      if (this.pending.length === 0) break;
      this.emit(mkOp({ hw: [0xbf00], name: 'NOP T1', cls: 'hint' }));
    }
    if (this.pending.length > 0) throw new Error('generator: unresolved forward reference');
    if (this.needEnd > this.offset) {
      // Literal loads read ahead of the last instruction: extend the code with data, jumped over.
      const padHalves = Math.ceil((this.needEnd - this.offset - 2) / 2) + 1;
      this.emit(mkOp({ hw: bT2(padHalves * 2 - 2), name: 'B T2', cls: 'branch' }));
      const pad: number[] = [];
      for (let k = 0; k < padHalves; k++) pad.push(this.rng.u32() & 0xffff);
      this.emit(mkOp({ hw: pad, name: 'data', cls: 'data', data: true }));
    }
    const code = new Uint8Array(this.hws.length * 2);
    this.hws.forEach((h, k) => {
      code[2 * k] = h & 0xff;
      code[2 * k + 1] = (h >>> 8) & 0xff;
    });
    return { code, instructions: this.records };
  }

  /** The IT instruction for a block of `count` instructions starting with `firstcond`. */
  static itOp(firstcond: number, pattern: string): Op {
    return mkOp({ hw: it(firstcond, pattern), name: 'IT T1', cls: 'it' });
  }

}

