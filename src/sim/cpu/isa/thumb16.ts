// The 16-bit Thumb instructions (ARMv7-M ARM A5.2), every encoding.
// Low-register forms write r[] directly (they cannot name SP or PC); flags are set outside
// IT blocks only, as the "S" of 16-bit data processing depends on InITBlock().

import type { Cpu } from '../cpu.js';
import {
  type Encoding,
  addFlags,
  subFlags,
  nz,
  shiftC,
  SRType_LSL,
  SRType_LSR,
  SRType_ASR,
  SRType_ROR,
  signExtend,
} from './encoding.js';

const enc = (name: string, cls: string, pattern: string, exec: (cpu: Cpu, i: number) => void): Encoding => ({
  name,
  cls,
  pattern,
  exec,
});

/** Data-processing (register) T1 forms: Rdn = Rdn op Rm. */
function dpReg(cpu: Cpu, i: number, op: number): void {
  const r = cpu.r;
  const d = i & 7;
  const m = (i >>> 3) & 7;
  const sf = (cpu.itstate & 0xf) === 0;
  const a = r[d];
  const b = r[m];
  let res: number;
  switch (op) {
    case 0: // AND
      res = (a & b) >>> 0;
      break;
    case 1: // EOR
      res = (a ^ b) >>> 0;
      break;
    case 2: // LSL (register)
      res = shiftC(cpu, a, SRType_LSL, b & 0xff, sf);
      break;
    case 3: // LSR (register)
      res = shiftC(cpu, a, SRType_LSR, b & 0xff, sf);
      break;
    case 4: // ASR (register)
      res = shiftC(cpu, a, SRType_ASR, b & 0xff, sf);
      break;
    case 5: // ADC
      if (sf) r[d] = addFlags(cpu, a, b, cpu.c);
      else r[d] = a + b + cpu.c;
      return;
    case 6: // SBC
      if (sf) r[d] = addFlags(cpu, a, ~b >>> 0, cpu.c);
      else r[d] = a + (~b >>> 0) + cpu.c;
      return;
    case 7: // ROR (register)
      res = shiftC(cpu, a, SRType_ROR, b & 0xff, sf);
      break;
    case 8: // TST
      nz(cpu, (a & b) >>> 0);
      return;
    case 9: // RSB #0 (NEG): Rd = 0 - Rm
      if (sf) r[d] = subFlags(cpu, 0, b);
      else r[d] = -b;
      return;
    case 10: // CMP (register) T1: Rn is the low field
      subFlags(cpu, a, b);
      return;
    case 11: // CMN
      addFlags(cpu, a, b, 0);
      return;
    case 12: // ORR
      res = (a | b) >>> 0;
      break;
    case 13: // MUL: N and Z only (C unchanged in ARMv7-M)
      res = Math.imul(a, b) >>> 0;
      break;
    case 14: // BIC
      res = (a & ~b) >>> 0;
      break;
    default: // MVN
      res = ~b >>> 0;
      break;
  }
  r[d] = res;
  if (sf) {
    cpu.n = res >>> 31;
    cpu.z = res === 0 ? 1 : 0;
  }
}

const DP_NAMES = ['AND', 'EOR', 'LSL (register)', 'LSR (register)', 'ASR (register)', 'ADC', 'SBC', 'ROR (register)', 'TST', 'RSB (immediate)', 'CMP (register)', 'CMN', 'ORR', 'MUL', 'BIC', 'MVN'];

/** All sixteen data-processing (register) T1 forms: the opcode is bits [9:6]. */
export function exec_data_processing_register_T1(cpu: Cpu, i: number): void {
  dpReg(cpu, i, (i >>> 6) & 15);
}

const dpEncodings: Encoding[] = DP_NAMES.map((name, op) =>
  enc(name.includes('(') ? `${name} T1` : `${name} (register) T1`, 'data-processing', `010000 ${op.toString(2).padStart(4, '0')} xxx xxx`, exec_data_processing_register_T1),
);

