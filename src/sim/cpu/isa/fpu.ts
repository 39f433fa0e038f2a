// The floating-point extension (FPv4-SP for Cortex-M4F, FPv5 for Cortex-M7): VFP
// instructions in the cp10/cp11 space. The decoder includes these encodings only when
// CoreConfig.fpu is set; their patterns (which fix the coprocessor number) are more specific
// than the NOCP catch-all. Double-precision forms (sz = 1) are UNDEFINED without 'fpv5-dp'.
// Each handler starts with ExecuteFPCheck (CPACR -> NOCP, lazy state preservation,
// CONTROL.FPCA). The arithmetic is in ../fpu/arith.ts.

import { type Cpu, Fault } from '../cpu.js';
import type { Encoding } from './encoding.js';
import * as A from '../fpu/arith.js';
import * as Fast from '../fpu/fast.js';
import { FPCCR_ASPEN, FPCCR_LSPACT, FPDSCR_MASK, FPSCR_MASK, preserveFPState } from '../fpu/state.js';

const { F32, F64, F16 } = A;

/**
 * The CPACR access check (CheckVFPEnabled). It comes before any UNDEFINED check: with CP10
 * disabled every cp10/cp11 encoding is a NOCP UsageFault, as QEMU 7.2 (and ARMv8-M) do.
 */
function accessCheck(cpu: Cpu): void {
  const cp10 = (cpu.scb.cpacr >>> 20) & 3;
  if (cp10 === 0 || cp10 === 2 || (cp10 === 1 && !cpu.isPrivileged())) cpu.fault(Fault.NoCp);
}

/** The rest of ExecuteFPCheck (after accessCheck): lazy state preservation, CONTROL.FPCA. */
function fpCheck(cpu: Cpu): void {
  const fp = cpu.fp;
  if (fp.fpccr & FPCCR_LSPACT) preserveFPState(cpu);
  if ((fp.fpccr & FPCCR_ASPEN) !== 0 && (cpu.control & 4) === 0) {
    fp.fpscr = (fp.fpdscr & FPDSCR_MASK) >>> 0; // FPSCR = FPDSCR, flags cleared (as QEMU 7.2 does)
    cpu.control = cpu.control | 4;
  }
}

const dp = (cpu: Cpu): boolean => cpu.config.fpu === 'fpv5-dp';
const isV5 = (cpu: Cpu): boolean => cpu.config.fpu === 'fpv5-dp';

// Register fields. Single: Vx:X; double: X:Vx (D16-D31 do not exist: UNDEFINED).
const Vd = (i: number): number => (i >>> 12) & 0xf;
const Vn = (i: number): number => (i >>> 16) & 0xf;
const Vm = (i: number): number => i & 0xf;
const D = (i: number): number => (i >>> 22) & 1;
const N = (i: number): number => (i >>> 7) & 1;
const M = (i: number): number => (i >>> 5) & 1;
const sz = (i: number): number => (i >>> 8) & 1;

/** Operand access for one precision. */
interface Regs {
  fmt: A.Fmt;
  get(cpu: Cpu, n: number): bigint;
  set(cpu: Cpu, n: number, v: bigint): void;
  d(i: number): number;
  n(i: number): number;
  m(i: number): number;
}
const SP: Regs = {
  fmt: F32,
  get: (cpu, n) => cpu.fp.getS(n),
  set: (cpu, n, v) => cpu.fp.setS(n, v),
  d: (i) => (Vd(i) << 1) | D(i),
  n: (i) => (Vn(i) << 1) | N(i),
  m: (i) => (Vm(i) << 1) | M(i),
};
const DPR: Regs = {
  fmt: F64,
  get: (cpu, n) => cpu.fp.getD(n),
  set: (cpu, n, v) => cpu.fp.setD(n, v),
  d: (i) => (D(i) << 4) | Vd(i),
  n: (i) => (N(i) << 4) | Vn(i),
  m: (i) => (M(i) << 4) | Vm(i),
};

/** Precision of a data-processing instruction (sz); checks that the registers exist. */
function regsOf(cpu: Cpu, insn: number, regsUsed: 'dnm' | 'dm' | 'd' = 'dnm'): Regs {
  if (sz(insn) === 0) return SP;
  if (!dp(cpu)) cpu.undefined();
  // FPv5-D16: D16-D31 absent
  if (D(insn) || (regsUsed === 'dnm' && N(insn)) || (regsUsed !== 'd' && M(insn))) cpu.undefined();
  return DPR;
}

