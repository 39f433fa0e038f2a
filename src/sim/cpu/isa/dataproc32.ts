// 32-bit data processing (ARMv7-M ARM A5.3.1-A5.3.3, A5.3.11-A5.3.12):
// modified immediate, plain binary immediate (ADDW/SUBW/ADR/MOVW/MOVT/bitfields/saturate),
// shifted register, shifts by register, extends, and the miscellaneous operations
// (REV, REV16, RBIT, REVSH, CLZ). Register writes go through cpu.setR (PC writes branch
// and SP keeps bits [1:0] clear, as QEMU does for these UNPREDICTABLE choices).

import type { Cpu } from '../cpu.js';
import { type Encoding, addFlags, immShift, shiftC, thumbExpandImm, nz, SRType_ROR } from './encoding.js';

const enc = (name: string, cls: string, pattern: string, exec: (cpu: Cpu, i: number) => void): Encoding => ({ name, cls, pattern, exec });

const rnOf = (i: number): number => (i >>> 16) & 15;
const rdOf = (i: number): number => (i >>> 8) & 15;
const rmOf = (i: number): number => i & 15;
const imm12Of = (i: number): number => ((i >>> 15) & 0x800) | ((i >>> 4) & 0x700) | (i & 0xff);
const imm5Of = (i: number): number => ((i >>> 10) & 0x1c) | ((i >>> 6) & 3);

// The data-processing operations shared by the immediate and register forms (op = hw1[8:5]).
const OP_AND = 0, OP_BIC = 1, OP_ORR = 2, OP_ORN = 3, OP_EOR = 4, OP_ADD = 8, OP_ADC = 10, OP_SBC = 11, OP_SUB = 13, OP_RSB = 14;

/** Rd = a op b, flags when S (logical ops take C from the shifter, already in cpu.c). */
function dataOp(cpu: Cpu, op: number, a: number, b: number, s: boolean): number {
  let res: number;
  switch (op) {
    case OP_AND: res = (a & b) >>> 0; break;
    case OP_BIC: res = (a & ~b) >>> 0; break;
    case OP_ORR: res = (a | b) >>> 0; break;
    case OP_ORN: res = (a | ~b) >>> 0; break;
    case OP_EOR: res = (a ^ b) >>> 0; break;
    case OP_ADD: return s ? addFlags(cpu, a, b, 0) : (a + b) >>> 0;
    case OP_ADC: return s ? addFlags(cpu, a, b, cpu.c) : (a + b + cpu.c) >>> 0;
    case OP_SBC: return s ? addFlags(cpu, a, ~b >>> 0, cpu.c) : (a + (~b >>> 0) + cpu.c) >>> 0;
    case OP_SUB: return s ? addFlags(cpu, a, ~b >>> 0, 1) : (a - b) >>> 0;
    default: return s ? addFlags(cpu, ~a >>> 0, b, 1) : (b - a) >>> 0; // RSB
  }
  if (s) nz(cpu, res);
  return res;
}

const isLogical = (op: number): boolean => op < 8;

const DP_OPS: [string, number, string][] = [
  ['AND', OP_AND, '0000'], ['BIC', OP_BIC, '0001'], ['ORR', OP_ORR, '0010'], ['ORN', OP_ORN, '0011'],
  ['EOR', OP_EOR, '0100'], ['ADD', OP_ADD, '1000'], ['ADC', OP_ADC, '1010'], ['SBC', OP_SBC, '1011'],
  ['SUB', OP_SUB, '1101'], ['RSB', OP_RSB, '1110'],
];

/** ThumbExpandImm of every 12-bit i:imm3:imm8, computed once. */
const EXPANDED = new Uint32Array(4096);
{
  const scratch = { c: 0 } as unknown as Cpu;
  for (let k = 0; k < 4096; k++) EXPANDED[k] = thumbExpandImm(scratch, k, false);
}