/** POP / LDM helpers: load registers in ascending order from addr. */
function popList(cpu: Cpu, list: number, addr: number): number {
  const r = cpu.r;
  for (let reg = 0; reg < 15; reg++) {
    if (list & (1 << reg)) {
      r[reg] = cpu.read32Aligned(addr);
      addr += 4;
    }
  }
  return addr;
}

function bitCount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export function exec_LSL_immediate_T1(cpu: Cpu, i: number): void {
  const r = cpu.r;
  const imm5 = (i >>> 6) & 31;
  const v = r[(i >>> 3) & 7];
  const sf = (cpu.itstate & 0xf) === 0;
  let res = v;
  if (imm5 !== 0) {
    res = (v << imm5) >>> 0;
    if (sf) cpu.c = (v >>> (32 - imm5)) & 1;
  }
  r[i & 7] = res;
  if (sf) {
    cpu.n = res >>> 31;
    cpu.z = res === 0 ? 1 : 0;
  }
}

export function exec_LSR_immediate_T1(cpu: Cpu, i: number): void {
  const r = cpu.r;
  const imm5 = (i >>> 6) & 31;
  const v = r[(i >>> 3) & 7];
  const sf = (cpu.itstate & 0xf) === 0;
  let res: number;
  let carry: number;
  if (imm5 === 0) {
    res = 0;
    carry = v >>> 31;
  } else {
    res = v >>> imm5;
    carry = (v >>> (imm5 - 1)) & 1;
  }
  r[i & 7] = res;
  if (sf) {
    cpu.c = carry;
    cpu.n = res >>> 31;
    cpu.z = res === 0 ? 1 : 0;
  }
}

export function exec_ASR_immediate_T1(cpu: Cpu, i: number): void {
  const r = cpu.r;
  const imm5 = (i >>> 6) & 31;
  const v = r[(i >>> 3) & 7];
  const sf = (cpu.itstate & 0xf) === 0;
  const amount = imm5 === 0 ? 32 : imm5;
  const res = (amount === 32 ? v >> 31 : v >> amount) >>> 0;
  r[i & 7] = res;
  if (sf) {
    cpu.c = amount === 32 ? v >>> 31 : (v >>> (amount - 1)) & 1;
    cpu.n = res >>> 31;
    cpu.z = res === 0 ? 1 : 0;
  }
}

export function exec_ADD_register_T1(cpu: Cpu, i: number): void {
  const r = cpu.r;
  const a = r[(i >>> 3) & 7];
  const b = r[(i >>> 6) & 7];
  if ((cpu.itstate & 0xf) === 0) r[i & 7] = addFlags(cpu, a, b, 0);
  else r[i & 7] = a + b;
}

export function exec_SUB_register_T1(cpu: Cpu, i: number): void {
  const r = cpu.r;
  const a = r[(i >>> 3) & 7];
  const b = r[(i >>> 6) & 7];
  if ((cpu.itstate & 0xf) === 0) r[i & 7] = subFlags(cpu, a, b);
  else r[i & 7] = a - b;
}

export function exec_ADD_immediate_T1(cpu: Cpu, i: number): void {
  const r = cpu.r;
  const a = r[(i >>> 3) & 7];
  const b = (i >>> 6) & 7;
  if ((cpu.itstate & 0xf) === 0) r[i & 7] = addFlags(cpu, a, b, 0);
  else r[i & 7] = a + b;
}

export function exec_SUB_immediate_T1(cpu: Cpu, i: number): void {
  const r = cpu.r;
  const a = r[(i >>> 3) & 7];
  const b = (i >>> 6) & 7;
  if ((cpu.itstate & 0xf) === 0) r[i & 7] = subFlags(cpu, a, b);
  else r[i & 7] = a - b;
}

export function exec_MOV_immediate_T1(cpu: Cpu, i: number): void {
  const v = i & 0xff;
  cpu.r[(i >>> 8) & 7] = v;
  if ((cpu.itstate & 0xf) === 0) {
    cpu.n = 0;
    cpu.z = v === 0 ? 1 : 0;
  }
}