type Op3 = (cpu: Cpu, R: Regs, d: number, n: number, m: number) => void;
const st = (cpu: Cpu): A.FpStatus => cpu.fp;

// Fast paths (fast.ts) in round-to-nearest when operands and results are ordinary numbers.
const RMODE = 3 << 22;
const IXC = 1 << 4;
function fastBin(cpu: Cpu, R: Regs, d: number, n: number, m: number, op: Fast.Op): boolean {
  const fp = cpu.fp;
  if ((fp.fpscr & RMODE) !== 0) return false;
  if (R === SP) {
    const r = Fast.fastS(op, fp.s[n], fp.s[m]);
    if (r === Fast.FAIL) return false;
    fp.s[d] = r;
  } else if (!Fast.fastD(op, fp.s, d, n, m)) return false;
  if (Fast.inexact) fp.fpscr = (fp.fpscr | IXC) >>> 0;
  return true;
}
/** Single-precision FPMulAdd with the operands' sign bits flipped as given. */
function fastFma(cpu: Cpu, d: number, n: number, m: number, negD: number, negN: number): boolean {
  const fp = cpu.fp;
  if ((fp.fpscr & RMODE) !== 0) return false;
  const r = Fast.fastFmaS((fp.s[d] ^ negD) >>> 0, (fp.s[n] ^ negN) >>> 0, fp.s[m]);
  if (r === Fast.FAIL) return false;
  fp.s[d] = r;
  if (Fast.inexact) fp.fpscr = (fp.fpscr | IXC) >>> 0;
  return true;
}
/** The product of VMLA/VMLS/VNMLA/VNMLS (rounded, flags raised). */
function product(cpu: Cpu, R: Regs, n: number, m: number): bigint {
  const fp = cpu.fp;
  if (R === SP && (fp.fpscr & RMODE) === 0) {
    const r = Fast.fastS(Fast.Op.Mul, fp.s[n], fp.s[m]);
    if (r !== Fast.FAIL) {
      if (Fast.inexact) fp.fpscr = (fp.fpscr | IXC) >>> 0;
      return BigInt(r);
    }
  }
  return A.mul(R.get(cpu, n), R.get(cpu, m), R.fmt, st(cpu));
}
const SIGN = 0x80000000;