/**
 * Every data-processing (modified immediate) form in one handler: the op is hw1[8:5]. Rn = PC
 * in ORR/ORN is MOV/MVN; Rd = PC with S is the compare form (TST/TEQ/CMN/CMP): flags only.
 */
export function exec_dp_modified_immediate(cpu: Cpu, i: number): void {
  const op = (i >>> 21) & 15;
  const s = (i & 0x100000) !== 0;
  const n = rnOf(i);
  const d = rdOf(i);
  const imm12 = imm12Of(i);
  const imm = EXPANDED[imm12];
  // the rotated forms set C to bit 31 of the constant in flag-setting logical operations
  if (s && op < 8 && (imm12 & 0xc00) !== 0) cpu.c = imm >>> 31;
  const a = n === 15 && (op === OP_ORR || op === OP_ORN) ? 0 : cpu.r[n];
  const res = dataOp(cpu, op, a, imm, s);
  if (d !== 15 || !s) cpu.setR(d, res);
}

/** Every data-processing (shifted register) form in one handler, as above. */
export function exec_dp_shifted_register(cpu: Cpu, i: number): void {
  const op = (i >>> 21) & 15;
  const s = (i & 0x100000) !== 0;
  const n = rnOf(i);
  const d = rdOf(i);
  const b = immShift(cpu, cpu.r[rmOf(i)], (i >>> 4) & 3, imm5Of(i), s && op < 8);
  const a = n === 15 && (op === OP_ORR || op === OP_ORN) ? 0 : cpu.r[n];
  const res = dataOp(cpu, op, a, b, s);
  if (d !== 15 || !s) cpu.setR(d, res);
}

const modifiedImmediate = (_op: number) => exec_dp_modified_immediate;
const shiftedRegister = (_op: number) => exec_dp_shifted_register;
const compareImmediate = (_op: number) => exec_dp_modified_immediate;
const compareRegister = (_op: number) => exec_dp_shifted_register;

const modImmEncodings: Encoding[] = DP_OPS.map(([name, op, bits]) =>
  enc(`${name} (immediate) T${op === OP_ADD || op === OP_SUB ? 3 : op === OP_RSB ? 2 : 1}`, 'data-processing-immediate', `11110 x 0 ${bits} x xxxx  0 xxx xxxx xxxxxxxx`, modifiedImmediate(op)),
);
const shiftedEncodings: Encoding[] = DP_OPS.map(([name, op, bits]) =>
  enc(`${name} (register) T${op === OP_ADD || op === OP_SUB ? 3 : op === OP_RSB ? 1 : 2}`, 'data-processing-register', `1110101 ${bits} x xxxx  0 xxx xxxx xx xx xxxx`, shiftedRegister(op)),
);

// ---- saturation and bitfields ------------------------------------------------------------

/** SignedSatQ: clamps to `bits` bits (1..32) and sets Q when it clamped. */
function signedSat(cpu: Cpu, v: number, bits: number): number {
  const max = 2 ** (bits - 1) - 1;
  const min = -(2 ** (bits - 1));
  if (v > max) { cpu.q = 1; return max; }
  if (v < min) { cpu.q = 1; return min; }
  return v;
}
function unsignedSat(cpu: Cpu, v: number, bits: number): number {
  const max = 2 ** bits - 1;
  if (v > max) { cpu.q = 1; return max; }
  if (v < 0) { cpu.q = 1; return 0; }
  return v;
}
/** The shifted operand of SSAT/USAT: LSL #imm or ASR #imm (imm 0 with sh = ASR #32 is SSAT16/USAT16). */
function satOperand(cpu: Cpu, i: number): number {
  const v = cpu.r[rnOf(i)] | 0;
  const imm = imm5Of(i);
  if (i & 0x200000) return imm === 0 ? cpu.undefined() : v >> imm; // ASR
  return (v << imm) | 0; // LSL, as a signed 32-bit value
}

