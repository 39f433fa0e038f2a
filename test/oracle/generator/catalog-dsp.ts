// The ARMv7E-M DSP extension: every encoding of the simulator's DSP table, with its free
// fields filled at random and its register fields restricted to what is not UNPREDICTABLE
// (no SP/PC operands, an accumulator other than PC in the accumulating forms, RdLo != RdHi).

import { GENERAL, type Plan } from './builder.js';
import type { Spec } from './spec.js';
import { dspEncodings } from '../../../src/sim/cpu/isa/dsp.js';

function compile(pattern: string): { mask: number; value: number } {
  const bits = pattern.replace(/\s/g, '');
  let mask = 0, value = 0;
  for (const ch of bits) {
    mask = ((mask << 1) | (ch === 'x' ? 0 : 1)) >>> 0;
    value = ((value << 1) | (ch === '1' ? 1 : 0)) >>> 0;
  }
  return { mask, value };
}

/** Is the 4-bit field at `shift` entirely free in the pattern? */
const free = (mask: number, shift: number): boolean => ((mask >>> shift) & 15) === 0;

export const dspSpecs: Spec[] = dspEncodings.map((e) => {
  const { mask, value } = compile(e.pattern);
  const long = e.cls.includes('long');
  return {
    name: e.name,
    cls: e.cls,
    where: 'any',
    dsp: true,
    gen(p: Plan): boolean {
      let insn = ((p.rng.u32() & ~mask) | value) >>> 0;
      const set = (shift: number, r: number): void => {
        insn = ((insn & ~(15 << shift)) | (r << shift)) >>> 0;
      };
      const writes: number[] = [];
      if (free(mask, 16)) set(16, p.pick()); // Rn
      if (free(mask, 0)) set(0, p.pick()); // Rm
      if (long) {
        const lo = p.pick(), hi = p.pick(GENERAL, [lo]);
        set(12, lo);
        set(8, hi);
        writes.push(lo, hi);
      } else {
        if (free(mask, 12)) set(12, p.pick()); // Ra
        const rd = p.pick();
        set(8, rd);
        writes.push(rd);
      }
      p.add({ hw: [insn >>> 16, insn & 0xffff], name: e.name, cls: e.cls }, writes);
      return true;
    },
  };
});