const ops3: Record<string, Op3> = {
  VMLA: (cpu, R, d, n, m) => { const p = product(cpu, R, n, m); R.set(cpu, d, A.add(R.get(cpu, d), p, R.fmt, st(cpu))); },
  VMLS: (cpu, R, d, n, m) => { const p = product(cpu, R, n, m); R.set(cpu, d, A.add(R.get(cpu, d), A.neg(p, R.fmt), R.fmt, st(cpu))); },
  VNMLA: (cpu, R, d, n, m) => { const p = product(cpu, R, n, m); R.set(cpu, d, A.add(A.neg(R.get(cpu, d), R.fmt), A.neg(p, R.fmt), R.fmt, st(cpu))); },
  VNMLS: (cpu, R, d, n, m) => { const p = product(cpu, R, n, m); R.set(cpu, d, A.add(A.neg(R.get(cpu, d), R.fmt), p, R.fmt, st(cpu))); },
  VMUL: (cpu, R, d, n, m) => { if (!fastBin(cpu, R, d, n, m, Fast.Op.Mul)) R.set(cpu, d, A.mul(R.get(cpu, n), R.get(cpu, m), R.fmt, st(cpu))); },
  VNMUL: (cpu, R, d, n, m) => {
    if (fastBin(cpu, R, d, n, m, Fast.Op.Mul)) {
      if (R === SP) cpu.fp.s[d] = (cpu.fp.s[d] ^ SIGN) >>> 0;
      else cpu.fp.s[2 * d + 1] = (cpu.fp.s[2 * d + 1] ^ SIGN) >>> 0;
      return;
    }
    R.set(cpu, d, A.neg(A.mul(R.get(cpu, n), R.get(cpu, m), R.fmt, st(cpu)), R.fmt));
  },
  VADD: (cpu, R, d, n, m) => { if (!fastBin(cpu, R, d, n, m, Fast.Op.Add)) R.set(cpu, d, A.add(R.get(cpu, n), R.get(cpu, m), R.fmt, st(cpu))); },
  VSUB: (cpu, R, d, n, m) => { if (!fastBin(cpu, R, d, n, m, Fast.Op.Sub)) R.set(cpu, d, A.sub(R.get(cpu, n), R.get(cpu, m), R.fmt, st(cpu))); },
  VDIV: (cpu, R, d, n, m) => { if (!fastBin(cpu, R, d, n, m, Fast.Op.Div)) R.set(cpu, d, A.div(R.get(cpu, n), R.get(cpu, m), R.fmt, st(cpu))); },
  VFMA: (cpu, R, d, n, m) => { if (R !== SP || !fastFma(cpu, d, n, m, 0, 0)) R.set(cpu, d, A.mulAdd(R.get(cpu, d), R.get(cpu, n), R.get(cpu, m), R.fmt, st(cpu))); },
  VFMS: (cpu, R, d, n, m) => (R === SP && fastFma(cpu, d, n, m, 0, SIGN)) || R.set(cpu, d, A.mulAdd(R.get(cpu, d), A.neg(R.get(cpu, n), R.fmt), R.get(cpu, m), R.fmt, st(cpu))),
  VFNMA: (cpu, R, d, n, m) => (R === SP && fastFma(cpu, d, n, m, SIGN, SIGN)) || R.set(cpu, d, A.mulAdd(A.neg(R.get(cpu, d), R.fmt), A.neg(R.get(cpu, n), R.fmt), R.get(cpu, m), R.fmt, st(cpu))),
  VFNMS: (cpu, R, d, n, m) => (R === SP && fastFma(cpu, d, n, m, SIGN, 0)) || R.set(cpu, d, A.mulAdd(A.neg(R.get(cpu, d), R.fmt), R.get(cpu, n), R.get(cpu, m), R.fmt, st(cpu))),
  VMAXNM: (cpu, R, d, n, m) => R.set(cpu, d, A.maxNum(R.get(cpu, n), R.get(cpu, m), R.fmt, st(cpu), true)),
  VMINNM: (cpu, R, d, n, m) => R.set(cpu, d, A.maxNum(R.get(cpu, n), R.get(cpu, m), R.fmt, st(cpu), false)),
};

function threeReg(name: string, hw1: string, bit6: string, v5 = false): Encoding {
  const op = ops3[name];
  return {
    name: `${name} T1`,
    cls: 'fp-arith',
    pattern: `${hw1} xxxx  xxxx 101x x${bit6}x0 xxxx`,
    requires: 'fpu',
    exec(cpu, insn) {
      if (v5 && !isV5(cpu)) cpu.undefined();
      const R = regsOf(cpu, insn);
      fpCheck(cpu);
      op(cpu, R, R.d(insn), R.n(insn), R.m(insn));
    },
  };
}

/** VSEL: condition from the APSR (cc: 00 EQ, 01 VS, 10 GE, 11 GT). */
function vsel(cpu: Cpu, insn: number): void {
  if (!isV5(cpu)) cpu.undefined();
  const R = regsOf(cpu, insn);
  fpCheck(cpu);
  const cc = (insn >>> 20) & 3;
  const cond = [0, 6, 10, 12][cc];
  const take = cpu.conditionPassed(cond);
  R.set(cpu, R.d(insn), R.get(cpu, take ? R.n(insn) : R.m(insn)));
}

// Two-register operations (opc2 in bits 19:16, bit 7 = opc3 high bit, bit 6 = 1).
function twoReg(name: string, opc2: string, b7: string, exec: (cpu: Cpu, insn: number) => void): Encoding {
  return { name, cls: 'fp-arith', pattern: `1110 1110 1x11 ${opc2}  xxxx 101x ${b7}1x0 xxxx`, requires: 'fpu', exec };
}

function unary(f: (cpu: Cpu, R: Regs, v: bigint) => bigint, v5 = false) {
  return (cpu: Cpu, insn: number): void => {
    if (v5 && !isV5(cpu)) cpu.undefined();
    const R = regsOf(cpu, insn, 'dm');
    fpCheck(cpu);
    R.set(cpu, R.d(insn), f(cpu, R, R.get(cpu, R.m(insn))));
  };
}

