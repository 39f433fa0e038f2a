// 32-bit branches and miscellaneous control (ARMv7-M ARM A5.3.4): B.W (conditional and
// not), BL, MSR/MRS to the special registers, the hints (NOP.W, YIELD.W, WFE.W, WFI.W,
// SEV.W, DBG), barriers (DSB, DMB, ISB: no-ops on this in-order model), CLREX and UDF.W.

import type { Cpu } from '../cpu.js';
import type { Encoding } from './encoding.js';
import { executionPriority } from '../exceptions.js';

const enc = (name: string, cls: string, pattern: string, exec: (cpu: Cpu, i: number) => void): Encoding => ({ name, cls, pattern, exec });

/** The 25-bit branch offset of B T4 and BL: S:I1:I2:imm10:imm11:'0', I = NOT(J XOR S). */
function branchOffset24(i: number): number {
  const s = (i >>> 26) & 1;
  const j1 = (i >>> 13) & 1;
  const j2 = (i >>> 11) & 1;
  const i1 = (j1 ^ s) ^ 1;
  const i2 = (j2 ^ s) ^ 1;
  const off = (s << 24) | (i1 << 23) | (i2 << 22) | (((i >>> 16) & 0x3ff) << 12) | ((i & 0x7ff) << 1);
  return (off << 7) >> 7;
}

/** MRS: the special register selected by SYSm. */
export function readSpecial(cpu: Cpu, sysm: number): number {
  switch (sysm >>> 3) {
    case 0: {
      let v = 0;
      if (sysm & 1) v |= cpu.ipsr;
      if ((sysm & 4) === 0) v |= cpu.config.dsp ? cpu.apsr : cpu.apsr & 0xf8000000;
      return v >>> 0; // the EPSR bits read as zero
    }
    case 1:
      if (!cpu.isPrivileged()) return 0;
      if ((sysm & 7) === 0) return cpu.msp;
      if ((sysm & 7) === 1) return cpu.psp;
      return 0;
    case 2:
      switch (sysm & 7) {
        case 0: return cpu.primask;
        case 1: case 2: return cpu.basepri;
        case 3: return cpu.faultmask;
        case 4: return cpu.control;
      }
      return 0;
  }
  return 0;
}

/** MSR: write the special register selected by SYSm; mask = hw2[11:10] for the APSR. */
export function writeSpecial(cpu: Cpu, sysm: number, mask: number, v: number): void {
  switch (sysm >>> 3) {
    case 0:
      if ((sysm & 4) === 0) {
        if (mask & 2) {
          cpu.n = v >>> 31;
          cpu.z = (v >>> 30) & 1;
          cpu.c = (v >>> 29) & 1;
          cpu.v = (v >>> 28) & 1;
          cpu.q = (v >>> 27) & 1;
        }
        if (mask & 1 && cpu.config.dsp) cpu.ge = (v >>> 16) & 0xf;
      }
      return;
    case 1:
      if (!cpu.isPrivileged()) return;
      if ((sysm & 7) === 0) cpu.msp = v;
      else if ((sysm & 7) === 1) cpu.psp = v;
      return;
    case 2: {
      if (!cpu.isPrivileged()) return;
      switch (sysm & 7) {
        case 0: cpu.primask = v & 1; return;
        case 1: cpu.basepri = v & 0xff; return;
        case 2: {
          const b = v & 0xff & cpu.nvic.priorityMask;
          if (b !== 0 && (b < cpu.basepri || cpu.basepri === 0)) cpu.basepri = b;
          return;
        }
        case 3:
          if (executionPriority(cpu) > -1) cpu.faultmask = v & 1;
          return;
        case 4: {
          let c = (cpu.control & ~1) | (v & 1);
          if (cpu.ipsr === 0) c = (c & ~2) | (v & 2);
          if (cpu.config.fpu) c = (c & ~4) | (v & 4);
          cpu.control = c;
          return;
        }
      }
    }
  }
}