export function exec_CMP_immediate_T1(cpu: Cpu, i: number): void {
  subFlags(cpu, cpu.r[(i >>> 8) & 7], i & 0xff);
}

export function exec_ADD_immediate_T2(cpu: Cpu, i: number): void {
  const r = cpu.r;
  const d = (i >>> 8) & 7;
  if ((cpu.itstate & 0xf) === 0) r[d] = addFlags(cpu, r[d], i & 0xff, 0);
  else r[d] = r[d] + (i & 0xff);
}

export function exec_SUB_immediate_T2(cpu: Cpu, i: number): void {
  const r = cpu.r;
  const d = (i >>> 8) & 7;
  if ((cpu.itstate & 0xf) === 0) r[d] = subFlags(cpu, r[d], i & 0xff);
  else r[d] = r[d] - (i & 0xff);
}

export function exec_ADD_register_T2(cpu: Cpu, i: number): void {
  const d = ((i >>> 4) & 8) | (i & 7);
  const m = (i >>> 3) & 15;
  const res = (cpu.r[d] + cpu.r[m]) >>> 0;
  cpu.setR(d, res);
}

export function exec_CMP_register_T2(cpu: Cpu, i: number): void {
  const n = ((i >>> 4) & 8) | (i & 7);
  subFlags(cpu, cpu.r[n], cpu.r[(i >>> 3) & 15]);
}

export function exec_MOV_register_T1(cpu: Cpu, i: number): void {
  const d = ((i >>> 4) & 8) | (i & 7);
  cpu.setR(d, cpu.r[(i >>> 3) & 15]);
}

export function exec_BX_T1(cpu: Cpu, i: number): void {
  cpu.bxWritePC(cpu.r[(i >>> 3) & 15]);
}

export function exec_BLX_register_T1(cpu: Cpu, i: number): void {
  const target = cpu.r[(i >>> 3) & 15];
  cpu.r[14] = ((cpu.r[15] - 2) | 1) >>> 0;
  cpu.bxWritePC(target);
}

export function exec_LDR_literal_T1(cpu: Cpu, i: number): void {
  cpu.r[(i >>> 8) & 7] = cpu.read32(((cpu.r[15] & ~3) >>> 0) + ((i & 0xff) << 2));
}

export function exec_STR_register_T1(cpu: Cpu, i: number): void {
  const r = cpu.r;
  cpu.write32(r[(i >>> 3) & 7] + r[(i >>> 6) & 7], r[i & 7]);
}

export function exec_STRH_register_T1(cpu: Cpu, i: number): void {
  const r = cpu.r;
  cpu.write16(r[(i >>> 3) & 7] + r[(i >>> 6) & 7], r[i & 7]);
}

export function exec_STRB_register_T1(cpu: Cpu, i: number): void {
  const r = cpu.r;
  cpu.write8(r[(i >>> 3) & 7] + r[(i >>> 6) & 7], r[i & 7]);
}

export function exec_LDRSB_register_T1(cpu: Cpu, i: number): void {
  const r = cpu.r;
  r[i & 7] = (cpu.read8(r[(i >>> 3) & 7] + r[(i >>> 6) & 7]) << 24) >> 24;
}

export function exec_LDR_register_T1(cpu: Cpu, i: number): void {
  const r = cpu.r;
  r[i & 7] = cpu.read32(r[(i >>> 3) & 7] + r[(i >>> 6) & 7]);
}

export function exec_LDRH_register_T1(cpu: Cpu, i: number): void {
  const r = cpu.r;
  r[i & 7] = cpu.read16(r[(i >>> 3) & 7] + r[(i >>> 6) & 7]);
}

export function exec_LDRB_register_T1(cpu: Cpu, i: number): void {
  const r = cpu.r;
  r[i & 7] = cpu.read8(r[(i >>> 3) & 7] + r[(i >>> 6) & 7]);
}

export function exec_LDRSH_register_T1(cpu: Cpu, i: number): void {
  const r = cpu.r;
  r[i & 7] = (cpu.read16(r[(i >>> 3) & 7] + r[(i >>> 6) & 7]) << 16) >> 16;
}