function vcmp(withZero: boolean) {
  return (cpu: Cpu, insn: number): void => {
    const R = regsOf(cpu, insn, withZero ? 'd' : 'dm');
    fpCheck(cpu);
    const e = ((insn >>> 7) & 1) === 1;
    const b = withZero ? 0n : R.get(cpu, R.m(insn));
    const nzcv = A.compare(R.get(cpu, R.d(insn)), b, R.fmt, st(cpu), e);
    const fp = cpu.fp;
    fp.fpscr = ((fp.fpscr & 0x0fffffff) | (nzcv << 28)) >>> 0;
  };
}

/** VCVT between single and double (sz: the source precision). */
function vcvtSD(cpu: Cpu, insn: number): void {
  if (!dp(cpu)) cpu.undefined();
  if (sz(insn) === 0) {
    // F64 <- F32: Dd = D:Vd, Sm = Vm:M
    if (D(insn)) cpu.undefined();
    fpCheck(cpu);
    cpu.fp.setD(DPR.d(insn), A.convert(cpu.fp.getS(SP.m(insn)), F32, F64, st(cpu)));
  } else {
    if (M(insn)) cpu.undefined();
    fpCheck(cpu);
    const fp = cpu.fp;
    const m = DPR.m(insn);
    if ((fp.fpscr & RMODE) === 0) {
      const r = Fast.fastDtoS(fp.s[2 * m], fp.s[2 * m + 1]);
      if (r !== Fast.FAIL) {
        fp.s[SP.d(insn)] = r;
        if (Fast.inexact) fp.fpscr = (fp.fpscr | IXC) >>> 0;
        return;
      }
    }
    fp.setS(SP.d(insn), A.convert(fp.getD(m), F64, F32, st(cpu)));
  }
}

/** VCVTB/VCVTT: half <-> single (or double on FPv5-DP). op (bit 16): 1 = to half. T (bit 7): top half. */
function vcvtHalf(cpu: Cpu, insn: number): void {
  const toHalf = ((insn >>> 16) & 1) === 1;
  const top = ((insn >>> 7) & 1) === 1;
  const double = sz(insn) === 1;
  if (double && !dp(cpu)) cpu.undefined();
  if (double && (toHalf ? M(insn) : D(insn))) cpu.undefined();
  fpCheck(cpu);
  const fp = cpu.fp;
  const fmt = double ? F64 : F32;
  if (toHalf) {
    const src = double ? fp.getD(DPR.m(insn)) : fp.getS(SP.m(insn));
    const h = Number(A.convert(src, fmt, F16, st(cpu)));
    const d = SP.d(insn);
    fp.s[d] = top ? ((fp.s[d] & 0xffff) | (h << 16)) >>> 0 : ((fp.s[d] & 0xffff0000) | h) >>> 0;
  } else {
    const w = fp.s[SP.m(insn)];
    const h = BigInt(top ? w >>> 16 : w & 0xffff);
    const r = A.convert(h, F16, fmt, st(cpu));
    if (double) fp.setD(DPR.d(insn), r);
    else fp.setS(SP.d(insn), r);
  }
}

/** VCVT, VCVTR between floating-point and integer (opc2 = 000: to float; 10x: to integer). */
function vcvtInt(cpu: Cpu, insn: number): void {
  const opc2 = (insn >>> 16) & 7;
  const double = sz(insn) === 1;
  if (double && !dp(cpu)) cpu.undefined();
  const fp = cpu.fp;
  const fmt = double ? F64 : F32;
  const op = (insn >>> 7) & 1;
  if (opc2 === 0) {
    // to floating-point; op: 1 signed
    if (double && D(insn)) cpu.undefined();
    fpCheck(cpu);
    const v = fp.s[SP.m(insn)];
    if (!double && (fp.fpscr & RMODE) === 0) {
      fp.s[SP.d(insn)] = Fast.fastIntToS(v, op === 0);
      if (Fast.inexact) fp.fpscr = (fp.fpscr | IXC) >>> 0;
      return;
    }
    const r = A.fromFixed(v, 32, 0, op === 0, fmt, st(cpu));
    if (double) fp.setD(DPR.d(insn), r);
    else fp.setS(SP.d(insn), r);
  } else {
    if (double && M(insn)) cpu.undefined();
    fpCheck(cpu);
    const unsigned = (opc2 & 1) === 0;
    const rounding = op === 1 ? A.Rounding.ZERO : A.rmode(st(cpu));
    if (rounding === A.Rounding.ZERO) {
      const m = double ? DPR.m(insn) : SP.m(insn);
      const value = double ? Fast.doubleValue(fp.s[2 * m], fp.s[2 * m + 1]) : Fast.singleValue(fp.s[m]);
      const r = Fast.fastToIntRZ(value, unsigned);
      if (r !== Fast.FAIL) {
        fp.s[SP.d(insn)] = r;
        if (Fast.inexact) fp.fpscr = (fp.fpscr | IXC) >>> 0;
        return;
      }
    }
    const src = double ? fp.getD(DPR.m(insn)) : fp.getS(SP.m(insn));
    fp.s[SP.d(insn)] = A.toFixed(src, fmt, st(cpu), 32, 0, unsigned, rounding);
  }
}