export function exec_BL_T1(cpu: Cpu, i: number): void {
  const pc = cpu.r[15];
  cpu.r[14] = (pc | 1) >>> 0;
  cpu.branch(pc + branchOffset24(i));
}

export function exec_B_T3(cpu: Cpu, i: number): void {
  const cond = (i >>> 22) & 15;
  if ((cond & 0xe) === 0xe) cpu.undefined(); // that space is misc control, decoded below
  if (!cpu.conditionPassed(cond)) return;
  const s = (i >>> 26) & 1;
  const j1 = (i >>> 13) & 1;
  const j2 = (i >>> 11) & 1;
  const off = (s << 20) | (j2 << 19) | (j1 << 18) | (((i >>> 16) & 0x3f) << 12) | ((i & 0x7ff) << 1);
  cpu.branch(cpu.r[15] + ((off << 11) >> 11));
}

export function exec_B_T4(cpu: Cpu, i: number): void {
  cpu.branch(cpu.r[15] + branchOffset24(i));
}

export const control32Encodings: Encoding[] = [
  enc('B T3', 'branch', '11110 x xxxx xxxxxx  10 x 0 x xxxxxxxxxxx', exec_B_T3),
  enc('B T4', 'branch', '11110 x xxxxxxxxxx  10 x 1 x xxxxxxxxxxx', exec_B_T4),
  enc('BL T1', 'branch', '11110 x xxxxxxxxxx  11 x 1 x xxxxxxxxxxx', exec_BL_T1),
  enc('MSR T1', 'system', '11110 0 1110 0 0 xxxx  10 0 0 xx 00 xxxxxxxx', (cpu, i) => {
    writeSpecial(cpu, i & 0xff, (i >>> 10) & 3, cpu.r[(i >>> 16) & 15]);
  }),
  enc('MRS T1', 'system', '11110 0 1111 1 0 1111  10 0 0 xxxx xxxxxxxx', (cpu, i) => {
    cpu.setR((i >>> 8) & 15, readSpecial(cpu, i & 0xff));
  }),
  enc('NOP.W T2', 'hint', '11110 0 111 01 0 1111  10 0 0 0 000 00000000', () => {}),
  enc('YIELD.W T2', 'hint', '11110 0 111 01 0 1111  10 0 0 0 000 00000001', () => {}),
  enc('WFE.W T2', 'hint', '11110 0 111 01 0 1111  10 0 0 0 000 00000010', (cpu) => cpu.waitForEvent()),
  enc('WFI.W T2', 'hint', '11110 0 111 01 0 1111  10 0 0 0 000 00000011', (cpu) => cpu.waitForInterrupt()),
  enc('SEV.W T2', 'hint', '11110 0 111 01 0 1111  10 0 0 0 000 00000100', (cpu) => cpu.sendEvent()),
  enc('DBG T1', 'hint', '11110 0 111 01 0 1111  10 0 0 0 000 1111xxxx', () => {}),
  enc('NOP-compatible hint T2', 'hint', '11110 0 111 01 0 1111  10 0 0 0 000 xxxxxxxx', () => {}),
  enc('CLREX T1', 'exclusive', '11110 0 111 01 1 1111  10 0 0 1111 0010 1111', (cpu) => {
    cpu.exclusiveAddr = -1;
  }),
  enc('DSB T1', 'barrier', '11110 0 111 01 1 1111  10 0 0 1111 0100 xxxx', () => {}),
  enc('DMB T1', 'barrier', '11110 0 111 01 1 1111  10 0 0 1111 0101 xxxx', () => {}),
  enc('ISB T1', 'barrier', '11110 0 111 01 1 1111  10 0 0 1111 0110 xxxx', () => {}),
  enc('UDF T2', 'undefined', '111101111111 xxxx  1010 xxxxxxxxxxxx', (cpu) => cpu.undefined()),
];