export function exec_STR_immediate_T1(cpu: Cpu, i: number): void {
  const r = cpu.r;
  cpu.write32(r[(i >>> 3) & 7] + ((i >>> 4) & 0x7c), r[i & 7]);
}

export function exec_LDR_immediate_T1(cpu: Cpu, i: number): void {
  const r = cpu.r;
  r[i & 7] = cpu.read32(r[(i >>> 3) & 7] + ((i >>> 4) & 0x7c));
}

export function exec_STRB_immediate_T1(cpu: Cpu, i: number): void {
  const r = cpu.r;
  cpu.write8(r[(i >>> 3) & 7] + ((i >>> 6) & 31), r[i & 7]);
}

export function exec_LDRB_immediate_T1(cpu: Cpu, i: number): void {
  const r = cpu.r;
  r[i & 7] = cpu.read8(r[(i >>> 3) & 7] + ((i >>> 6) & 31));
}

export function exec_STRH_immediate_T1(cpu: Cpu, i: number): void {
  const r = cpu.r;
  cpu.write16(r[(i >>> 3) & 7] + ((i >>> 5) & 0x3e), r[i & 7]);
}

export function exec_LDRH_immediate_T1(cpu: Cpu, i: number): void {
  const r = cpu.r;
  r[i & 7] = cpu.read16(r[(i >>> 3) & 7] + ((i >>> 5) & 0x3e));
}

export function exec_STR_immediate_T2(cpu: Cpu, i: number): void {
  const r = cpu.r;
  cpu.write32(r[13] + ((i & 0xff) << 2), r[(i >>> 8) & 7]);
}

export function exec_LDR_immediate_T2(cpu: Cpu, i: number): void {
  const r = cpu.r;
  r[(i >>> 8) & 7] = cpu.read32(r[13] + ((i & 0xff) << 2));
}

export function exec_ADR_T1(cpu: Cpu, i: number): void {
  cpu.r[(i >>> 8) & 7] = ((cpu.r[15] & ~3) >>> 0) + ((i & 0xff) << 2);
}

export function exec_ADD_SP_plus_immediate_T1(cpu: Cpu, i: number): void {
  cpu.r[(i >>> 8) & 7] = cpu.r[13] + ((i & 0xff) << 2);
}

export function exec_ADD_SP_plus_immediate_T2(cpu: Cpu, i: number): void {
  cpu.r[13] = cpu.r[13] + ((i & 0x7f) << 2);
}

export function exec_SUB_SP_minus_immediate_T1(cpu: Cpu, i: number): void {
  cpu.r[13] = cpu.r[13] - ((i & 0x7f) << 2);
}

export function exec_CBZ_CBNZ_T1(cpu: Cpu, i: number): void {
  const nonzero = (i >>> 11) & 1;
  const isZero = cpu.r[i & 7] === 0;
  if (isZero !== (nonzero === 1)) {
    cpu.branch(cpu.r[15] + (((i >>> 3) & 0x40) | ((i >>> 2) & 0x3e)));
  }
}

export function exec_SXTH_T1(cpu: Cpu, i: number): void {
  cpu.r[i & 7] = (cpu.r[(i >>> 3) & 7] << 16) >> 16;
}

export function exec_SXTB_T1(cpu: Cpu, i: number): void {
  cpu.r[i & 7] = (cpu.r[(i >>> 3) & 7] << 24) >> 24;
}

export function exec_UXTH_T1(cpu: Cpu, i: number): void {
  cpu.r[i & 7] = cpu.r[(i >>> 3) & 7] & 0xffff;
}

export function exec_UXTB_T1(cpu: Cpu, i: number): void {
  cpu.r[i & 7] = cpu.r[(i >>> 3) & 7] & 0xff;
}