/** VCVT between floating-point and fixed-point: 1D11 1 op 1 U Vd 101 sf sx 1 i 0 imm4. */
function vcvtFixed(cpu: Cpu, insn: number): void {
  const toFixed = ((insn >>> 18) & 1) === 1;
  const unsigned = ((insn >>> 16) & 1) === 1;
  const double = sz(insn) === 1;
  if (double && !dp(cpu)) cpu.undefined();
  if (double && D(insn)) cpu.undefined();
  const size = ((insn >>> 7) & 1) === 1 ? 32 : 16;
  const imm5 = ((insn & 0xf) << 1) | ((insn >>> 5) & 1);
  const fbits = size - imm5;
  if (fbits < 0) cpu.undefined(); // UNPREDICTABLE
  fpCheck(cpu);
  const fp = cpu.fp;
  const fmt = double ? F64 : F32;
  const d = double ? DPR.d(insn) : SP.d(insn);
  if (toFixed) {
    const src = double ? fp.getD(d) : fp.getS(d);
    const r = A.toFixed(src, fmt, st(cpu), size, fbits, unsigned, A.Rounding.ZERO);
    const ext = size === 16 ? (unsigned ? r & 0xffff : ((r << 16) >> 16) >>> 0) : r;
    if (double) fp.setD(d, BigInt(ext >>> 0) | (ext >>> 0 >= 0x80000000 && !unsigned ? 0xffffffff00000000n : 0n));
    else fp.s[d] = ext >>> 0;
  } else {
    const raw = double ? fp.s[2 * d] : fp.s[d];
    const r = A.fromFixed(raw, size, fbits, unsigned, fmt, st(cpu), A.Rounding.TIEEVEN);
    if (double) fp.setD(d, r);
    else fp.setS(d, r);
  }
}

/** VRINTA/N/P/M and VCVTA/N/P/M (FPv5): the rounding mode in bits 17:16. */
const RM_FIELD = [A.Rounding.TIEAWAY, A.Rounding.TIEEVEN, A.Rounding.POSINF, A.Rounding.NEGINF];
function vrintDirected(cpu: Cpu, insn: number): void {
  if (!isV5(cpu)) cpu.undefined();
  const R = regsOf(cpu, insn, 'dm');
  fpCheck(cpu);
  R.set(cpu, R.d(insn), A.roundInt(R.get(cpu, R.m(insn)), R.fmt, st(cpu), RM_FIELD[(insn >>> 16) & 3], false));
}
function vcvtDirected(cpu: Cpu, insn: number): void {
  if (!isV5(cpu)) cpu.undefined();
  const double = sz(insn) === 1;
  if (double && (!dp(cpu) || M(insn))) cpu.undefined();
  fpCheck(cpu);
  const fp = cpu.fp;
  const signed = ((insn >>> 7) & 1) === 1;
  const src = double ? fp.getD(DPR.m(insn)) : fp.getS(SP.m(insn));
  fp.s[SP.d(insn)] = A.toFixed(src, double ? F64 : F32, st(cpu), 32, 0, !signed, RM_FIELD[(insn >>> 16) & 3]);
}

/** VMOV (immediate): 1D11 imm4H Vd 101 sz 0000 imm4L. */
function vmovImm(cpu: Cpu, insn: number): void {
  const R = regsOf(cpu, insn, 'd');
  fpCheck(cpu);
  const imm8 = (((insn >>> 16) & 0xf) << 4) | (insn & 0xf);
  R.set(cpu, R.d(insn), A.expandImm(imm8, R.fmt));
}

// ---- transfers between core and extension registers -------------------------------------

