// Bit-level encoders of the Thumb instructions the generator emits, named after the ARMv7-M
// ARM encodings. Each returns the halfwords in execution order (hw1 first).

export const SP = 13;
export const LR = 14;
export const PC = 15;

/** Encodes the 12-bit i:imm3:imm8 field of a 32-bit immediate instruction. */
export function splitImm12(imm12: number): { i: number; imm3: number; imm8: number } {
  return { i: (imm12 >>> 11) & 1, imm3: (imm12 >>> 8) & 7, imm8: imm12 & 0xff };
}

/** Data processing (modified immediate): 11110 i 0 op S Rn | 0 imm3 Rd imm8. */
export function modImm(op: number, s: number, rn: number, rd: number, imm12: number): number[] {
  const { i, imm3, imm8 } = splitImm12(imm12);
  return [0xf000 | (i << 10) | (op << 5) | (s << 4) | rn, (imm3 << 12) | (rd << 8) | imm8];
}

/** Data processing (plain binary immediate): 11110 i 1 op5 Rn | 0 imm3 Rd imm8. */
export function plainImm(op5: number, rn: number, rd: number, imm12: number): number[] {
  const { i, imm3, imm8 } = splitImm12(imm12);
  return [0xf200 | (i << 10) | (op5 << 4) | rn, (imm3 << 12) | (rd << 8) | imm8];
}

/** MOVW (MOV (immediate) T3) and MOVT: the 16-bit immediate is imm4:i:imm3:imm8. */
export function movw(rd: number, imm16: number): number[] {
  return [0xf240 | ((imm16 >>> 1) & 0x400) | ((imm16 >>> 12) & 15), (((imm16 >>> 8) & 7) << 12) | (rd << 8) | (imm16 & 0xff)];
}
export function movt(rd: number, imm16: number): number[] {
  const [h1, h2] = movw(rd, imm16);
  return [h1 | 0x80, h2];
}

/** Data processing (shifted register): 1110101 op S Rn | 0 imm3 Rd imm2 type Rm. */
export function shiftedReg(op: number, s: number, rn: number, rd: number, rm: number, type: number, imm5: number): number[] {
  return [0xea00 | (op << 5) | (s << 4) | rn, (((imm5 >>> 2) & 7) << 12) | (rd << 8) | ((imm5 & 3) << 6) | (type << 4) | rm];
}

/** Bitfield / saturate forms of the plain binary immediate space: ... | 0 imm3 Rd imm2 (0) low5. */
export function bitfield(hw1: number, rn: number, rd: number, lsb5: number, low5: number): number[] {
  return [hw1 | rn, (((lsb5 >>> 2) & 7) << 12) | (rd << 8) | ((lsb5 & 3) << 6) | low5];
}

/** Single load/store, 32-bit. `sign` selects 11111001 (LDRSB/LDRSH/PLI), size 0 byte 1 half 2 word. */
function ls32hw1(sign: number, imm12form: number, size: number, load: number, rn: number): number {
  return 0xf800 | (sign << 8) | (imm12form << 7) | (size << 5) | (load << 4) | rn;
}
export function lsImm12(sign: number, size: number, load: number, rn: number, rt: number, imm12: number): number[] {
  return [ls32hw1(sign, 1, size, load, rn), (rt << 12) | imm12];
}
export function lsImm8(sign: number, size: number, load: number, rn: number, rt: number, p: number, u: number, w: number, imm8: number): number[] {
  return [ls32hw1(sign, 0, size, load, rn), (rt << 12) | 0x800 | (p << 10) | (u << 9) | (w << 8) | imm8];
}
export function lsReg(sign: number, size: number, load: number, rn: number, rt: number, rm: number, imm2: number): number[] {
  return [ls32hw1(sign, 0, size, load, rn), (rt << 12) | (imm2 << 4) | rm];
}
export function lsUnpriv(sign: number, size: number, load: number, rn: number, rt: number, imm8: number): number[] {
  return [ls32hw1(sign, 0, size, load, rn), (rt << 12) | 0xe00 | imm8];
}
export function lsLiteral(sign: number, size: number, rt: number, u: number, imm12: number): number[] {
  return [0xf80f | (sign << 8) | (u << 7) | (size << 5) | 0x10, (rt << 12) | imm12];
}

/** Branch encodings: `dist` = target - (instruction address + 4), even. */
export function bT1(cond: number, dist: number): number[] {
  return [0xd000 | (cond << 8) | ((dist >> 1) & 0xff)];
}
export function bT2(dist: number): number[] {
  return [0xe000 | ((dist >> 1) & 0x7ff)];
}
export function bT3(cond: number, dist: number): number[] {
  const s = dist < 0 ? 1 : 0;
  const j1 = (dist >>> 18) & 1, j2 = (dist >>> 19) & 1;
  return [0xf000 | (s << 10) | (cond << 6) | ((dist >>> 12) & 0x3f), 0x8000 | (j1 << 13) | (j2 << 11) | ((dist >>> 1) & 0x7ff)];
}
/** B T4 and BL T1 share the S:I1:I2:imm10:imm11 offset; J1 = NOT(I1) XOR S. */
function longBranch(dist: number, link: number): number[] {
  const s = dist < 0 ? 1 : 0;
  const i1 = (dist >>> 23) & 1, i2 = (dist >>> 22) & 1;
  const j1 = (i1 ^ 1) ^ s, j2 = (i2 ^ 1) ^ s;
  return [0xf000 | (s << 10) | ((dist >>> 12) & 0x3ff), 0x9000 | (link << 14) | (j1 << 13) | (j2 << 11) | ((dist >>> 1) & 0x7ff)];
}
export function bT4(dist: number): number[] {
  return longBranch(dist, 0);
}
export function blT1(dist: number): number[] {
  return longBranch(dist, 1);
}
/** CBZ (nonzero = 0) / CBNZ (nonzero = 1), dist in [0, 126]. */
export function cbz(nonzero: number, rn: number, dist: number): number[] {
  return [0xb100 | (nonzero << 11) | (((dist >>> 6) & 1) << 9) | (((dist >>> 1) & 0x1f) << 3) | rn];
}

/** IT: `pattern` lists T/E for the 2nd..4th instructions. */
export function it(firstcond: number, pattern: string): number[] {
  const c0 = firstcond & 1;
  let mask = 0;
  for (let k = 0; k < pattern.length; k++) {
    const bit = pattern[k] === 'T' ? c0 : c0 ^ 1;
    mask |= bit << (3 - k);
  }
  mask |= 1 << (3 - pattern.length);
  return [0xbf00 | (firstcond << 4) | mask];
}

/** Register list bitmask to the PUSH/POP/LDM/STM field. */
export function regMask(regs: number[]): number {
  let m = 0;
  for (const r of regs) m |= 1 << r;
  return m;
}