export function exec_PUSH_T1(cpu: Cpu, i: number): void {
  const list = ((i & 0x100) << 6) | (i & 0xff);
  if (list === 0) cpu.undefined(); // UNPREDICTABLE; QEMU UNDEFs an empty list
  const r = cpu.r;
  let addr = r[13] - 4 * bitCount(list);
  const start = addr;
  for (let reg = 0; reg < 15; reg++) {
    if (list & (1 << reg)) {
      cpu.write32Aligned(addr, r[reg]);
      addr += 4;
    }
  }
  r[13] = start;
}

export function exec_CPS_T1(cpu: Cpu, i: number): void {
  if (!cpu.isPrivileged()) return;
  const disable = (i >>> 4) & 1;
  if (i & 2) cpu.primask = disable;
  if (i & 1) {
    // FAULTMASK cannot be set at NMI priority or higher
    if (!disable) cpu.faultmask = 0;
    else if (cpu.ipsr !== 2) cpu.faultmask = 1;
  }
}

export function exec_REV_T1(cpu: Cpu, i: number): void {
  const v = cpu.r[(i >>> 3) & 7];
  cpu.r[i & 7] = ((v >>> 24) | ((v >>> 8) & 0xff00) | ((v & 0xff00) << 8) | (v << 24)) >>> 0;
}

