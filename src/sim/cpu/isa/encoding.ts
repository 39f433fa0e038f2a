// The shape of an instruction encoding (see docs/sim-core.md) and small helpers shared by
// the instruction class files: shifts with carry, immediate expansion, add-with-carry.
// All helpers keep 32-bit values unsigned and write flags straight into the core's fields.

import type { Cpu } from '../cpu.js';

export interface Encoding {
  /** Mnemonic and form, e.g. 'ADD (register) T3'. */
  name: string;
  /** Instruction class, for coverage statistics. */
  cls: string;
  /** '0'/'1'/'x' per bit: 16 chars (16-bit) or 32 chars (hw1 then hw2); spaces ignored. */
  pattern: string;
  /** insn = hw for 16-bit, (hw1 << 16 | hw2) >>> 0 for 32-bit. Runs only when the condition passed. */
  exec(cpu: Cpu, insn: number): void;
  requires?: 'dsp' | 'fpu' | 'fpu-dp';
}

export type Exec = (cpu: Cpu, insn: number) => void;

// Shift types as the ARM ARM numbers them (DecodeImmShift / DecodeRegShift).
export const SRType_LSL = 0;
export const SRType_LSR = 1;
export const SRType_ASR = 2;
export const SRType_ROR = 3;
export const SRType_RRX = 4;

/**
 * Shift_C with the carry written to `cpu.c` only when `setCarry` (the instruction sets flags).
 * `amount` is already decoded (DecodeImmShift applied by the caller).
 */
export function shiftC(cpu: Cpu, value: number, type: number, amount: number, setCarry: boolean): number {
  if (amount === 0 && type !== SRType_RRX) return value >>> 0;
  let result: number;
  let carry: number;
  switch (type) {
    case SRType_LSL:
      if (amount < 32) {
        result = (value << amount) >>> 0;
        carry = (value >>> (32 - amount)) & 1;
      } else {
        result = 0;
        carry = amount === 32 ? value & 1 : 0;
      }
      break;
    case SRType_LSR:
      if (amount < 32) {
        result = value >>> amount;
        carry = (value >>> (amount - 1)) & 1;
      } else {
        result = 0;
        carry = amount === 32 ? value >>> 31 : 0;
      }
      break;
    case SRType_ASR:
      if (amount < 32) {
        result = (value >> amount) >>> 0;
        carry = (value >> (amount - 1)) & 1;
      } else {
        result = (value >> 31) >>> 0;
        carry = value >>> 31;
      }
      break;
    case SRType_ROR: {
      const a = amount & 31;
      result = a === 0 ? value >>> 0 : ((value >>> a) | (value << (32 - a))) >>> 0;
      carry = result >>> 31;
      break;
    }
    default: // RRX
      result = ((cpu.c << 31) | (value >>> 1)) >>> 0;
      carry = value & 1;
      break;
  }
  if (setCarry) cpu.c = carry;
  return result;
}

/** DecodeImmShift(type, imm5) then Shift_C: returns the shifted value. */
export function immShift(cpu: Cpu, value: number, type: number, imm5: number, setCarry: boolean): number {
  if (imm5 === 0) {
    if (type === SRType_LSL) return value >>> 0;
    if (type === SRType_ROR) return shiftC(cpu, value, SRType_RRX, 1, setCarry);
    return shiftC(cpu, value, type, 32, setCarry);
  }
  return shiftC(cpu, value, type, imm5, setCarry);
}

/** ThumbExpandImm: i:imm3:imm8 (12 bits) to a 32-bit constant (the block translator uses it too). */
export function thumbExpandImmValue(imm12: number): number {
  if ((imm12 & 0xc00) === 0) {
    const b = imm12 & 0xff;
    switch ((imm12 >>> 8) & 3) {
      case 0: return b;
      case 1: return ((b << 16) | b) >>> 0;
      case 2: return ((b << 24) | (b << 8)) >>> 0;
      default: return ((b << 24) | (b << 16) | (b << 8) | b) >>> 0;
    }
  }
  const unrotated = 0x80 | (imm12 & 0x7f);
  const rot = imm12 >>> 7;
  return ((unrotated >>> rot) | (unrotated << (32 - rot))) >>> 0;
}

/** ThumbExpandImm_C: as thumbExpandImmValue; writes the carry when setCarry and the form rotates. */
export function thumbExpandImm(cpu: Cpu, imm12: number, setCarry: boolean): number {
  const result = thumbExpandImmValue(imm12);
  if (setCarry && (imm12 & 0xc00) !== 0) cpu.c = result >>> 31;
  return result;
}

/** AddWithCarry(a, b, carryIn), setting N Z C V. a and b unsigned 32-bit. */
export function addFlags(cpu: Cpu, a: number, b: number, carryIn: number): number {
  const sum = a + b + carryIn;
  const r = sum >>> 0;
  cpu.n = r >>> 31;
  cpu.z = r === 0 ? 1 : 0;
  cpu.c = sum > 0xffffffff ? 1 : 0;
  cpu.v = (~(a ^ b) & (a ^ r)) >>> 31;
  return r;
}

/** a - b with flags (AddWithCarry(a, NOT b, 1)). */
export function subFlags(cpu: Cpu, a: number, b: number): number {
  return addFlags(cpu, a, ~b >>> 0, 1);
}

export function nz(cpu: Cpu, r: number): void {
  cpu.n = r >>> 31;
  cpu.z = r === 0 ? 1 : 0;
}

/** Sign-extend the low `bits` bits of v. */
export function signExtend(v: number, bits: number): number {
  const s = 32 - bits;
  return (v << s) >> s;
}
