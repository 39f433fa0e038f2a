// 32-bit multiplies and divides of ARMv7-M (A5.3.15, A5.3.16): MUL, MLA, MLS, the long
// multiplies UMULL/SMULL/UMLAL/SMLAL, and UDIV/SDIV (CCR.DIV_0_TRP decides whether a
// division by zero faults or gives 0). 64-bit products are computed exactly from 16-bit
// halves because a JS double holds only 53 bits; results go to module scratch variables.

import type { Cpu } from '../cpu.js';
import type { Encoding } from './encoding.js';

const enc = (name: string, cls: string, pattern: string, exec: (cpu: Cpu, i: number) => void): Encoding => ({ name, cls, pattern, exec });

const rnOf = (i: number): number => (i >>> 16) & 15;
const rdOf = (i: number): number => (i >>> 8) & 15;
const raOf = (i: number): number => (i >>> 12) & 15;

/** High and low words of the last 64-bit result. */
export let hi64 = 0;
export let lo64 = 0;

/** Unsigned 32 x 32 -> 64. */
export function umul64(a: number, b: number): void {
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const mid = ah * bl + al * bh; // < 2^33
  const low = al * bl + (mid % 65536) * 65536; // < 2^33
  lo64 = low >>> 0;
  hi64 = (ah * bh + Math.floor(mid / 65536) + Math.floor(low / 4294967296)) >>> 0;
}

/** Signed 32 x 32 -> 64 (operands given as unsigned bit patterns). */
export function smul64(a: number, b: number): void {
  umul64(a >>> 0, b >>> 0);
  let h = hi64;
  if (a & 0x80000000) h -= b >>> 0;
  if (b & 0x80000000) h -= a >>> 0;
  hi64 = h >>> 0;
}

/** (hi64:lo64) += (hi:lo), modulo 2^64. */
export function add64(hi: number, lo: number): void {
  const low = lo64 + (lo >>> 0);
  lo64 = low >>> 0;
  hi64 = (hi64 + (hi >>> 0) + (low > 0xffffffff ? 1 : 0)) >>> 0;
}

function longMultiply(signed: boolean, accumulate: boolean) {
  return (cpu: Cpu, i: number): void => {
    const dLo = raOf(i);
    const dHi = rdOf(i);
    const r = cpu.r;
    if (signed) smul64(r[rnOf(i)], r[i & 15]);
    else umul64(r[rnOf(i)], r[i & 15]);
    if (accumulate) add64(r[dHi], r[dLo]);
    cpu.setR(dLo, lo64);
    cpu.setR(dHi, hi64);
  };
}

export function exec_MUL_T2(cpu: Cpu, i: number): void {
  cpu.setR(rdOf(i), Math.imul(cpu.r[rnOf(i)], cpu.r[i & 15]) >>> 0);
}

export function exec_MLA_T1(cpu: Cpu, i: number): void {
  cpu.setR(rdOf(i), (Math.imul(cpu.r[rnOf(i)], cpu.r[i & 15]) + cpu.r[raOf(i)]) >>> 0);
}

export function exec_MLS_T1(cpu: Cpu, i: number): void {
  cpu.setR(rdOf(i), (cpu.r[raOf(i)] - Math.imul(cpu.r[rnOf(i)], cpu.r[i & 15])) >>> 0);
}

export function exec_SDIV_T1(cpu: Cpu, i: number): void {
  const b = cpu.r[i & 15] | 0;
  let q = 0;
  if (b === 0) cpu.divideByZero();
  else q = Math.trunc((cpu.r[rnOf(i)] | 0) / b);
  cpu.setR(rdOf(i), q >>> 0);
}

export function exec_UDIV_T1(cpu: Cpu, i: number): void {
  const b = cpu.r[i & 15];
  let q = 0;
  if (b === 0) cpu.divideByZero();
  else q = Math.floor(cpu.r[rnOf(i)] / b);
  cpu.setR(rdOf(i), q >>> 0);
}

export const multiply32Encodings: Encoding[] = [
  enc('MUL T2', 'multiply', '111110110 000 xxxx  1111 xxxx 0000 xxxx', exec_MUL_T2),
  enc('MLA T1', 'multiply', '111110110 000 xxxx  xxxx xxxx 0000 xxxx', exec_MLA_T1),
  enc('MLS T1', 'multiply', '111110110 000 xxxx  xxxx xxxx 0001 xxxx', exec_MLS_T1),
  enc('SMULL T1', 'long-multiply', '111110111 000 xxxx  xxxx xxxx 0000 xxxx', longMultiply(true, false)),
  enc('UMULL T1', 'long-multiply', '111110111 010 xxxx  xxxx xxxx 0000 xxxx', longMultiply(false, false)),
  enc('SMLAL T1', 'long-multiply', '111110111 100 xxxx  xxxx xxxx 0000 xxxx', longMultiply(true, true)),
  enc('UMLAL T1', 'long-multiply', '111110111 110 xxxx  xxxx xxxx 0000 xxxx', longMultiply(false, true)),
  enc('SDIV T1', 'divide', '111110111 001 xxxx  1111 xxxx 1111 xxxx', exec_SDIV_T1),
  enc('UDIV T1', 'divide', '111110111 011 xxxx  1111 xxxx 1111 xxxx', exec_UDIV_T1),
];