function vmovCoreSingle(cpu: Cpu, insn: number): void {
  const t = (insn >>> 12) & 0xf;
  const toArm = ((insn >>> 20) & 1) === 1;
  if (t === 15) cpu.undefined(); // UNPREDICTABLE (t = 13 too, but QEMU 7.2 executes it)
  fpCheck(cpu);
  const n = SP.n(insn);
  if (toArm) cpu.setR(t, cpu.fp.s[n]);
  else cpu.fp.s[n] = cpu.r[t];
}

function vmrsVmsr(cpu: Cpu, insn: number): void {
  const t = (insn >>> 12) & 0xf;
  const toArm = ((insn >>> 20) & 1) === 1;
  const reg = (insn >>> 16) & 0xf;
  if (reg !== 1) cpu.undefined(); // only FPSCR on ARMv7-M
  fpCheck(cpu);
  const fp = cpu.fp;
  if (toArm) {
    if (t === 15) {
      const f = fp.fpscr;
      cpu.n = (f >>> 31) & 1;
      cpu.z = (f >>> 30) & 1;
      cpu.c = (f >>> 29) & 1;
      cpu.v = (f >>> 28) & 1;
    } else cpu.setR(t, fp.fpscr);
  } else {
    if (t === 15) cpu.undefined();
    fp.fpscr = (cpu.r[t] & FPSCR_MASK) >>> 0;
  }
}

/** VMOV between a core register and a 32-bit scalar Dd[x]: 1110 1110 00 H L Vd Rt 1011 D 00 1 0000. */
function vmovScalar(cpu: Cpu, insn: number): void {
  const t = (insn >>> 12) & 0xf;
  const toArm = ((insn >>> 20) & 1) === 1;
  const h = (insn >>> 21) & 1;
  if (t === 15) cpu.undefined();
  const d = (((insn >>> 7) & 1) << 4) | ((insn >>> 16) & 0xf);
  if (d >= 16) cpu.undefined();
  fpCheck(cpu);
  const idx = 2 * d + h;
  if (toArm) cpu.setR(t, cpu.fp.s[idx]);
  else cpu.fp.s[idx] = cpu.r[t];
}

/** VMOV two core registers <-> two singles (bit 8 = 0) or one double (bit 8 = 1): 1110 1100 010 op Rt2 Rt 101x 00 M 1 Vm. */
function vmovTwo(cpu: Cpu, insn: number): void {
  const toArm = ((insn >>> 20) & 1) === 1;
  const t = (insn >>> 12) & 0xf;
  const t2 = (insn >>> 16) & 0xf;
  const double = sz(insn) === 1;
  if (t === 15 || t2 === 15) cpu.undefined(); // 13 is UNPREDICTABLE too; QEMU 7.2 executes it
  if (toArm && t === t2) cpu.undefined();
  let lo: number;
  if (double) {
    const m = (M(insn) << 4) | Vm(insn);
    if (m >= 16) cpu.undefined();
    lo = 2 * m;
  } else {
    lo = SP.m(insn);
    if (lo === 31) cpu.undefined();
  }
  fpCheck(cpu);
  const s = cpu.fp.s;
  if (toArm) {
    cpu.setR(t, s[lo]);
    cpu.setR(t2, s[lo + 1]);
  } else {
    s[lo] = cpu.r[t];
    s[lo + 1] = cpu.r[t2];
  }
}

// ---- loads and stores ---------------------------------------------------------------------

/** VLDR/VSTR: 1110 1101 U D 0 L Rn Vd 101 sz imm8. */
function vldrVstr(cpu: Cpu, insn: number): void {
  const double = sz(insn) === 1;
  const d = double ? (D(insn) << 4) | Vd(insn) : (Vd(insn) << 1) | D(insn);
  if (double && d >= 16) cpu.undefined();
  fpCheck(cpu);
  const add = ((insn >>> 23) & 1) === 1;
  const load = ((insn >>> 20) & 1) === 1;
  const n = (insn >>> 16) & 0xf;
  const imm = (insn & 0xff) << 2;
  const base = n === 15 ? cpu.r[15] & ~3 : cpu.r[n];
  const addr = (add ? base + imm : base - imm) >>> 0;
  const s = cpu.fp.s;
  if (double) {
    if (load) {
      const w0 = cpu.read32Aligned(addr);
      const w1 = cpu.read32Aligned((addr + 4) >>> 0);
      s[2 * d] = w0;
      s[2 * d + 1] = w1;
    } else {
      cpu.write32Aligned(addr, s[2 * d]);
      cpu.write32Aligned((addr + 4) >>> 0, s[2 * d + 1]);
    }
  } else if (load) s[d] = cpu.read32Aligned(addr);
  else cpu.write32Aligned(addr, s[d]);
}

