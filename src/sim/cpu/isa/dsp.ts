// The ARMv7E-M DSP extension (Cortex-M4/M7): SIMD parallel add/subtract, saturating
// arithmetic, SEL, USAD8, packing, extend-and-add, and the halfword/dual/most-significant
// multiplies. Semantics follow the ARMv7-M ARM pseudocode (section A7.7) bit for bit.
//
// UNPREDICTABLE register choices (SP or PC as an operand, RdHi == RdLo) are treated as
// UNDEFINED, which docs/sim-core.md allows; compilers never emit them and the random
// generator (test/oracle/generator) does not produce them.

import type { Encoding } from './encoding.js';

/** The part of the Cpu the DSP handlers use (the real Cpu satisfies it structurally). */
export interface DspCpu {
  r: Uint32Array;
  q: number;
  /** GE[3:0] */
  ge: number;
  undefined(): void;
}

type DspEncoding = Encoding & { requires: 'dsp' };

// ---------------------------------------------------------------------------------------
// Field extraction (insn = hw1 << 16 | hw2)

const rn = (i: number): number => (i >>> 16) & 15;
const rd = (i: number): number => (i >>> 8) & 15; // hw2[11:8]
const rm = (i: number): number => i & 15;
const ra = (i: number): number => (i >>> 12) & 15; // hw2[15:12], also RdLo in long forms

/** BadReg(): SP and PC are UNPREDICTABLE as operands of these instructions. */
const bad = (r: number): boolean => r === 13 || r === 15;

const sext16 = (x: number): number => (x << 16) >> 16;
const sext8 = (x: number): number => (x << 24) >> 24;
const ror = (x: number, n: number): number => (n === 0 ? x >>> 0 : ((x >>> n) | (x << (32 - n))) >>> 0);

// ---------------------------------------------------------------------------------------
// 64-bit helpers: results come back in hi/lo scratch fields to avoid allocating.

let hi64 = 0;
let lo64 = 0;
const TWO32 = 4294967296;

/** Unsigned 32x32 -> 64 multiply, exact (JS doubles hold only 53 bits). */
function umul64(a: number, b: number): void {
  a >>>= 0;
  b >>>= 0;
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const mid = a0 * b1 + a1 * b0; // < 2^33, exact
  const lo = a0 * b0 + (mid % 65536) * 65536; // < 2^33, exact
  hi64 = (a1 * b1 + Math.floor(mid / 65536) + Math.floor(lo / TWO32)) >>> 0;
  lo64 = lo >>> 0;
}

/** Signed 32x32 -> 64 multiply: the unsigned product corrected in the high word. */
function smul64(a: number, b: number): void {
  umul64(a, b);
  let h = hi64;
  if (a & 0x80000000) h -= b >>> 0;
  if (b & 0x80000000) h -= a >>> 0;
  hi64 = h >>> 0;
}

/** (hi64:lo64) += x, where x is a signed integer with |x| < 2^53. Wraps modulo 2^64. */
function add64(x: number): void {
  const xhi = Math.floor(x / TWO32);
  const xlo = x - xhi * TWO32; // 0 <= xlo < 2^32
  const lo = lo64 + xlo;
  lo64 = lo >>> 0;
  hi64 = (hi64 + xhi + (lo >= TWO32 ? 1 : 0)) >>> 0;
}

/** Signed saturation of an integer to `bits` bits; sets `satFlag` when it clipped. */
let satFlag = false;
function ssat(x: number, bits: number): number {
  const max = 2 ** (bits - 1) - 1;
  const min = -(2 ** (bits - 1));
  if (x > max) { satFlag = true; return max; }
  if (x < min) { satFlag = true; return min; }
  return x;
}
function usat(x: number, bits: number): number {
  const max = 2 ** bits - 1;
  if (x > max) { satFlag = true; return max; }
  if (x < 0) { satFlag = true; return 0; }
  return x;
}

// ---------------------------------------------------------------------------------------
// Parallel addition and subtraction (A5.3.x "Parallel addition and subtraction, signed /
// unsigned"): 6 prefixes x 6 operations. hw1 = 11111010 1 op1(3) Rn, hw2 = 1111 Rd 0 U
// op2(2) Rm; op2 selects plain (00), saturating (01) or halving (10).

