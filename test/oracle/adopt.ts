// Values the architecture leaves UNKNOWN, taken over from QEMU on the simulator so
// that the comparison can go on exactly after them (and everything computed from
// them stays comparable). Each adoption is counted and reported by the tests.
//  - r0 after semihosting SYS_WRITEC / SYS_WRITE0: "corrupted" per the semihosting
//    specification (QEMU 7.2 leaves 0xdeadbeef there);
//  - r0-r3, r12 and the APSR in a handler's first state: ExceptionTaken() makes them
//    UNKNOWN (ARMv7-M ARM B1.5.6); QEMU keeps the previous values, which on a
//    tail-chain are the previous handler's;
//  - whatever the chunk generator marks UNKNOWN after an instruction (chunk-harness.ts).
import type { Board } from '../../src/sim/boards/index.js';
import type { AddressRange } from './compare.js';
import type { Trace } from './trace.js';

/** A hook for runSimTrace's afterStep, told which QEMU state matches. */
export type Adopter = (board: Board, qemuIndex: number, sim: Trace, simNext: number) => boolean;

/** Which QEMU state a simulator state corresponds to. Equal indices, except after an
 * opaque range (compare.ts), where the two sides may take different numbers of states:
 * the n-th exit from an opaque range on one side is the n-th on the other. */
export class Aligner {
  private readonly exits: number[] = [];
  private used = 0;
  private offset = 0;
  private lastNext = -1;

  constructor(private readonly opaque: AddressRange[], qemu: Trace) {
    for (let k = 1; k < qemu.count; k++) {
      const r = this.range(qemu.pc(k - 1));
      if (r && !this.inside(r, qemu.pc(k))) this.exits.push(k);
    }
  }

  private range(pc: number): AddressRange | undefined {
    for (const r of this.opaque) if (this.inside(r, pc)) return r;
    return undefined;
  }

  private inside(r: AddressRange, pc: number): boolean {
    return pc >= r.start && pc < r.end;
  }

  /** The QEMU index of simulator state `next`, whose pc is `pc`. */
  map(next: number, pc: number, sim: Trace): number {
    if (next > 0 && next !== this.lastNext) {
      const r = this.range(sim.pc(next - 1));
      if (r && !this.inside(r, pc) && this.used < this.exits.length) this.offset = this.exits[this.used++] - next;
    }
    this.lastNext = next;
    return next + this.offset;
  }
}

/** Combine adopters into one afterStep hook. */
export function adoptFromQemu(qemu: Trace, opaque: AddressRange[], adopters: Adopter[]) {
  const aligner = new Aligner(opaque, qemu);
  return (board: Board, next: number, sim: Trace): boolean => {
    const q = aligner.map(next, board.cpu.pc >>> 0, sim);
    if (q <= 0 || q >= qemu.count || qemu.pc(q) !== board.cpu.pc >>> 0) return false;
    let changed = false;
    for (const a of adopters) if (a(board, q, sim, next)) changed = true;
    return changed;
  };
}

const SYS_WRITEC = 0x03;
const SYS_WRITE0 = 0x04;

export function semihostingR0(qemu: Trace, counter: { adopted: number }): Adopter {
  return (board, q, sim, next) => {
    const op = sim.get(next - 1, 0);
    if (op !== SYS_WRITEC && op !== SYS_WRITE0) return false;
    let hw: number;
    try {
      hw = board.bus.read16(sim.pc(next - 1));
    } catch {
      return false;
    }
    if (hw !== 0xbeab) return false;
    board.cpu.writeCoreReg(0, qemu.get(q, 0));
    counter.adopted++;
    return true;
  };
}

const EXC_RETURN_MIN = 0xffffffe0;
const ENTRY_UNKNOWN_REGS = [0, 1, 2, 3, 12];
const APSR_BITS = 0xf80f0000; // N Z C V Q, GE[3:0]

/** Exception entry (also by tail-chaining), recognised on QEMU's side: IPSR changes to
 * a non-zero exception whose vector is the new pc, with EXC_RETURN in LR; the
 * simulator must be in that handler's first state too (it may first reach a state
 * before its entry step, which the trace recorder leaves out). */
export function exceptionEntry(qemu: Trace, counter: { adopted: number }): Adopter {
  return (board, q) => {
    const ipsr = qemu.xpsr(q) & 0x1ff;
    if (ipsr === 0 || ipsr === (qemu.xpsr(q - 1) & 0x1ff) || qemu.get(q, 14) >>> 0 < EXC_RETURN_MIN) return false;
    const cpu = board.cpu;
    if ((cpu.xpsr & 0x1ff) !== ipsr) return false;
    let vector: number;
    try {
      const vtor = board.bus.read32(0xe000ed08);
      vector = board.bus.read32((vtor + 4 * ipsr) >>> 0) & ~1;
    } catch {
      return false;
    }
    if (qemu.pc(q) !== vector >>> 0) return false;
    for (const r of ENTRY_UNKNOWN_REGS) cpu.writeCoreReg(r, qemu.get(q, r));
    cpu.writeCoreReg(16, ((cpu.readCoreReg(16) & ~APSR_BITS) | (qemu.xpsr(q) & APSR_BITS)) >>> 0);
    counter.adopted++;
    return true;
  };
}
