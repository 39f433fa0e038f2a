// 32-bit loads and stores (ARMv7-M ARM A5.3.5, A5.3.6, A5.3.7-A5.3.10): single loads and
// stores in every addressing form (imm12, imm8 with pre/post-index and writeback, register
// with LSL #imm2, literal, unprivileged), LDRD/STRD, the exclusives, TBB/TBH,
// LDM/STM/PUSH/POP, and the memory hints PLD/PLI (no-ops here).

import { type Cpu, Fault } from '../cpu.js';
import type { Encoding } from './encoding.js';
import { bitCount } from './thumb16.js';

const enc = (name: string, cls: string, pattern: string, exec: (cpu: Cpu, i: number) => void): Encoding => ({ name, cls, pattern, exec });

const rnOf = (i: number): number => (i >>> 16) & 15;
const rtOf = (i: number): number => (i >>> 12) & 15;

// Access kinds (for the names of the encodings).
type Kind = 'B' | 'SB' | 'H' | 'SH' | '';

/** Write a loaded value to Rt: word loads into PC are interworking branches. */
function writeLoaded(cpu: Cpu, t: number, v: number): void {
  if (t === 15) cpu.loadWritePC(v);
  else cpu.setR(t, v);
}

/** Literal form: Align(PC,4) +/- imm12 (U is hw1 bit 7). */
function literalAddress(cpu: Cpu, i: number): number {
  const base = (cpu.r[15] & ~3) >>> 0;
  const imm = i & 0xfff;
  return (i & 0x800000 ? base + imm : base - imm) >>> 0;
}

/** Rn = PC in a form that has no PC variant: a load is the literal form, a store UNDEFINED. */
function pcBased(cpu: Cpu, i: number, isLoad: boolean): void {
  if (!isLoad) cpu.undefined();
  writeLoaded(cpu, rtOf(i), loadSized(cpu, i, literalAddress(cpu, i)));
}

// The single loads and stores share handlers per addressing form; the access is in hw1:
// bit 8 S (sign-extend), bits [6:5] size (0 byte, 1 halfword, 2 word), bit 4 L (load).

function loadSized(cpu: Cpu, i: number, addr: number): number {
  switch ((i >>> 21) & 3) {
    case 0: return i & 0x1000000 ? ((cpu.read8(addr) << 24) >> 24) >>> 0 : cpu.read8(addr);
    case 1: return i & 0x1000000 ? ((cpu.read16(addr) << 16) >> 16) >>> 0 : cpu.read16(addr);
    default: return cpu.read32(addr);
  }
}

function storeSized(cpu: Cpu, i: number, addr: number, v: number): void {
  switch ((i >>> 21) & 3) {
    case 0: cpu.write8(addr, v); return;
    case 1: cpu.write16(addr, v); return;
    default: cpu.write32(addr, v); return;
  }
}

/** [Rn, #imm12] (Rn = PC: literal). */
export function exec_ldst_imm12(cpu: Cpu, i: number): void {
  const n = rnOf(i);
  if (i & 0x100000) {
    const addr = n === 15 ? literalAddress(cpu, i) : cpu.r[n] + (i & 0xfff);
    writeLoaded(cpu, rtOf(i), loadSized(cpu, i, addr));
  } else {
    if (n === 15) cpu.undefined();
    storeSized(cpu, i, cpu.r[n] + (i & 0xfff), cpu.r[rtOf(i)]);
  }
}

/** [Rn, #+/-imm8], [Rn, #+/-imm8]!, [Rn], #+/-imm8. */
export function exec_ldst_imm8(cpu: Cpu, i: number): void {
  const n = rnOf(i);
  const isLoad = (i & 0x100000) !== 0;
  if (n === 15) return pcBased(cpu, i, isLoad);
  const p = (i >>> 10) & 1;
  const u = (i >>> 9) & 1;
  const w = (i >>> 8) & 1;
  if (p === 0 && w === 0) cpu.undefined();
  const base = cpu.r[n];
  const offsetAddr = (u ? base + (i & 0xff) : base - (i & 0xff)) >>> 0;
  const addr = p ? offsetAddr : base;
  if (isLoad) {
    const v = loadSized(cpu, i, addr);
    if (w) cpu.setR(n, offsetAddr);
    writeLoaded(cpu, rtOf(i), v);
  } else {
    storeSized(cpu, i, addr, cpu.r[rtOf(i)]);
    if (w) cpu.setR(n, offsetAddr);
  }
}