type Prefix = 'S' | 'Q' | 'SH' | 'U' | 'UQ' | 'UH';
type LaneOp = 'ADD16' | 'ASX' | 'SAX' | 'SUB16' | 'ADD8' | 'SUB8';

const PREFIX_BITS: Record<Prefix, string> = { S: '000', Q: '001', SH: '010', U: '100', UQ: '101', UH: '110' };
const OP_BITS: Record<LaneOp, string> = { ADD8: '000', ADD16: '001', ASX: '010', SUB8: '100', SUB16: '101', SAX: '110' };

/**
 * Builds the handler of one parallel instruction. Each lane computes a +/- b exactly
 * (as the pseudocode's integer arithmetic), then the prefix decides what is kept:
 * S/U keep the low bits and set GE, Q/UQ saturate, SH/UH halve.
 */
function parallel(prefix: Prefix, op: LaneOp): (cpu: DspCpu, insn: number) => void {
  const signed = prefix === 'S' || prefix === 'Q' || prefix === 'SH';
  const width = op === 'ADD8' || op === 'SUB8' ? 8 : 16;
  const lanes = 32 / width;
  const mask = width === 8 ? 0xff : 0xffff;
  // Per lane: is it a subtraction, and which lane of Rm is its second operand.
  // ASX: low lane = Rn.lo - Rm.hi, high lane = Rn.hi + Rm.lo; SAX the other way round.
  const isSub = (lane: number): boolean =>
    op === 'SUB16' || op === 'SUB8' || (op === 'ASX' && lane === 0) || (op === 'SAX' && lane === 1);
  const mLane = (lane: number): number => (op === 'ASX' || op === 'SAX' ? 1 - lane : lane);
  const subs = Array.from({ length: lanes }, (_, l) => isSub(l));
  const mIdx = Array.from({ length: lanes }, (_, l) => mLane(l));
  const setsGE = prefix === 'S' || prefix === 'U';
  const geBitsPerLane = width === 16 ? 3 : 1; // a 16-bit lane owns two GE bits
  const carryLimit = width === 8 ? 0x100 : 0x10000;

  return (cpu, insn) => {
    const d = rd(insn), n = rn(insn), m = rm(insn);
    if (bad(d) || bad(n) || bad(m)) return cpu.undefined();
    const vn = cpu.r[n], vm = cpu.r[m];
    let result = 0;
    let ge = 0;
    for (let l = 0; l < lanes; l++) {
      let a = (vn >>> (l * width)) & mask;
      let b = (vm >>> (mIdx[l] * width)) & mask;
      if (signed) {
        a = width === 8 ? sext8(a) : sext16(a);
        b = width === 8 ? sext8(b) : sext16(b);
      }
      const x = subs[l] ? a - b : a + b;
      let v: number;
      switch (prefix) {
        case 'S':
          v = x;
          if (x >= 0) ge |= geBitsPerLane << (l * (width === 16 ? 2 : 1));
          break;
        case 'U':
          v = x;
          if (subs[l] ? x >= 0 : x >= carryLimit) ge |= geBitsPerLane << (l * (width === 16 ? 2 : 1));
          break;
        case 'Q': v = ssat(x, width); break;
        case 'UQ': v = usat(x, width); break;
        default: v = x >> 1; // SH, UH: x fits in 18 bits, so >> is an exact floor halving
      }
      result |= (v & mask) << (l * width);
    }
    satFlag = false; // Q and UQ lanes do not set the Q flag
    cpu.r[d] = result >>> 0;
    if (setsGE) cpu.ge = ge;
  };
}