export function exec_ADD_immediate_T4(cpu: Cpu, i: number): void {
  const n = rnOf(i);
  const imm = imm12Of(i);
  // Rn = PC is ADR T3: Align(PC, 4) + imm
  const base = n === 15 ? (cpu.r[15] & ~3) >>> 0 : cpu.r[n];
  cpu.setR(rdOf(i), base + imm);
}

export function exec_SUB_immediate_T4(cpu: Cpu, i: number): void {
  const n = rnOf(i);
  const imm = imm12Of(i);
  const base = n === 15 ? (cpu.r[15] & ~3) >>> 0 : cpu.r[n];
  cpu.setR(rdOf(i), (base - imm) >>> 0);
}

export function exec_MOV_immediate_T3(cpu: Cpu, i: number): void {
  cpu.setR(rdOf(i), ((i >>> 4) & 0xf000) | imm12Of(i));
}

export function exec_MOVT_T1(cpu: Cpu, i: number): void {
  const d = rdOf(i);
  const imm16 = ((i >>> 4) & 0xf000) | imm12Of(i);
  cpu.setR(d, ((imm16 << 16) | (cpu.r[d] & 0xffff)) >>> 0);
}

export function exec_SBFX_T1(cpu: Cpu, i: number): void {
  const lsb = imm5Of(i);
  const width = (i & 31) + 1;
  if (lsb + width > 32) cpu.undefined(); // UNPREDICTABLE
  const v = cpu.r[rnOf(i)];
  cpu.setR(rdOf(i), ((v << (32 - lsb - width)) >> (32 - width)) >>> 0);
}

export function exec_UBFX_T1(cpu: Cpu, i: number): void {
  const lsb = imm5Of(i);
  const width = (i & 31) + 1;
  if (lsb + width > 32) cpu.undefined();
  const v = cpu.r[rnOf(i)];
  cpu.setR(rdOf(i), width === 32 ? v : (v >>> lsb) & ((1 << width) - 1) >>> 0);
}

export function exec_BFI_T1(cpu: Cpu, i: number): void {
  const lsb = imm5Of(i);
  const msb = i & 31;
  if (msb < lsb) cpu.undefined(); // UNPREDICTABLE
  const n = rnOf(i);
  const d = rdOf(i);
  const width = msb - lsb + 1;
  const fieldMask = (width === 32 ? 0xffffffff : ((1 << width) - 1) << lsb) >>> 0;
  const src = n === 15 ? 0 : cpu.r[n] << lsb; // Rn = 1111 is BFC
  cpu.setR(d, ((cpu.r[d] & ~fieldMask) | (src & fieldMask)) >>> 0);
}

export function exec_REV_T2(cpu: Cpu, i: number): void {
  const v = cpu.r[rmOf(i)];
  cpu.setR(rdOf(i), ((v >>> 24) | ((v >>> 8) & 0xff00) | ((v & 0xff00) << 8) | (v << 24)) >>> 0);
}

export function exec_CLZ_T1(cpu: Cpu, i: number): void {
  cpu.setR(rdOf(i), Math.clz32(cpu.r[rmOf(i)]));
}