/** [Rn, Rm, LSL #imm2]. */
export function exec_ldst_register(cpu: Cpu, i: number): void {
  const n = rnOf(i);
  const isLoad = (i & 0x100000) !== 0;
  if (n === 15) return pcBased(cpu, i, isLoad);
  const addr = cpu.r[n] + (cpu.r[i & 15] << ((i >>> 4) & 3));
  if (isLoad) writeLoaded(cpu, rtOf(i), loadSized(cpu, i, addr));
  else storeSized(cpu, i, addr, cpu.r[rtOf(i)]);
}

/** LDRT/STRT and friends: unprivileged access; without an MPU the access is the same. */
export function exec_ldst_unprivileged(cpu: Cpu, i: number): void {
  const n = rnOf(i);
  const isLoad = (i & 0x100000) !== 0;
  if (n === 15) return pcBased(cpu, i, isLoad);
  if (isLoad) cpu.setR(rtOf(i), loadSized(cpu, i, cpu.r[n] + (i & 0xff)));
  else storeSized(cpu, i, cpu.r[n] + (i & 0xff), cpu.r[rtOf(i)]);
}

/** [PC, #+/-imm12]. */
export function exec_ld_literal(cpu: Cpu, i: number): void {
  writeLoaded(cpu, rtOf(i), loadSized(cpu, i, literalAddress(cpu, i)));
}

const nop = (): void => {};

// hw1 bits [8:4] per access: S, (U/imm12 select), size, L.
const singleEncodings: Encoding[] = [];
function singles(name: string, _kind: Kind, s: string, size: string, isLoad: boolean): void {
  const L = isLoad ? '1' : '0';
  const cls = isLoad ? 'load' : 'store';
  singleEncodings.push(
    enc(`${name} (immediate) imm12`, cls, `1111100 ${s} 1 ${size} ${L} xxxx  xxxx xxxxxxxxxxxx`, exec_ldst_imm12),
    enc(`${name} (immediate) imm8`, cls, `1111100 ${s} 0 ${size} ${L} xxxx  xxxx 1 xxx xxxxxxxx`, exec_ldst_imm8),
    enc(`${name} (register)`, cls, `1111100 ${s} 0 ${size} ${L} xxxx  xxxx 000000 xx xxxx`, exec_ldst_register),
    enc(`${name}T`, cls, `1111100 ${s} 0 ${size} ${L} xxxx  xxxx 1110 xxxxxxxx`, exec_ldst_unprivileged),
  );
  if (isLoad) singleEncodings.push(enc(`${name} (literal)`, cls, `1111100 ${s} x ${size} ${L} 1111  xxxx xxxxxxxxxxxx`, exec_ld_literal));
}
singles('STRB', 'B', '0', '00', false);
singles('STRH', 'H', '0', '01', false);
singles('STR', '', '0', '10', false);
singles('LDRB', 'B', '0', '00', true);
singles('LDRH', 'H', '0', '01', true);
singles('LDR', '', '0', '10', true);
singles('LDRSB', 'SB', '1', '00', true);
singles('LDRSH', 'SH', '1', '01', true);

// Rt = 1111 on byte/halfword loads: preload hints, executed as no-ops.
const hintEncodings: Encoding[] = [
  enc('PLD (immediate) T1', 'hint', '11111000 1001 xxxx  1111 xxxxxxxxxxxx', nop),
  enc('PLD (immediate) T2', 'hint', '11111000 0001 xxxx  1111 1100 xxxxxxxx', nop),
  enc('PLD (literal) T1', 'hint', '11111000 x001 1111  1111 xxxxxxxxxxxx', nop),
  enc('PLD (register) T1', 'hint', '11111000 0001 xxxx  1111 000000 xx xxxx', nop),
  enc('PLI (immediate) T1', 'hint', '11111001 1001 xxxx  1111 xxxxxxxxxxxx', nop),
  enc('PLI (immediate) T2', 'hint', '11111001 0001 xxxx  1111 1100 xxxxxxxx', nop),
  enc('PLI (literal) T3', 'hint', '11111001 x001 1111  1111 xxxxxxxxxxxx', nop),
  enc('PLI (register) T1', 'hint', '11111001 0001 xxxx  1111 000000 xx xxxx', nop),
  // LDRH/LDRSH with Rt = PC: "unallocated memory hints", treated as NOP
  enc('memory hint (LDRH Rt=PC) imm12', 'hint', '11111000 1011 xxxx  1111 xxxxxxxxxxxx', nop),
  enc('memory hint (LDRH Rt=PC) imm8', 'hint', '11111000 0011 xxxx  1111 1100 xxxxxxxx', nop),
  enc('memory hint (LDRH Rt=PC) register', 'hint', '11111000 0011 xxxx  1111 000000 xx xxxx', nop),
  enc('memory hint (LDRSH Rt=PC) imm12', 'hint', '11111001 1011 xxxx  1111 xxxxxxxxxxxx', nop),
  enc('memory hint (LDRSH Rt=PC) imm8', 'hint', '11111001 0011 xxxx  1111 1100 xxxxxxxx', nop),
  enc('memory hint (LDRSH Rt=PC) register', 'hint', '11111001 0011 xxxx  1111 000000 xx xxxx', nop),
];