const parallelEncodings: DspEncoding[] = [];
for (const prefix of ['S', 'Q', 'SH', 'U', 'UQ', 'UH'] as Prefix[]) {
  for (const op of ['ADD16', 'ASX', 'SAX', 'SUB16', 'ADD8', 'SUB8'] as LaneOp[]) {
    const p = PREFIX_BITS[prefix];
    parallelEncodings.push({
      name: `${prefix}${op} T1`,
      cls: 'dsp-parallel-add-sub',
      // hw1 = 11111010 1 op1 Rn ; hw2 = 1111 Rd 0 U op2(2) Rm (p = U op2)
      pattern: `11111010 1${OP_BITS[op]} xxxx 1111 xxxx 0${p} xxxx`,
      exec: parallel(prefix, op),
      requires: 'dsp',
    });
  }
}

// ---------------------------------------------------------------------------------------
// Saturating arithmetic (QADD, QSUB, QDADD, QDSUB; "Miscellaneous operations" space) and
// SSAT16/USAT16 (plain binary immediate space, SSAT/USAT with sh = 1 and shift 0).

function qaddsub(doubling: boolean, subtract: boolean): (cpu: DspCpu, insn: number) => void {
  return (cpu, insn) => {
    const d = rd(insn), n = rn(insn), m = rm(insn);
    if (bad(d) || bad(n) || bad(m)) return cpu.undefined();
    satFlag = false;
    let b = cpu.r[n] | 0;
    if (doubling) b = ssat(2 * b, 32);
    const a = cpu.r[m] | 0; // QADD Rd, Rm, Rn: Rm is the first operand
    const result = ssat(subtract ? a - b : a + b, 32);
    cpu.r[d] = result >>> 0;
    if (satFlag) cpu.q = 1;
  };
}

function sat16(signed: boolean): (cpu: DspCpu, insn: number) => void {
  return (cpu, insn) => {
    const d = rd(insn), n = rn(insn);
    if (bad(d) || bad(n)) return cpu.undefined();
    // SSAT16 saturates to sat_imm+1 bits (1..16), USAT16 to sat_imm bits (0..15).
    const bits = (insn & 15) + (signed ? 1 : 0);
    const v = cpu.r[n];
    satFlag = false;
    const lo = signed ? ssat(sext16(v), bits) : usat(sext16(v), bits);
    const hi = signed ? ssat(v >> 16, bits) : usat(v >> 16, bits);
    cpu.r[d] = (((hi & 0xffff) << 16) | (lo & 0xffff)) >>> 0;
    if (satFlag) cpu.q = 1;
  };
}

const saturateEncodings: DspEncoding[] = [
  { name: 'QADD T1', cls: 'dsp-saturate', pattern: '11111010 1000 xxxx 1111 xxxx 1000 xxxx', exec: qaddsub(false, false), requires: 'dsp' },
  { name: 'QDADD T1', cls: 'dsp-saturate', pattern: '11111010 1000 xxxx 1111 xxxx 1001 xxxx', exec: qaddsub(true, false), requires: 'dsp' },
  { name: 'QSUB T1', cls: 'dsp-saturate', pattern: '11111010 1000 xxxx 1111 xxxx 1010 xxxx', exec: qaddsub(false, true), requires: 'dsp' },
  { name: 'QDSUB T1', cls: 'dsp-saturate', pattern: '11111010 1000 xxxx 1111 xxxx 1011 xxxx', exec: qaddsub(true, true), requires: 'dsp' },
  // SSAT16: 11110 (0) 11 0010 Rn | 0 000 Rd 00 (0)(0) sat_imm(4)
  { name: 'SSAT16 T1', cls: 'dsp-saturate', pattern: '11110011 0010 xxxx 0000 xxxx 0000 xxxx', exec: sat16(true), requires: 'dsp' },
  { name: 'USAT16 T1', cls: 'dsp-saturate', pattern: '11110011 1010 xxxx 0000 xxxx 0000 xxxx', exec: sat16(false), requires: 'dsp' },
];

// ---------------------------------------------------------------------------------------
// SEL, USAD8/USADA8

function sel(cpu: DspCpu, insn: number): void {
  const d = rd(insn), n = rn(insn), m = rm(insn);
  if (bad(d) || bad(n) || bad(m)) return cpu.undefined();
  const ge = cpu.ge;
  // Byte i comes from Rn when GE[i] is set, else from Rm.
  const mask = (ge & 1 ? 0xff : 0) | (ge & 2 ? 0xff00 : 0) | (ge & 4 ? 0xff0000 : 0) | (ge & 8 ? 0xff000000 : 0);
  cpu.r[d] = ((cpu.r[n] & mask) | (cpu.r[m] & ~mask)) >>> 0;
}

