// What a generator entry is: one encoding of the ARMv7-M ARM, with the rules for placing it.

import type { Plan } from './builder.js';
import type { Rng } from './rng.js';

/**
 * Where an instruction may appear:
 *  - 'any': outside IT blocks and at any position inside one;
 *  - 'last': outside IT blocks or as the last instruction of one (it writes the PC);
 *  - 'outside': never inside an IT block (CBZ, B<c>, CPS, MOVS lo,lo, multi-instruction items).
 */
export type Where = 'any' | 'last' | 'outside';

export interface Spec {
  /** The encoding name, as the simulator's tables name it. */
  name: string;
  cls: string;
  where: Where;
  /** ARMv7E-M DSP extension only. */
  dsp?: boolean;
  /** Relative frequency (default 1). */
  weight?: number;
  /** Plans the instruction (and its setup) into `p`; returns false if it cannot be placed now. */
  gen(p: Plan): boolean;
}

/** A random valid i:imm3:imm8 for ThumbExpandImm (imm8 = 0 is UNPREDICTABLE in the replicated forms). */
export function modImm12(rng: Rng): number {
  for (;;) {
    const v = rng.int(4096);
    if ((v & 0xc00) === 0 && (v & 0x300) !== 0 && (v & 0xff) === 0) continue;
    return v;
  }
}

/** A random imm5 shift with its type for DecodeImmShift (any combination is valid). */
export function randomShift(rng: Rng): { type: number; imm5: number } {
  return { type: rng.int(4), imm5: rng.chance(0.25) ? 0 : rng.int(32) };
}