// ---- load/store dual, exclusive, table branch ------------------------------------------------

/** LDRD/STRD (immediate and literal): L is hw1 bit 4. */
export function exec_ldrd_strd(cpu: Cpu, i: number): void {
  const isLoad = (i & 0x100000) !== 0;
  const n = rnOf(i);
  const t = rtOf(i);
  const t2 = (i >>> 8) & 15;
  const p = (i >>> 24) & 1;
  const u = (i >>> 23) & 1;
  const w = (i >>> 21) & 1;
  const imm = (i & 0xff) << 2;
  if (!isLoad && n === 15) cpu.undefined();
  const base = n === 15 ? (cpu.r[15] & ~3) >>> 0 : cpu.r[n];
  const offsetAddr = (u ? base + imm : base - imm) >>> 0;
  const addr = p ? offsetAddr : base;
  if (isLoad) {
    const lo = cpu.read32Aligned(addr);
    const hi = cpu.read32Aligned(addr + 4);
    if (w) cpu.setR(n, offsetAddr); // Rn = PC with writeback: UNPREDICTABLE, QEMU branches
    cpu.setR(t, lo);
    cpu.setR(t2, hi);
  } else {
    cpu.write32Aligned(addr, cpu.r[t]);
    cpu.write32Aligned(addr + 4, cpu.r[t2]);
    if (w) cpu.setR(n, offsetAddr);
  }
}

function loadExclusive(size: 1 | 2 | 4) {
  return (cpu: Cpu, i: number): void => {
    const addr = (cpu.r[rnOf(i)] + (size === 4 ? (i & 0xff) << 2 : 0)) >>> 0;
    const v = size === 1 ? cpu.read8(addr) : size === 2 ? cpu.read16Aligned(addr) : cpu.read32Aligned(addr);
    cpu.exclusiveAddr = addr;
    cpu.setR(rtOf(i), v);
  };
}

function storeExclusive(size: 1 | 2 | 4) {
  return (cpu: Cpu, i: number): void => {
    const n = rnOf(i);
    const d = size === 4 ? (i >>> 8) & 15 : i & 15;
    const addr = (cpu.r[n] + (size === 4 ? (i & 0xff) << 2 : 0)) >>> 0;
    if (size === 4 && (addr & 3) !== 0) cpu.fault(Fault.Unaligned);
    if (size === 2 && (addr & 1) !== 0) cpu.fault(Fault.Unaligned);
    if (cpu.exclusiveAddr === addr) {
      const v = cpu.r[rtOf(i)];
      if (size === 1) cpu.write8(addr, v);
      else if (size === 2) cpu.write16(addr, v);
      else cpu.write32(addr, v);
      cpu.setR(d, 0);
    } else {
      cpu.setR(d, 1);
    }
    cpu.exclusiveAddr = -1;
  };
}

const dualEncodings: Encoding[] = [
  enc('STRD (immediate) T1 offset/pre', 'load-store-dual', '1110100 1 x 1 x 0 xxxx  xxxx xxxx xxxxxxxx', exec_ldrd_strd),
  enc('STRD (immediate) T1 post', 'load-store-dual', '1110100 0 x 1 1 0 xxxx  xxxx xxxx xxxxxxxx', exec_ldrd_strd),
  enc('LDRD (immediate) T1 offset/pre', 'load-store-dual', '1110100 1 x 1 x 1 xxxx  xxxx xxxx xxxxxxxx', exec_ldrd_strd),
  enc('LDRD (immediate) T1 post', 'load-store-dual', '1110100 0 x 1 1 1 xxxx  xxxx xxxx xxxxxxxx', exec_ldrd_strd),
  enc('LDRD (literal) T1', 'load-store-dual', '1110100 1 x 1 0 1 1111  xxxx xxxx xxxxxxxx', exec_ldrd_strd),
  enc('STREX T1', 'exclusive', '11101000 0100 xxxx  xxxx xxxx xxxxxxxx', storeExclusive(4)),
  enc('LDREX T1', 'exclusive', '11101000 0101 xxxx  xxxx 1111 xxxxxxxx', loadExclusive(4)),
  enc('STREXB T1', 'exclusive', '11101000 1100 xxxx  xxxx 1111 0100 xxxx', storeExclusive(1)),
  enc('STREXH T1', 'exclusive', '11101000 1100 xxxx  xxxx 1111 0101 xxxx', storeExclusive(2)),
  enc('LDREXB T1', 'exclusive', '11101000 1101 xxxx  xxxx 1111 0100 1111', loadExclusive(1)),
  enc('LDREXH T1', 'exclusive', '11101000 1101 xxxx  xxxx 1111 0101 1111', loadExclusive(2)),
  enc('TBB T1', 'branch', '11101000 1101 xxxx  1111 0000 0000 xxxx', (cpu, i) => {
    const n = rnOf(i);
    const off = cpu.read8(cpu.r[n] + cpu.r[i & 15]);
    cpu.branch(cpu.r[15] + 2 * off);
  }),
  enc('TBH T1', 'branch', '11101000 1101 xxxx  1111 0000 0001 xxxx', (cpu, i) => {
    const n = rnOf(i);
    const off = cpu.read16(cpu.r[n] + (cpu.r[i & 15] << 1));
    cpu.branch(cpu.r[15] + 2 * off);
  }),
];