function usad8(cpu: DspCpu, insn: number): void {
  const d = rd(insn), n = rn(insn), m = rm(insn), a = ra(insn);
  if (bad(d) || bad(n) || bad(m) || a === 13) return cpu.undefined();
  const vn = cpu.r[n], vm = cpu.r[m];
  let sum = a === 15 ? 0 : cpu.r[a]; // Ra == 1111 is USAD8
  for (let s = 0; s < 32; s += 8) sum += Math.abs(((vn >>> s) & 0xff) - ((vm >>> s) & 0xff));
  cpu.r[d] = sum >>> 0;
}

// ---------------------------------------------------------------------------------------
// PKHBT / PKHTB: 11101010 110 S Rn | (0) imm3 Rd imm2 tb T Rm (S = T = 0, else UNDEFINED)

function pkh(cpu: DspCpu, insn: number): void {
  const d = rd(insn), n = rn(insn), m = rm(insn);
  if (bad(d) || bad(n) || bad(m)) return cpu.undefined();
  const imm = ((insn >>> 10) & 0x1c) | ((insn >>> 6) & 3);
  const vn = cpu.r[n], vm = cpu.r[m];
  if (insn & 0x20) {
    // PKHTB: top from Rn, bottom from Rm ASR imm (imm 0 encodes ASR #32)
    const sh = (imm === 0 ? 31 : imm); // ASR #32 and ASR #31 give the same low halfword
    cpu.r[d] = ((vn & 0xffff0000) | (((vm | 0) >> sh) & 0xffff)) >>> 0;
  } else {
    // PKHBT: bottom from Rn, top from Rm LSL imm
    cpu.r[d] = (((vm << imm) & 0xffff0000) | (vn & 0xffff)) >>> 0;
  }
}

// ---------------------------------------------------------------------------------------
// Extend and add: 11111010 0 op(3) Rn | 1111 Rd 1 (0) rotate(2) Rm. Rn == 1111 selects the
// non-accumulating form, which for the 16-bit-pair ones (SXTB16/UXTB16) is DSP too; plain
// SXTB/SXTH/UXTB/UXTH are base ARMv7-M and live with the core encodings.

type Ext = 'SXTAB' | 'SXTAH' | 'SXTAB16' | 'UXTAB' | 'UXTAH' | 'UXTAB16';

function extend(kind: Ext, accumulate: boolean): (cpu: DspCpu, insn: number) => void {
  return (cpu, insn) => {
    const d = rd(insn), n = rn(insn), m = rm(insn);
    if (bad(d) || bad(m) || (accumulate && n === 13)) return cpu.undefined();
    const rotated = ror(cpu.r[m], ((insn >>> 4) & 3) * 8);
    const vn = accumulate ? cpu.r[n] : 0;
    let result: number;
    switch (kind) {
      case 'SXTAB': result = vn + sext8(rotated & 0xff); break;
      case 'SXTAH': result = vn + sext16(rotated & 0xffff); break;
      case 'UXTAB': result = vn + (rotated & 0xff); break;
      case 'UXTAH': result = vn + (rotated & 0xffff); break;
      default: {
        // *XTAB16: bytes 0 and 2 of the rotated value, extended and added per halfword
        const b0 = rotated & 0xff, b2 = (rotated >>> 16) & 0xff;
        const e0 = kind === 'SXTAB16' ? sext8(b0) : b0;
        const e2 = kind === 'SXTAB16' ? sext8(b2) : b2;
        const lo = (vn + e0) & 0xffff;
        const hi = ((vn >>> 16) + e2) & 0xffff;
        result = (hi << 16) | lo;
      }
    }
    cpu.r[d] = result >>> 0;
  };
}