/** VLDM/VSTM (IA, DB with writeback), VPUSH/VPOP: 1110 110 P U D W L Rn Vd 101 sz imm8. */
function vldmVstm(cpu: Cpu, insn: number): void {
  const p = (insn >>> 24) & 1;
  const u = (insn >>> 23) & 1;
  const w = (insn >>> 21) & 1;
  const load = ((insn >>> 20) & 1) === 1;
  const n = (insn >>> 16) & 0xf;
  const double = sz(insn) === 1;
  const imm8 = insn & 0xff;
  if (p === u || (p === 1 && w === 0)) cpu.undefined();
  if (n === 15 && (w === 1 || load === false)) cpu.undefined(); // UNPREDICTABLE
  const first = double ? (D(insn) << 4) | Vd(insn) : (Vd(insn) << 1) | D(insn);
  const words = double ? imm8 & ~1 : imm8; // FLDMX/FSTMX (odd imm8): the same transfer
  const regs = double ? words >>> 1 : words;
  const limit = double ? 16 : 32;
  if (regs === 0 || first + regs > limit || (double && regs > 16)) cpu.undefined(); // UNPREDICTABLE
  fpCheck(cpu);
  const rn = n === 15 ? cpu.r[15] & ~3 : cpu.r[n];
  let addr = (p === 1 ? rn - imm8 * 4 : rn) >>> 0;
  const newRn = (u === 1 ? rn + imm8 * 4 : rn - imm8 * 4) >>> 0;
  const s = cpu.fp.s;
  const base = double ? 2 * first : first;
  if (load) {
    const vals = new Uint32Array(words);
    for (let k = 0; k < words; k++, addr = (addr + 4) >>> 0) vals[k] = cpu.read32Aligned(addr);
    s.set(vals, base);
  } else {
    for (let k = 0; k < words; k++, addr = (addr + 4) >>> 0) cpu.write32Aligned(addr, s[base + k]);
  }
  if (w === 1) cpu.setR(n, newRn);
}

/** A cp10/cp11 instruction that is not a floating-point instruction (after the access check). */
function fpUndefined(cpu: Cpu): void {
  cpu.undefined();
}

function vsqrt(cpu: Cpu, insn: number): void {
  const R = regsOf(cpu, insn, 'dm');
  fpCheck(cpu);
  const fp = cpu.fp;
  const d = R.d(insn);
  const m = R.m(insn);
  if ((fp.fpscr & RMODE) === 0) {
    let ok: boolean;
    if (R === SP) {
      const r = Fast.fastSqrtS(fp.s[m]);
      ok = r !== Fast.FAIL;
      if (ok) fp.s[d] = r;
    } else ok = Fast.fastSqrtD(fp.s, d, m);
    if (ok) {
      if (Fast.inexact) fp.fpscr = (fp.fpscr | IXC) >>> 0;
      return;
    }
  }
  R.set(cpu, d, A.sqrt(R.get(cpu, m), R.fmt, st(cpu)));
}

const absOp = (_c: Cpu, R: Regs, v: bigint): bigint => A.abs(v, R.fmt);
const negOp = (_c: Cpu, R: Regs, v: bigint): bigint => A.neg(v, R.fmt);
const movOp = (_c: Cpu, _R: Regs, v: bigint): bigint => v;