// ---- load/store multiple ----------------------------------------------------------------------

/** LDM/LDMDB/POP.W and STM/STMDB/PUSH.W: L is hw1 bit 4, DB when hw1[8:7] = 10. */
export function exec_ldm_stm(cpu: Cpu, i: number): void {
  if (i & 0x100000) ldmAny(cpu, i);
  else stmAny(cpu, i);
}

/** The first address of a transfer of `list` (IA: Rn, DB: below Rn); UNDEFINED for an empty list or Rn = PC. */
function multipleStart(cpu: Cpu, i: number, list: number): number {
  const n = rnOf(i);
  if (list === 0 || n === 15) cpu.undefined();
  const base = cpu.r[n];
  return (i & 0x1000000 ? base - 4 * bitCount(list) : base) >>> 0;
}

/** W: Rn becomes the lowest address (DB) or the one past the last word (IA). */
function multipleWriteback(cpu: Cpu, i: number, start: number, end: number): void {
  if (i & 0x200000) cpu.setR(rnOf(i), i & 0x1000000 ? start : end >>> 0);
}

function ldmAny(cpu: Cpu, i: number): void {
  const n = rnOf(i);
  const list = i & 0xdfff;
  const start = multipleStart(cpu, i, list);
  const r = cpu.r;
  let addr = start;
  let pcValue = 0;
  for (let reg = 0; reg < 16; reg++) {
    if (list & (1 << reg)) {
      const v = cpu.read32Aligned(addr);
      if (reg === 15) pcValue = v;
      else if (reg === n) r[n] = v; // written below after the writeback (the loaded value wins)
      else cpu.setR(reg, v);
      addr += 4;
    }
  }
  const loadedBase = r[n];
  multipleWriteback(cpu, i, start, addr);
  if (list & (1 << n)) cpu.setR(n, loadedBase);
  if (list & 0x8000) cpu.loadWritePC(pcValue);
}

function stmAny(cpu: Cpu, i: number): void {
  const list = i & 0x5fff;
  const start = multipleStart(cpu, i, list);
  let addr = start;
  for (let reg = 0; reg < 15; reg++) {
    if (list & (1 << reg)) {
      cpu.write32Aligned(addr, cpu.r[reg]);
      addr += 4;
    }
  }
  multipleWriteback(cpu, i, start, addr);
}

const multipleEncodings: Encoding[] = [
  enc('STM T2', 'load-store-multiple', '1110100 010 x 0 xxxx  0 x 0 xxxxxxxxxxxxx', exec_ldm_stm),
  enc('LDM T2', 'load-store-multiple', '1110100 010 x 1 xxxx  x x 0 xxxxxxxxxxxxx', exec_ldm_stm),
  enc('POP T2', 'load-store-multiple', '1110100 010 1 1 1101  x x 0 xxxxxxxxxxxxx', exec_ldm_stm),
  enc('STMDB T1', 'load-store-multiple', '1110100 100 x 0 xxxx  0 x 0 xxxxxxxxxxxxx', exec_ldm_stm),
  enc('PUSH T2', 'load-store-multiple', '1110100 100 1 0 1101  0 x 0 xxxxxxxxxxxxx', exec_ldm_stm),
  enc('LDMDB T1', 'load-store-multiple', '1110100 100 x 1 xxxx  x x 0 xxxxxxxxxxxxx', exec_ldm_stm),
];

export const loadStore32Encodings: Encoding[] = [...singleEncodings, ...hintEncodings, ...dualEncodings, ...multipleEncodings];