const EXT_OP: Record<Ext, string> = { SXTAH: '000', UXTAH: '001', SXTAB16: '010', UXTAB16: '011', SXTAB: '100', UXTAB: '101' };
const extendEncodings: DspEncoding[] = [];
for (const kind of ['SXTAB', 'SXTAH', 'SXTAB16', 'UXTAB', 'UXTAH', 'UXTAB16'] as Ext[]) {
  extendEncodings.push({
    name: `${kind} T1`,
    cls: 'dsp-extend',
    pattern: `11111010 0${EXT_OP[kind]} xxxx 1111 xxxx 10xx xxxx`,
    exec: extend(kind, true),
    requires: 'dsp',
  });
}
// The Rn == 1111 forms: SXTB16/UXTB16 are DSP; SXTAB/SXTAH/UXTAB/UXTAH with Rn == 1111 are
// the base SXTB/SXTH/UXTB/UXTH and are deliberately not claimed here.
extendEncodings.push(
  { name: 'SXTB16 T1', cls: 'dsp-extend', pattern: '11111010 0010 1111 1111 xxxx 10xx xxxx', exec: extend('SXTAB16', false), requires: 'dsp' },
  { name: 'UXTB16 T1', cls: 'dsp-extend', pattern: '11111010 0011 1111 1111 xxxx 10xx xxxx', exec: extend('UXTAB16', false), requires: 'dsp' },
);

// ---------------------------------------------------------------------------------------
// Multiplies with a 32-bit result: 11111011 0 op1(3) Rn | Ra Rd 00 op2(2) Rm. Ra == 1111
// selects the non-accumulating form (SMUL*, SMUAD, SMUSD, SMMUL, USAD8).

/** Operand halfword: `top` selects bits [31:16]; signed. */
const half = (v: number, top: number): number => (top ? v >> 16 : sext16(v));

/** SMLA<x><y> / SMUL<x><y>: N = hw2[5] picks Rn's half, M = hw2[4] picks Rm's half. */
function smlaxy(cpu: DspCpu, insn: number): void {
  const d = rd(insn), n = rn(insn), m = rm(insn), a = ra(insn);
  if (bad(d) || bad(n) || bad(m) || a === 13) return cpu.undefined();
  const product = half(cpu.r[n], insn & 0x20) * half(cpu.r[m], insn & 0x10);
  if (a === 15) {
    cpu.r[d] = product >>> 0; // SMUL<x><y>: at most 2^30, never overflows
    return;
  }
  const result = product + (cpu.r[a] | 0);
  cpu.r[d] = result >>> 0;
  if (result !== (result | 0)) cpu.q = 1;
}

/** SMLAW<y> / SMULW<y>: (Rn * half(Rm)) >> 16, plus Ra. */
function smlawy(cpu: DspCpu, insn: number): void {
  const d = rd(insn), n = rn(insn), m = rm(insn), a = ra(insn);
  if (bad(d) || bad(n) || bad(m) || a === 13) return cpu.undefined();
  // The 48-bit product fits a double exactly; (Ra << 16) keeps it under 2^48.
  let result = (cpu.r[n] | 0) * half(cpu.r[m], insn & 0x10);
  if (a !== 15) result += (cpu.r[a] | 0) * 65536;
  const top = Math.floor(result / 65536); // result<47:16> as a signed value
  cpu.r[d] = top >>> 0; // ToUint32 keeps result<47:16> modulo 2^32
  if (a !== 15 && top !== (top | 0)) cpu.q = 1;
}

/** SMLAD(X)/SMUAD(X) and SMLSD(X)/SMUSD(X): dual 16x16 products added or subtracted. */
function dual(subtract: boolean): (cpu: DspCpu, insn: number) => void {
  return (cpu, insn) => {
    const d = rd(insn), n = rn(insn), m = rm(insn), a = ra(insn);
    if (bad(d) || bad(n) || bad(m) || a === 13) return cpu.undefined();
    const vn = cpu.r[n];
    const vm = insn & 0x10 ? ror(cpu.r[m], 16) : cpu.r[m]; // X swaps Rm's halves
    const p1 = sext16(vn) * sext16(vm);
    const p2 = (vn >> 16) * (vm >> 16);
    let result = subtract ? p1 - p2 : p1 + p2;
    if (a !== 15) result += cpu.r[a] | 0;
    cpu.r[d] = result >>> 0;
    // SMUSD cannot overflow; SMUAD can (0x8000*0x8000 twice) and sets Q like SMLAD.
    if (result !== (result | 0)) cpu.q = 1;
  };
}