const encodings: Encoding[] = [
  // catch-all for cp10/cp11: UNDEFINED (NOCP when access is disabled)
  { name: 'cp10/cp11 (undefined)', cls: 'fp-other', pattern: '111x 11xx xxxx xxxx  xxxx 101x xxxx xxxx', requires: 'fpu', exec: fpUndefined },

  threeReg('VMLA', '1110 1110 0x00', '0'),
  threeReg('VMLS', '1110 1110 0x00', '1'),
  threeReg('VNMLS', '1110 1110 0x01', '0'),
  threeReg('VNMLA', '1110 1110 0x01', '1'),
  threeReg('VMUL', '1110 1110 0x10', '0'),
  threeReg('VNMUL', '1110 1110 0x10', '1'),
  threeReg('VADD', '1110 1110 0x11', '0'),
  threeReg('VSUB', '1110 1110 0x11', '1'),
  threeReg('VDIV', '1110 1110 1x00', '0'),
  threeReg('VFNMS', '1110 1110 1x01', '0'),
  threeReg('VFNMA', '1110 1110 1x01', '1'),
  threeReg('VFMA', '1110 1110 1x10', '0'),
  threeReg('VFMS', '1110 1110 1x10', '1'),
  threeReg('VMAXNM', '1111 1110 1x00', '0', true),
  threeReg('VMINNM', '1111 1110 1x00', '1', true),
  { name: 'VSEL T1', cls: 'fp-move', pattern: '1111 1110 0xxx xxxx  xxxx 101x x0x0 xxxx', requires: 'fpu', exec: vsel },

  { name: 'VMOV (immediate) T2', cls: 'fp-move', pattern: '1110 1110 1x11 xxxx  xxxx 101x 0000 xxxx', requires: 'fpu', exec: vmovImm },
  twoReg('VMOV (register) T2', '0000', '0', unary(movOp)),
  twoReg('VABS T2', '0000', '1', unary(absOp)),
  twoReg('VNEG T2', '0001', '0', unary(negOp)),
  twoReg('VSQRT T1', '0001', '1', vsqrt),
  twoReg('VCVTB/VCVTT T1', '001x', 'x', vcvtHalf),
  twoReg('VCMP{E} T1', '0100', 'x', vcmp(false)),
  { name: 'VCMP{E} T2 (zero)', cls: 'fp-arith', pattern: '1110 1110 1x11 0101  xxxx 101x x100 0000', requires: 'fpu', exec: vcmp(true) },
  twoReg('VRINTR T1', '0110', '0', unary((cpu, R, v) => A.roundInt(v, R.fmt, st(cpu), A.rmode(st(cpu)), false), true)),
  twoReg('VRINTZ T1', '0110', '1', unary((cpu, R, v) => A.roundInt(v, R.fmt, st(cpu), A.Rounding.ZERO, false), true)),
  twoReg('VRINTX T1', '0111', '0', unary((cpu, R, v) => A.roundInt(v, R.fmt, st(cpu), A.rmode(st(cpu)), true), true)),
  twoReg('VCVT (double/single) T1', '0111', '1', vcvtSD),
  twoReg('VCVT (integer to float) T1', '1000', 'x', vcvtInt),
  twoReg('VCVT{R} (float to integer) T1', '110x', 'x', vcvtInt),
  twoReg('VCVT (fixed-point) T1', '1x1x', 'x', vcvtFixed),
  { name: 'VRINTA/N/P/M T1', cls: 'fp-arith', pattern: '1111 1110 1x11 10xx  xxxx 101x 01x0 xxxx', requires: 'fpu', exec: vrintDirected },
  { name: 'VCVTA/N/P/M T1', cls: 'fp-arith', pattern: '1111 1110 1x11 11xx  xxxx 101x x1x0 xxxx', requires: 'fpu', exec: vcvtDirected },

  { name: 'VMOV (core <-> single) T1', cls: 'fp-move', pattern: '1110 1110 000x xxxx  xxxx 1010 x001 0000', requires: 'fpu', exec: vmovCoreSingle },
  { name: 'VMSR/VMRS T1', cls: 'fp-move', pattern: '1110 1110 111x xxxx  xxxx 1010 0001 0000', requires: 'fpu', exec: vmrsVmsr },
  { name: 'VMOV (core <-> scalar) T1', cls: 'fp-move', pattern: '1110 1110 00xx xxxx  xxxx 1011 x001 0000', requires: 'fpu', exec: vmovScalar },
  { name: 'VMOV (two core <-> two single / double) T1', cls: 'fp-move', pattern: '1110 1100 010x xxxx  xxxx 101x 00x1 xxxx', requires: 'fpu', exec: vmovTwo },
  { name: 'VLDR/VSTR T1', cls: 'fp-load-store', pattern: '1110 1101 xx0x xxxx  xxxx 101x xxxx xxxx', requires: 'fpu', exec: vldrVstr },
  { name: 'VLDM/VSTM T1', cls: 'fp-load-store', pattern: '1110 110x xxxx xxxx  xxxx 101x xxxx xxxx', requires: 'fpu', exec: vldmVstm },
];

export const fpuEncodings: Encoding[] = encodings.map((e) => {
  const inner = e.exec;
  return {
    ...e,
    exec(cpu: Cpu, insn: number): void {
      accessCheck(cpu);
      inner(cpu, insn);
    },
  };
});