const plainImmediateEncodings: Encoding[] = [
  enc('ADD (immediate) T4', 'data-processing-immediate', '11110 x 1 0000 0 xxxx  0 xxx xxxx xxxxxxxx', exec_ADD_immediate_T4),
  enc('SUB (immediate) T4', 'data-processing-immediate', '11110 x 1 0101 0 xxxx  0 xxx xxxx xxxxxxxx', exec_SUB_immediate_T4),
  enc('ADR T3', 'address', '11110 x 1 0000 0 1111  0 xxx xxxx xxxxxxxx', (cpu, i) => {
    cpu.setR(rdOf(i), ((cpu.r[15] & ~3) >>> 0) + imm12Of(i));
  }),
  enc('ADR T2', 'address', '11110 x 1 0101 0 1111  0 xxx xxxx xxxxxxxx', (cpu, i) => {
    cpu.setR(rdOf(i), (((cpu.r[15] & ~3) >>> 0) - imm12Of(i)) >>> 0);
  }),
  enc('MOV (immediate) T3', 'move', '11110 x 1 0010 0 xxxx  0 xxx xxxx xxxxxxxx', exec_MOV_immediate_T3),
  enc('MOVT T1', 'move', '11110 x 1 0110 0 xxxx  0 xxx xxxx xxxxxxxx', exec_MOVT_T1),
  enc('SSAT T1', 'saturate', '11110 0 1 100 x 0 xxxx  0 xxx xxxx xx 0 xxxxx', (cpu, i) => {
    cpu.setR(rdOf(i), signedSat(cpu, satOperand(cpu, i), (i & 31) + 1) >>> 0);
  }),
  enc('USAT T1', 'saturate', '11110 0 1 110 x 0 xxxx  0 xxx xxxx xx 0 xxxxx', (cpu, i) => {
    cpu.setR(rdOf(i), unsignedSat(cpu, satOperand(cpu, i), i & 31) >>> 0);
  }),
  enc('SBFX T1', 'bitfield', '11110 0 1 1010 0 xxxx  0 xxx xxxx xx 0 xxxxx', exec_SBFX_T1),
  enc('UBFX T1', 'bitfield', '11110 0 1 1110 0 xxxx  0 xxx xxxx xx 0 xxxxx', exec_UBFX_T1),
  enc('BFI T1', 'bitfield', '11110 0 1 1011 0 xxxx  0 xxx xxxx xx 0 xxxxx', exec_BFI_T1),
  enc('BFC T1', 'bitfield', '11110 0 1 1011 0 1111  0 xxx xxxx xx 0 xxxxx', (cpu, i) => {
    const lsb = imm5Of(i);
    const msb = i & 31;
    if (msb < lsb) cpu.undefined();
    const d = rdOf(i);
    const width = msb - lsb + 1;
    const fieldMask = (width === 32 ? 0xffffffff : ((1 << width) - 1) << lsb) >>> 0;
    cpu.setR(d, (cpu.r[d] & ~fieldMask) >>> 0);
  }),
];

// Aliases and compare forms with their own names (more specific patterns than the generic ones).
const specialEncodings: Encoding[] = [
  enc('TST (immediate) T1', 'compare', '11110 x 0 0000 1 xxxx  0 xxx 1111 xxxxxxxx', compareImmediate(OP_AND)),
  enc('TEQ (immediate) T1', 'compare', '11110 x 0 0100 1 xxxx  0 xxx 1111 xxxxxxxx', compareImmediate(OP_EOR)),
  enc('CMN (immediate) T1', 'compare', '11110 x 0 1000 1 xxxx  0 xxx 1111 xxxxxxxx', compareImmediate(OP_ADD)),
  enc('CMP (immediate) T2', 'compare', '11110 x 0 1101 1 xxxx  0 xxx 1111 xxxxxxxx', compareImmediate(OP_SUB)),
  enc('MOV (immediate) T2', 'move', '11110 x 0 0010 x 1111  0 xxx xxxx xxxxxxxx', modifiedImmediate(OP_ORR)),
  enc('MVN (immediate) T1', 'move', '11110 x 0 0011 x 1111  0 xxx xxxx xxxxxxxx', modifiedImmediate(OP_ORN)),
  enc('TST (register) T2', 'compare', '1110101 0000 1 xxxx  0 xxx 1111 xx xx xxxx', compareRegister(OP_AND)),
  enc('TEQ (register) T1', 'compare', '1110101 0100 1 xxxx  0 xxx 1111 xx xx xxxx', compareRegister(OP_EOR)),
  enc('CMN (register) T2', 'compare', '1110101 1000 1 xxxx  0 xxx 1111 xx xx xxxx', compareRegister(OP_ADD)),
  enc('CMP (register) T3', 'compare', '1110101 1101 1 xxxx  0 xxx 1111 xx xx xxxx', compareRegister(OP_SUB)),
  enc('MOV (register) T3 / shift (immediate) T2', 'move', '1110101 0010 x 1111  0 xxx xxxx xx xx xxxx', shiftedRegister(OP_ORR)),
  enc('MVN (register) T2', 'move', '1110101 0011 x 1111  0 xxx xxxx xx xx xxxx', shiftedRegister(OP_ORN)),
];