/** SMMLA(R) / SMMUL(R) / SMMLS(R): the top word of (Ra << 32) +/- Rn * Rm, R rounds. */
function smm(subtract: boolean): (cpu: DspCpu, insn: number) => void {
  return (cpu, insn) => {
    const d = rd(insn), n = rn(insn), m = rm(insn), a = ra(insn);
    // SMMLS has no non-accumulating form: Ra == PC is UNPREDICTABLE there.
    if (bad(d) || bad(n) || bad(m) || a === 13 || (subtract && a === 15)) return cpu.undefined();
    smul64(cpu.r[n], cpu.r[m]);
    if (subtract) {
      // negate the 64-bit product
      const lo = (-lo64) >>> 0;
      hi64 = (~hi64 + (lo64 === 0 ? 1 : 0)) >>> 0;
      lo64 = lo;
    }
    let h = hi64 + (a === 15 ? 0 : cpu.r[a]);
    if (insn & 0x10 && lo64 >= 0x80000000) h += 1; // rounding adds 0x80000000 to the low word
    cpu.r[d] = h >>> 0;
  };
}

const mulEncodings: DspEncoding[] = [
  { name: 'SMLA<x><y> T1', cls: 'dsp-multiply', pattern: '11111011 0001 xxxx xxxx xxxx 00xx xxxx', exec: smlaxy, requires: 'dsp' },
  { name: 'SMUL<x><y> T1', cls: 'dsp-multiply', pattern: '11111011 0001 xxxx 1111 xxxx 00xx xxxx', exec: smlaxy, requires: 'dsp' },
  { name: 'SMLAD T1', cls: 'dsp-multiply', pattern: '11111011 0010 xxxx xxxx xxxx 000x xxxx', exec: dual(false), requires: 'dsp' },
  { name: 'SMUAD T1', cls: 'dsp-multiply', pattern: '11111011 0010 xxxx 1111 xxxx 000x xxxx', exec: dual(false), requires: 'dsp' },
  { name: 'SMLAW<y> T1', cls: 'dsp-multiply', pattern: '11111011 0011 xxxx xxxx xxxx 000x xxxx', exec: smlawy, requires: 'dsp' },
  { name: 'SMULW<y> T1', cls: 'dsp-multiply', pattern: '11111011 0011 xxxx 1111 xxxx 000x xxxx', exec: smlawy, requires: 'dsp' },
  { name: 'SMLSD T1', cls: 'dsp-multiply', pattern: '11111011 0100 xxxx xxxx xxxx 000x xxxx', exec: dual(true), requires: 'dsp' },
  { name: 'SMUSD T1', cls: 'dsp-multiply', pattern: '11111011 0100 xxxx 1111 xxxx 000x xxxx', exec: dual(true), requires: 'dsp' },
  { name: 'SMMLA T1', cls: 'dsp-multiply', pattern: '11111011 0101 xxxx xxxx xxxx 000x xxxx', exec: smm(false), requires: 'dsp' },
  { name: 'SMMUL T1', cls: 'dsp-multiply', pattern: '11111011 0101 xxxx 1111 xxxx 000x xxxx', exec: smm(false), requires: 'dsp' },
  { name: 'SMMLS T1', cls: 'dsp-multiply', pattern: '11111011 0110 xxxx xxxx xxxx 000x xxxx', exec: smm(true), requires: 'dsp' },
  { name: 'USADA8 T1', cls: 'dsp-multiply', pattern: '11111011 0111 xxxx xxxx xxxx 0000 xxxx', exec: usad8, requires: 'dsp' },
  { name: 'USAD8 T1', cls: 'dsp-multiply', pattern: '11111011 0111 xxxx 1111 xxxx 0000 xxxx', exec: usad8, requires: 'dsp' },
];