export function exec_REV16_T1(cpu: Cpu, i: number): void {
  const v = cpu.r[(i >>> 3) & 7];
  cpu.r[i & 7] = (((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8)) >>> 0;
}

export function exec_REVSH_T1(cpu: Cpu, i: number): void {
  const v = cpu.r[(i >>> 3) & 7];
  cpu.r[i & 7] = ((((v & 0xff) << 24) >> 16) | ((v >>> 8) & 0xff)) >>> 0;
}

export function exec_POP_T1(cpu: Cpu, i: number): void {
  const list = ((i & 0x100) << 7) | (i & 0xff);
  if (list === 0) cpu.undefined();
  const r = cpu.r;
  let addr = popList(cpu, list & 0x7fff, r[13]);
  let pcValue = 0;
  if (list & 0x8000) {
    pcValue = cpu.read32Aligned(addr);
    addr += 4;
  }
  r[13] = addr;
  if (list & 0x8000) cpu.loadWritePC(pcValue);
}

export function exec_BKPT_T1(cpu: Cpu, i: number): void {
  cpu.bkpt(i & 0xff);
}

export function exec_IT_T1(cpu: Cpu, i: number): void {
  if ((i & 0xf0) === 0xf0 || cpu.inITBlock()) cpu.undefined(); // UNPREDICTABLE forms
  cpu.itstate = i & 0xff;
}

export function exec_NOP_T1(): void {}

export function exec_YIELD_T1(): void {}

export function exec_WFE_T1(cpu: Cpu): void {
cpu.waitForEvent();
}

export function exec_WFI_T1(cpu: Cpu): void {
cpu.waitForInterrupt();
}

export function exec_SEV_T1(cpu: Cpu): void {
cpu.sendEvent();
}

export function exec_NOP_compatible_hint_T1(): void {}

export function exec_STM_T1(cpu: Cpu, i: number): void {
  const list = i & 0xff;
  if (list === 0) cpu.undefined();
  const r = cpu.r;
  const n = (i >>> 8) & 7;
  let addr = r[n];
  for (let reg = 0; reg < 8; reg++) {
    if (list & (1 << reg)) {
      cpu.write32Aligned(addr, r[reg]);
      addr += 4;
    }
  }
  r[n] = addr;
}

export function exec_LDM_T1(cpu: Cpu, i: number): void {
  const list = i & 0xff;
  if (list === 0) cpu.undefined();
  const r = cpu.r;
  const n = (i >>> 8) & 7;
  const end = popList(cpu, list, r[n]);
  if ((list & (1 << n)) === 0) r[n] = end;
}

export function exec_B_T1(cpu: Cpu, i: number): void {
  if (cpu.conditionPassed((i >>> 8) & 15)) cpu.branch(cpu.r[15] + (((i & 0xff) << 24) >> 23));
}

export function exec_UDF_T1(cpu: Cpu): void {
cpu.undefined();
}

export function exec_SVC_T1(cpu: Cpu): void {
cpu.svc();
}

export function exec_B_T2(cpu: Cpu, i: number): void {
  cpu.branch(cpu.r[15] + signExtend((i & 0x7ff) << 1, 12));
}

export const thumb16Encodings: Encoding[] = [
  // ---- shift (immediate), add, subtract, move, compare -------------------------------
  enc('LSL (immediate) T1', 'shift', '00000 xxxxx xxx xxx', exec_LSL_immediate_T1),
  enc('LSR (immediate) T1', 'shift', '00001 xxxxx xxx xxx', exec_LSR_immediate_T1),
  enc('ASR (immediate) T1', 'shift', '00010 xxxxx xxx xxx', exec_ASR_immediate_T1),
  enc('ADD (register) T1', 'add-sub', '0001100 xxx xxx xxx', exec_ADD_register_T1),
  enc('SUB (register) T1', 'add-sub', '0001101 xxx xxx xxx', exec_SUB_register_T1),
  enc('ADD (immediate) T1', 'add-sub', '0001110 xxx xxx xxx', exec_ADD_immediate_T1),
  enc('SUB (immediate) T1', 'add-sub', '0001111 xxx xxx xxx', exec_SUB_immediate_T1),
  enc('MOV (immediate) T1', 'move', '00100 xxx xxxxxxxx', exec_MOV_immediate_T1),
  enc('CMP (immediate) T1', 'compare', '00101 xxx xxxxxxxx', exec_CMP_immediate_T1),
  enc('ADD (immediate) T2', 'add-sub', '00110 xxx xxxxxxxx', exec_ADD_immediate_T2),
  enc('SUB (immediate) T2', 'add-sub', '00111 xxx xxxxxxxx', exec_SUB_immediate_T2),

  // ---- data processing (register) -----------------------------------------------------
  ...dpEncodings,

  // ---- special data instructions and branch and exchange --------------------------------
  enc('ADD (register) T2', 'add-sub', '01000100 x xxxx xxx', exec_ADD_register_T2),
  enc('CMP (register) T2', 'compare', '01000101 x xxxx xxx', exec_CMP_register_T2),
  enc('MOV (register) T1', 'move', '01000110 x xxxx xxx', exec_MOV_register_T1),
  enc('BX T1', 'branch', '010001110 xxxx 000', exec_BX_T1),
  enc('BLX (register) T1', 'branch', '010001111 xxxx 000', exec_BLX_register_T1),

  // ---- loads and stores -----------------------------------------------------------------
  enc('LDR (literal) T1', 'load', '01001 xxx xxxxxxxx', exec_LDR_literal_T1),
  enc('STR (register) T1', 'store', '0101000 xxx xxx xxx', exec_STR_register_T1),
  enc('STRH (register) T1', 'store', '0101001 xxx xxx xxx', exec_STRH_register_T1),
  enc('STRB (register) T1', 'store', '0101010 xxx xxx xxx', exec_STRB_register_T1),
  enc('LDRSB (register) T1', 'load', '0101011 xxx xxx xxx', exec_LDRSB_register_T1),
  enc('LDR (register) T1', 'load', '0101100 xxx xxx xxx', exec_LDR_register_T1),
  enc('LDRH (register) T1', 'load', '0101101 xxx xxx xxx', exec_LDRH_register_T1),
  enc('LDRB (register) T1', 'load', '0101110 xxx xxx xxx', exec_LDRB_register_T1),
  enc('LDRSH (register) T1', 'load', '0101111 xxx xxx xxx', exec_LDRSH_register_T1),
  enc('STR (immediate) T1', 'store', '01100 xxxxx xxx xxx', exec_STR_immediate_T1),
  enc('LDR (immediate) T1', 'load', '01101 xxxxx xxx xxx', exec_LDR_immediate_T1),
  enc('STRB (immediate) T1', 'store', '01110 xxxxx xxx xxx', exec_STRB_immediate_T1),
  enc('LDRB (immediate) T1', 'load', '01111 xxxxx xxx xxx', exec_LDRB_immediate_T1),
  enc('STRH (immediate) T1', 'store', '10000 xxxxx xxx xxx', exec_STRH_immediate_T1),
  enc('LDRH (immediate) T1', 'load', '10001 xxxxx xxx xxx', exec_LDRH_immediate_T1),
  enc('STR (immediate) T2', 'store', '10010 xxx xxxxxxxx', exec_STR_immediate_T2),
  enc('LDR (immediate) T2', 'load', '10011 xxx xxxxxxxx', exec_LDR_immediate_T2),

  // ---- PC/SP-relative addresses ------------------------------------------------------------
  enc('ADR T1', 'address', '10100 xxx xxxxxxxx', exec_ADR_T1),
  enc('ADD (SP plus immediate) T1', 'address', '10101 xxx xxxxxxxx', exec_ADD_SP_plus_immediate_T1),

  // ---- miscellaneous 16-bit instructions -------------------------------------------------
  enc('ADD (SP plus immediate) T2', 'address', '101100000 xxxxxxx', exec_ADD_SP_plus_immediate_T2),
  enc('SUB (SP minus immediate) T1', 'address', '101100001 xxxxxxx', exec_SUB_SP_minus_immediate_T1),
  enc('CBZ/CBNZ T1', 'branch', '1011 x 0 x 1 xxxxx xxx', exec_CBZ_CBNZ_T1),
  enc('SXTH T1', 'extend', '1011001000 xxx xxx', exec_SXTH_T1),
  enc('SXTB T1', 'extend', '1011001001 xxx xxx', exec_SXTB_T1),
  enc('UXTH T1', 'extend', '1011001010 xxx xxx', exec_UXTH_T1),
  enc('UXTB T1', 'extend', '1011001011 xxx xxx', exec_UXTB_T1),
  enc('PUSH T1', 'load-store-multiple', '1011010 x xxxxxxxx', exec_PUSH_T1),
  enc('CPS T1', 'system', '10110110011 x 00 x x', exec_CPS_T1),
  enc('REV T1', 'reverse', '1011101000 xxx xxx', exec_REV_T1),
  enc('REV16 T1', 'reverse', '1011101001 xxx xxx', exec_REV16_T1),
  enc('REVSH T1', 'reverse', '1011101011 xxx xxx', exec_REVSH_T1),
  enc('POP T1', 'load-store-multiple', '1011110 x xxxxxxxx', exec_POP_T1),
  enc('BKPT T1', 'system', '10111110 xxxxxxxx', exec_BKPT_T1),
  enc('IT T1', 'it', '10111111 xxxx xxxx', exec_IT_T1),
  enc('NOP T1', 'hint', '10111111 0000 0000', exec_NOP_T1),
  enc('YIELD T1', 'hint', '10111111 0001 0000', exec_YIELD_T1),
  enc('WFE T1', 'hint', '10111111 0010 0000', exec_WFE_T1),
  enc('WFI T1', 'hint', '10111111 0011 0000', exec_WFI_T1),
  enc('SEV T1', 'hint', '10111111 0100 0000', exec_SEV_T1),
  enc('NOP-compatible hint T1', 'hint', '10111111 xxxx 0000', exec_NOP_compatible_hint_T1),

  // ---- load/store multiple -----------------------------------------------------------------
  enc('STM T1', 'load-store-multiple', '11000 xxx xxxxxxxx', exec_STM_T1),
  enc('LDM T1', 'load-store-multiple', '11001 xxx xxxxxxxx', exec_LDM_T1),

  // ---- conditional branch, UDF, SVC, unconditional branch -----------------------------------
  enc('B T1', 'branch', '1101 xxxx xxxxxxxx', exec_B_T1),
  enc('UDF T1', 'undefined', '11011110 xxxxxxxx', exec_UDF_T1),
  enc('SVC T1', 'system', '11011111 xxxxxxxx', exec_SVC_T1),
  enc('B T2', 'branch', '11100 xxxxxxxxxxx', exec_B_T2),
];

export { bitCount, popList };