// ---- data processing (register): shifts by register, extends, misc -------------------------

function shiftByRegister(type: number) {
  return (cpu: Cpu, i: number): void => {
    const s = (i & 0x100000) !== 0;
    const res = shiftC(cpu, cpu.r[rnOf(i)], type, cpu.r[rmOf(i)] & 0xff, s);
    if (s) nz(cpu, res);
    cpu.setR(rdOf(i), res);
  };
}

function extend(signed: boolean, bits: 8 | 16) {
  const sh = 32 - bits;
  return (cpu: Cpu, i: number): void => {
    const rot = ((i >>> 4) & 3) << 3;
    const v = shiftC(cpu, cpu.r[rmOf(i)], SRType_ROR, rot, false);
    cpu.setR(rdOf(i), (signed ? (v << sh) >> sh : (v << sh) >>> sh) >>> 0);
  };
}

function rbit(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) >>> 0;
}

const registerEncodings: Encoding[] = [
  enc('LSL (register) T2', 'shift', '11111010 0 00 x xxxx  1111 xxxx 0000 xxxx', shiftByRegister(0)),
  enc('LSR (register) T2', 'shift', '11111010 0 01 x xxxx  1111 xxxx 0000 xxxx', shiftByRegister(1)),
  enc('ASR (register) T2', 'shift', '11111010 0 10 x xxxx  1111 xxxx 0000 xxxx', shiftByRegister(2)),
  enc('ROR (register) T2', 'shift', '11111010 0 11 x xxxx  1111 xxxx 0000 xxxx', shiftByRegister(3)),
  enc('SXTH T2', 'extend', '11111010 0000 1111  1111 xxxx 10 xx xxxx', extend(true, 16)),
  enc('UXTH T2', 'extend', '11111010 0001 1111  1111 xxxx 10 xx xxxx', extend(false, 16)),
  enc('SXTB T2', 'extend', '11111010 0100 1111  1111 xxxx 10 xx xxxx', extend(true, 8)),
  enc('UXTB T2', 'extend', '11111010 0101 1111  1111 xxxx 10 xx xxxx', extend(false, 8)),
  enc('REV T2', 'reverse', '11111010 1001 xxxx  1111 xxxx 1000 xxxx', exec_REV_T2),
  enc('REV16 T2', 'reverse', '11111010 1001 xxxx  1111 xxxx 1001 xxxx', (cpu, i) => {
    const v = cpu.r[rmOf(i)];
    cpu.setR(rdOf(i), (((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8)) >>> 0);
  }),
  enc('RBIT T1', 'reverse', '11111010 1001 xxxx  1111 xxxx 1010 xxxx', (cpu, i) => {
    cpu.setR(rdOf(i), rbit(cpu.r[rmOf(i)]));
  }),
  enc('REVSH T2', 'reverse', '11111010 1001 xxxx  1111 xxxx 1011 xxxx', (cpu, i) => {
    const v = cpu.r[rmOf(i)];
    cpu.setR(rdOf(i), ((((v & 0xff) << 24) >> 16) | ((v >>> 8) & 0xff)) >>> 0);
  }),
  enc('CLZ T1', 'count', '11111010 1011 xxxx  1111 xxxx 1000 xxxx', exec_CLZ_T1),
];

export const dataProcessing32Encodings: Encoding[] = [
  ...modImmEncodings,
  ...shiftedEncodings,
  ...plainImmediateEncodings,
  ...specialEncodings,
  ...registerEncodings,
];

export { rbit };