// ---------------------------------------------------------------------------------------
// Long multiplies: 11111011 1 op1(3) Rn | RdLo RdHi op2(4) Rm

function longRegs(cpu: DspCpu, insn: number): boolean {
  const lo = ra(insn), hi = rd(insn), n = rn(insn), m = rm(insn);
  if (bad(lo) || bad(hi) || bad(n) || bad(m) || lo === hi) {
    cpu.undefined();
    return false;
  }
  return true;
}

/** SMLAL<x><y>: 64-bit accumulate of a 16x16 product; wraps, no Q. */
function smlalxy(cpu: DspCpu, insn: number): void {
  if (!longRegs(cpu, insn)) return;
  const lo = ra(insn), hi = rd(insn);
  hi64 = cpu.r[hi];
  lo64 = cpu.r[lo];
  add64(half(cpu.r[rn(insn)], insn & 0x20) * half(cpu.r[rm(insn)], insn & 0x10));
  cpu.r[hi] = hi64;
  cpu.r[lo] = lo64;
}

/** SMLALD(X) / SMLSLD(X): 64-bit accumulate of two 16x16 products. */
function dualLong(subtract: boolean): (cpu: DspCpu, insn: number) => void {
  return (cpu, insn) => {
    if (!longRegs(cpu, insn)) return;
    const lo = ra(insn), hi = rd(insn);
    const vn = cpu.r[rn(insn)];
    const vm = insn & 0x10 ? ror(cpu.r[rm(insn)], 16) : cpu.r[rm(insn)];
    const p1 = sext16(vn) * sext16(vm);
    const p2 = (vn >> 16) * (vm >> 16);
    hi64 = cpu.r[hi];
    lo64 = cpu.r[lo];
    add64(subtract ? p1 - p2 : p1 + p2);
    cpu.r[hi] = hi64;
    cpu.r[lo] = lo64;
  };
}

/** UMAAL: RdHi:RdLo = Rn * Rm + RdHi + RdLo (cannot overflow 64 bits). */
function umaal(cpu: DspCpu, insn: number): void {
  if (!longRegs(cpu, insn)) return;
  const lo = ra(insn), hi = rd(insn);
  const addend = cpu.r[hi] + cpu.r[lo]; // < 2^33, exact
  umul64(cpu.r[rn(insn)], cpu.r[rm(insn)]);
  add64(addend);
  cpu.r[hi] = hi64;
  cpu.r[lo] = lo64;
}

const longEncodings: DspEncoding[] = [
  { name: 'SMLAL<x><y> T1', cls: 'dsp-long-multiply', pattern: '11111011 1100 xxxx xxxx xxxx 10xx xxxx', exec: smlalxy, requires: 'dsp' },
  { name: 'SMLALD T1', cls: 'dsp-long-multiply', pattern: '11111011 1100 xxxx xxxx xxxx 110x xxxx', exec: dualLong(false), requires: 'dsp' },
  { name: 'SMLSLD T1', cls: 'dsp-long-multiply', pattern: '11111011 1101 xxxx xxxx xxxx 110x xxxx', exec: dualLong(true), requires: 'dsp' },
  { name: 'UMAAL T1', cls: 'dsp-long-multiply', pattern: '11111011 1110 xxxx xxxx xxxx 0110 xxxx', exec: umaal, requires: 'dsp' },
];

// ---------------------------------------------------------------------------------------

const packEncodings: DspEncoding[] = [
  { name: 'PKHBT, PKHTB T1', cls: 'dsp-pack', pattern: '11101010 1100 xxxx 0xxx xxxx xxx0 xxxx', exec: pkh, requires: 'dsp' },
  { name: 'SEL T1', cls: 'dsp-select', pattern: '11111010 1010 xxxx 1111 xxxx 1000 xxxx', exec: sel, requires: 'dsp' },
];

/** Every ARMv7E-M DSP-extension encoding (ARMv7-M ARM, section A7.7). */
export const dspEncodings: Encoding[] = [
  ...parallelEncodings,
  ...saturateEncodings,
  ...packEncodings,
  ...extendEncodings,
  ...mulEncodings,
  ...longEncodings,
];
