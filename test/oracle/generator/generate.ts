// The random instruction-stream generator for the differential test against QEMU.
// generateChunk(seed, count, opts) returns position-independent Thumb code (place it at a
// word-aligned address: PC-relative loads use Align(PC, 4)) that only touches the scratch RAM
// 0x20100000..0x2010FFFF, sets SP itself, and ends by falling through (or branching) to the
// first byte after `code`.

import { ChunkBuilder, Plan, NoRegister, STACK_INIT, mkOp, type GeneratedChunk, type Op } from './builder.js';
import { Rng } from './rng.js';
import { movw, movt } from './encode.js';
import type { Spec } from './spec.js';
import { dataProcessingSpecs } from './catalog-dp.js';
import { memorySpecs } from './catalog-mem.js';
import { controlSpecs } from './catalog-ctl.js';
import { dspSpecs } from './catalog-dsp.js';

export type { GeneratedChunk, InstructionRecord } from './builder.js';

/** Every generator entry (DSP ones included). */
export const allSpecs: readonly Spec[] = [...dataProcessingSpecs, ...memorySpecs, ...controlSpecs, ...dspSpecs];

/** How often an item is an IT block. */
const IT_PROBABILITY = 0.08;

class Picker {
  private readonly cumulative: number[] = [];
  private total = 0;
  constructor(readonly specs: Spec[]) {
    for (const s of specs) this.cumulative.push((this.total += s.weight ?? 1));
  }
  pick(rng: Rng): Spec {
    const x = rng.u32() / 4294967296 * this.total;
    let lo = 0, hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return this.specs[lo];
  }
}

interface Item {
  setup: Op[];
  main: Op[];
  it?: Op;
  spDelta: number;
}

export interface GeneratorOptions {
  /** Include the ARMv7E-M DSP extension (Cortex-M4/M7). */
  dsp: boolean;
  /** Restrict the instructions drawn (setup instructions are still emitted), e.g. to one class. */
  only?: (spec: { name: string; cls: string }) => boolean;
}

export function generateChunk(seed: number, count: number, opts: GeneratorOptions): GeneratedChunk {
  const rng = new Rng(seed);
  const b = new ChunkBuilder(rng);
  const specs = allSpecs.filter((s) => (opts.dsp || !s.dsp) && (!opts.only || opts.only(s)));
  if (specs.length === 0) throw new Error('generateChunk: no instruction matches the options');
  const all = new Picker(specs);
  const insideSpecs = specs.filter((s) => s.where === 'any');
  const inside = new Picker(insideSpecs);
  const lastInside = new Picker(specs.filter((s) => s.where !== 'outside'));
  const itProbability = insideSpecs.length > 0 ? IT_PROBABILITY : 0;

  // Prologue: a stack pointer in the scratch stack window.
  b.emit(mkOp({ hw: movw(0, STACK_INIT & 0xffff), name: 'MOV (immediate) T3', cls: 'move', writes: 1 }));
  b.emit(mkOp({ hw: movt(0, STACK_INIT >>> 16), name: 'MOVT T1', cls: 'move', writes: 1, sets: [[0, STACK_INIT]] }));
  b.emit(mkOp({ hw: [0x4685], name: 'MOV (register) T1', cls: 'move', writes: 1 << 13 })); // MOV SP, r0
  b.itemDone();

  const single = (): Item | null => {
    const p = new Plan(rng, b, false, false);
    const spec = all.pick(rng);
    try {
      if (!spec.gen(p) || p.main.length === 0) return null;
    } catch (e) {
      if (e instanceof NoRegister) return null;
      throw e;
    }
    return { setup: p.setup, main: p.main, spDelta: p.spDelta };
  };

  const itBlock = (): Item | null => {
    const k = rng.range(1, 4);
    const firstcond = rng.int(15); // 1110 (AL) allowed with all-'T' blocks; 1111 is UNPREDICTABLE
    let pattern = '';
    for (let j = 1; j < k; j++) pattern += firstcond === 14 || rng.chance(0.5) ? 'T' : 'E';
    const p = new Plan(rng, b, true, false);
    for (let j = 0; j < k; j++) {
      const last = j === k - 1;
      const spec = (last ? lastInside : inside).pick(rng);
      const before = p.main.length;
      try {
        if (!spec.gen(p) || p.main.length !== before + 1) return null;
      } catch (e) {
        if (e instanceof NoRegister) return null;
        throw e;
      }
      // Conditional writes: later setups must not rely on these registers (or memory).
      const op = p.main[before];
      if (op.cls === 'store' || /^(STM|STR|PUSH)/.test(op.name)) p.memoryWritten = true;
      for (let r = 0; r < 16; r++) {
        if (op.writes & (1 << r)) {
          p.dirty.add(r);
          p.known.delete(r);
        }
      }
    }
    return { setup: p.setup, main: p.main, it: ChunkBuilder.itOp(firstcond, pattern), spDelta: 0 };
  };

  while (b.records.length < count) {
    b.resolveDue(0);
    let emitted = false;
    for (let attempt = 0; attempt < 40 && !emitted; attempt++) {
      const item = rng.chance(itProbability) ? itBlock() : single();
      if (!item) continue;
      const ops = [...item.setup, ...(item.it ? [item.it] : []), ...item.main];
      const size = ChunkBuilder.sizeOf(ops);
      if (b.wouldOverflow(size)) {
        b.resolveDue(size); // land the pending branches here, then plan again
        continue;
      }
      b.emitPlan(item.setup, item.main, item.it);
      b.sp += item.spDelta;
      emitted = true;
    }
    if (!emitted) b.emit(mkOp({ hw: [0xbf00], name: 'NOP T1', cls: 'hint' }));
    b.itemDone();
  }
  return b.finish();
}

/** Distinct classes and encodings, and the number of instructions, over some chunks. */
export function coverage(chunks: GeneratedChunk[]): { classes: number; encodings: number; instructions: number } {
  const classes = new Set<string>();
  const encodings = new Set<string>();
  let instructions = 0;
  for (const c of chunks) {
    for (const i of c.instructions) {
      classes.add(i.cls);
      encodings.add(i.encoding);
      instructions++;
    }
  }
  return { classes: classes.size, encodings: encodings.size, instructions };
}
