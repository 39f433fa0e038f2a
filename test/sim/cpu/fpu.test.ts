// Unit tests of the floating-point unit: the arithmetic of src/sim/cpu/fpu/arith.ts on
// special values in every rounding mode (expected bit patterns worked out by hand from the
// ARMv7-M ARM pseudocode: FPRound, FPProcessNaNs, FPAdd/Mul/Div/Sqrt/MulAdd, FPToFixed),
// a random cross-check of round-to-nearest against the host's IEEE doubles, and
// instruction-level tests on a core with an FPU: CPACR and NOCP, the debugger's register
// numbers, MVFR/FPCCR in the SCS, VPUSH/VPOP/VLDM/VSTM, fused versus chained multiply-add,
// double precision UNDEFINED on FPv4-SP. Instruction words from arm-none-eabi-as
// (-mcpu=cortex-m7 -mfpu=fpv5-d16), the assembly in the comments.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as A from '../../../src/sim/cpu/fpu/arith.js';
import type { CoreConfig } from '../../../src/sim/cpu/cpu.js';
import { machine, thumb, CODE, RAM, STACK_TOP } from './harness.js';

const { F32, F64 } = A;
const RN = 0 << 22, RP = 1 << 22, RM = 2 << 22, RZ = 3 << 22;
const FZ = 1 << 24, DN = 1 << 25;
const IOC = 1, DZC = 2, OFC = 4, UFC = 8, IXC = 0x10, IDC = 0x80;

type Op2 = (a: bigint, b: bigint, f: A.Fmt, st: A.FpStatus) => bigint;
/** Run a single-precision operation with an FPSCR: [result bits, flags]. */
function s2(op: Op2, a: number, b: number, fpscr = RN): [number, number] {
  const st = { fpscr };
  const r = Number(op(BigInt(a >>> 0), BigInt(b >>> 0), F32, st));
  return [r >>> 0, st.fpscr & 0x9f];
}
function d2(op: Op2, a: bigint, b: bigint, fpscr = RN): [bigint, number] {
  const st = { fpscr };
  const r = op(a, b, F64, st);
  return [r, st.fpscr & 0x9f];
}

const ONE = 0x3f800000;
const HALF_ULP_ONE = 0x33800000; // 2^-24: half an ulp of 1.0f
const MAXF = 0x7f7fffff;
const INF = 0x7f800000;

test('single add: a tie at half an ulp in each rounding mode', () => {
  assert.deepEqual(s2(A.add, ONE, HALF_ULP_ONE, RN), [ONE, IXC]); // tie to even
  assert.deepEqual(s2(A.add, ONE, HALF_ULP_ONE, RP), [0x3f800001, IXC]);
  assert.deepEqual(s2(A.add, ONE, HALF_ULP_ONE, RM), [ONE, IXC]);
  assert.deepEqual(s2(A.add, ONE, HALF_ULP_ONE, RZ), [ONE, IXC]);
  // negative: RM goes away from zero, RP towards it
  assert.deepEqual(s2(A.add, 0xbf800000, 0xb3800000, RM), [0xbf800001, IXC]);
  assert.deepEqual(s2(A.add, 0xbf800000, 0xb3800000, RP), [0xbf800000, IXC]);
  // 1 + 1.5 * 2^-24 (above the tie): rounds up in RN
  assert.deepEqual(s2(A.add, 0x3f800001, HALF_ULP_ONE, RN), [0x3f800002, IXC]); // (1+2^-23)+2^-24: tie, odd -> up
});

test('exact zero results take their sign from the rounding mode', () => {
  assert.deepEqual(s2(A.sub, ONE, ONE, RN), [0, 0]);
  assert.deepEqual(s2(A.sub, ONE, ONE, RM), [0x80000000, 0]);
  assert.deepEqual(s2(A.add, 0x80000000, 0x80000000, RN), [0x80000000, 0]); // -0 + -0 = -0
  assert.deepEqual(s2(A.add, 0x80000000, 0, RN), [0, 0]); // -0 + +0 = +0 (not RM)
  assert.deepEqual(s2(A.add, 0x80000000, 0, RM), [0x80000000, 0]);
});

test('NaN handling: signalling first, then the first operand; quieting; default NaN', () => {
  assert.deepEqual(s2(A.add, 0x7fc00001, 0xffc00002), [0x7fc00001, 0]); // both quiet: op1
  assert.deepEqual(s2(A.add, 0x7fc00001, 0xff800002), [0xffc00002, IOC]); // op2 signalling wins, quieted
  assert.deepEqual(s2(A.mul, 0x7f800001, 0x7fc00000), [0x7fc00001, IOC]);
  assert.deepEqual(s2(A.mul, 0x7f800001, 0x7fc00000, DN), [0x7fc00000, IOC]); // DN: default NaN
  assert.deepEqual(s2(A.add, 0x7fc12345, ONE, DN), [0x7fc00000, 0]);
  assert.deepEqual(s2(A.sub, INF, INF), [0x7fc00000, IOC]); // inf - inf
  assert.deepEqual(s2(A.add, INF, 0xff800000), [0x7fc00000, IOC]);
  assert.deepEqual(s2(A.mul, INF, 0x80000000), [0x7fc00000, IOC]); // inf * -0
  assert.deepEqual(s2(A.mul, INF, 0xbf800000), [0xff800000, 0]);
  // FPMulAdd: a quiet-NaN addend with inf * 0 is the default NaN and IOC
  const st = { fpscr: 0 };
  assert.equal(Number(A.mulAdd(0x7fc00005n, BigInt(INF), 0n, F32, st)), 0x7fc00000);
  assert.equal(st.fpscr, IOC);
});

test('division: by zero (DZC), 0/0 and inf/inf (IOC), 1/3 in every mode', () => {
  assert.deepEqual(s2(A.div, ONE, 0), [INF, DZC]);
  assert.deepEqual(s2(A.div, 0xbf800000, 0), [0xff800000, DZC]);
  assert.deepEqual(s2(A.div, INF, 0), [INF, 0]); // inf / 0: no DZC
  assert.deepEqual(s2(A.div, 0, 0), [0x7fc00000, IOC]);
  assert.deepEqual(s2(A.div, INF, INF), [0x7fc00000, IOC]);
  assert.deepEqual(s2(A.div, ONE, INF), [0, 0]);
  const THREE = 0x40400000; // 1/3 = 0x3eaaaaaa.aaa...: the rest is 2/3 of an ulp
  assert.deepEqual(s2(A.div, ONE, THREE, RN), [0x3eaaaaab, IXC]);
  assert.deepEqual(s2(A.div, ONE, THREE, RP), [0x3eaaaaab, IXC]);
  assert.deepEqual(s2(A.div, ONE, THREE, RM), [0x3eaaaaaa, IXC]);
  assert.deepEqual(s2(A.div, ONE, THREE, RZ), [0x3eaaaaaa, IXC]);
  assert.deepEqual(s2(A.div, 0xbf800000, THREE, RM), [0xbeaaaaab, IXC]);
});

test('square root: sqrt(2) in each mode, -0, negative numbers, +inf', () => {
  const sq = (a: number, fpscr = RN): [number, number] => s2((x, _y, f, st) => A.sqrt(x, f, st), a, 0, fpscr);
  const TWO = 0x40000000; // sqrt(2) = 1.6a09e667f3bc...: 23-bit fraction 0x3504f3, rest below half
  assert.deepEqual(sq(TWO, RN), [0x3fb504f3, IXC]);
  assert.deepEqual(sq(TWO, RP), [0x3fb504f4, IXC]);
  assert.deepEqual(sq(TWO, RZ), [0x3fb504f3, IXC]);
  assert.deepEqual(sq(0x40800000), [0x40000000, 0]); // sqrt(4) = 2 exactly
  assert.deepEqual(sq(0x80000000), [0x80000000, 0]);
  assert.deepEqual(sq(0xbf800000), [0x7fc00000, IOC]);
  assert.deepEqual(sq(0xff800000), [0x7fc00000, IOC]);
  assert.deepEqual(sq(INF), [INF, 0]);
  assert.deepEqual(sq(1), [0x1a3504f3, IXC]); // sqrt(2^-149) = 2^-74.5
});

test('overflow to infinity or to the largest normal by rounding mode', () => {
  assert.deepEqual(s2(A.mul, MAXF, 0x40000000, RN), [INF, OFC | IXC]);
  assert.deepEqual(s2(A.mul, MAXF, 0x40000000, RZ), [MAXF, OFC | IXC]);
  assert.deepEqual(s2(A.mul, MAXF, 0x40000000, RM), [MAXF, OFC | IXC]);
  assert.deepEqual(s2(A.mul, MAXF, 0xc0000000, RM), [0xff800000, OFC | IXC]);
  assert.deepEqual(s2(A.mul, MAXF, 0xc0000000, RP), [0xff7fffff, OFC | IXC]);
});

test('denormals: exact results raise nothing, tiny inexact ones UFC; FZ flushes inputs (IDC) and outputs (UFC)', () => {
  const HALFF = 0x3f000000;
  assert.deepEqual(s2(A.mul, 0x00800000, HALFF), [0x00400000, 0]); // exact denormal
  assert.deepEqual(s2(A.mul, 0x00800000, HALFF, FZ), [0, UFC]); // flushed output: UFC, no IXC
  assert.deepEqual(s2(A.mul, 1, HALFF, RN), [0, UFC | IXC]); // 2^-150: tie to even (0)
  assert.deepEqual(s2(A.mul, 1, HALFF, RP), [1, UFC | IXC]);
  assert.deepEqual(s2(A.mul, 3, HALFF, RN), [2, UFC | IXC]); // 1.5 * 2^-149 -> tie -> 2 (even)
  assert.deepEqual(s2(A.add, 1, 0, FZ), [0, IDC]); // denormal input flushed
  assert.deepEqual(s2(A.add, 0x80000001, ONE, FZ), [ONE, IDC]);
  // rounding up to the smallest normal still counts as tiny (before rounding): UFC
  assert.deepEqual(s2(A.mul, 0x007fffff, 0x3f800001, RP), [0x00800000, UFC | IXC]);
});

test('fused multiply-add rounds once (single and double); VMLA rounds twice', () => {
  // single: a = 1 + 2^-23, a*a = 1 + 2^-22 + 2^-46, p = fl(a*a) = 1 + 2^-22
  const st = { fpscr: 0 };
  assert.equal(Number(A.mulAdd(0xbf800002n, 0x3f800001n, 0x3f800001n, F32, st)), 0x28800000); // 2^-46
  assert.equal(st.fpscr, 0);
  // double: a = 1 + 2^-52: fma(a, a, -(1 + 2^-51)) = 2^-104 exactly
  const a = 0x3ff0000000000001n;
  const st2 = { fpscr: 0 };
  assert.equal(A.mulAdd(0xbff0000000000002n, a, a, F64, st2), 0x3970000000000000n);
  assert.equal(st2.fpscr, 0);
  // chained: the product rounds to 1 + 2^-51 first, so the sum is 0 with IXC
  const [p, f1] = d2(A.mul, a, a);
  assert.equal(p, 0x3ff0000000000002n);
  assert.equal(f1, IXC);
  assert.deepEqual(d2(A.add, p, 0xbff0000000000002n), [0n, 0]);
});

test('round-to-nearest results agree with the host IEEE doubles (random operands)', () => {
  const f64 = new Float64Array(1);
  const u64 = new BigUint64Array(f64.buffer);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  let seed = 12345;
  const rnd = (): number => {
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
    return seed >>> 0;
  };
  const randDouble = (): number => {
    u64[0] = (BigInt(rnd()) << 32n) | BigInt(rnd());
    // keep exponents moderate so that most results are normal
    u64[0] = (u64[0] & 0x800fffffffffffffn) | (BigInt(0x3c0 + (rnd() % 0x80)) << 52n);
    return f64[0];
  };
  const bitsD = (x: number): bigint => ((f64[0] = x), u64[0]);
  const bitsF = (x: number): number => ((f32[0] = x), u32[0]);
  for (let i = 0; i < 2000; i++) {
    const x = randDouble();
    const y = randDouble();
    const st = { fpscr: 0 };
    assert.equal(A.add(bitsD(x), bitsD(y), F64, st), bitsD(x + y), `${x} + ${y}`);
    assert.equal(A.sub(bitsD(x), bitsD(y), F64, st), bitsD(x - y), `${x} - ${y}`);
    assert.equal(A.mul(bitsD(x), bitsD(y), F64, st), bitsD(x * y), `${x} * ${y}`);
    assert.equal(A.div(bitsD(x), bitsD(y), F64, st), bitsD(x / y), `${x} / ${y}`);
    assert.equal(A.sqrt(bitsD(Math.abs(x)), F64, st), bitsD(Math.sqrt(Math.abs(x))), `sqrt ${x}`);
    // singles: one double operation then fround is correctly rounded for + - * / sqrt
    // (53 >= 2 * 24 + 2), so the host gives the reference
    const a = Math.fround(x);
    const b = Math.fround(y * 1e-3);
    const sa = BigInt(bitsF(a));
    const sb = BigInt(bitsF(b));
    assert.equal(Number(A.add(sa, sb, F32, st)), bitsF(Math.fround(a + b)));
    assert.equal(Number(A.mul(sa, sb, F32, st)), bitsF(Math.fround(a * b)));
    assert.equal(Number(A.div(sa, sb, F32, st)), bitsF(Math.fround(a / b)));
    assert.equal(Number(A.sqrt(BigInt(bitsF(Math.abs(a))), F32, st)), bitsF(Math.fround(Math.sqrt(Math.abs(a)))));
  }
});

test('float to integer: round-to-zero and FPSCR rounding, saturation (IOC), NaN -> 0 (IOC)', () => {
  const cv = (bits: number, unsigned: boolean, r: A.Rounding, fbits = 0, M = 32): [number, number] => {
    const st = { fpscr: 0 };
    const v = A.toFixed(BigInt(bits), F32, st, M, fbits, unsigned, r);
    return [v >>> 0, st.fpscr];
  };
  const M2_5 = 0xc0200000; // -2.5
  assert.deepEqual(cv(M2_5, false, A.Rounding.ZERO), [0xfffffffe, IXC]);
  assert.deepEqual(cv(M2_5, false, A.Rounding.TIEEVEN), [0xfffffffe, IXC]);
  assert.deepEqual(cv(M2_5, false, A.Rounding.TIEAWAY), [0xfffffffd, IXC]);
  assert.deepEqual(cv(M2_5, false, A.Rounding.POSINF), [0xfffffffe, IXC]);
  assert.deepEqual(cv(M2_5, false, A.Rounding.NEGINF), [0xfffffffd, IXC]);
  assert.deepEqual(cv(M2_5, true, A.Rounding.ZERO), [0, IOC]); // negative to unsigned saturates
  assert.deepEqual(cv(0x4f000000, false, A.Rounding.ZERO), [0x7fffffff, IOC]); // 2^31
  assert.deepEqual(cv(0x4f000000, true, A.Rounding.ZERO), [0x80000000, 0]);
  assert.deepEqual(cv(0x7fc00000, false, A.Rounding.ZERO), [0, IOC]);
  assert.deepEqual(cv(0xff800000, false, A.Rounding.ZERO), [0x80000000, IOC]);
  // fixed point: 1.75 with 1 fraction bit, 16-bit signed: 3.5 -> 3 (toward zero)
  assert.deepEqual(cv(0x3fe00000, false, A.Rounding.ZERO, 1, 16), [3, IXC]);
  assert.deepEqual(cv(0x47000000, false, A.Rounding.ZERO, 0, 16), [0x7fff, IOC]); // 32768 in s16
  // integer to float: 2^24 + 1 rounds by FPSCR
  const st = { fpscr: RN };
  assert.equal(Number(A.fromFixed(0x01000001, 32, 0, false, F32, st)), 0x4b800000);
  assert.equal(st.fpscr & 0x9f, IXC);
  assert.equal(Number(A.fromFixed(0x01000001, 32, 0, false, F32, { fpscr: RP })), 0x4b800001);
  assert.equal(Number(A.fromFixed(0xffffffff, 32, 0, true, F32, { fpscr: RZ })), 0x4f7fffff);
});

test('half precision: conversions with and without AHP', () => {
  const st = { fpscr: 0 };
  assert.equal(Number(A.convert(0x7c00n, A.F16, F32, st)), INF);
  assert.equal(Number(A.convert(0x7c00n, A.F16, F32, { fpscr: 1 << 26 })), 0x47800000); // AHP: 65536
  assert.equal(Number(A.convert(0x0001n, A.F16, F32, st)), 0x33800000); // 2^-24 (no flush for halves)
  assert.equal(Number(A.convert(0x7d00n, A.F16, F32, st)), 0x7fe00000); // sNaN quieted, payload kept
  assert.equal(st.fpscr, IOC);
  assert.equal(Number(A.convert(0x477ff000n, F32, A.F16, { fpscr: RN })), 0x7c00); // 65520 -> inf
  assert.equal(Number(A.convert(0x477ff000n, F32, A.F16, { fpscr: RZ })), 0x7bff);
  const ahp = { fpscr: 1 << 26 };
  assert.equal(Number(A.convert(0x7fc00000n, F32, A.F16, ahp)), 0); // NaN -> +0 in AHP, IOC
  assert.equal(ahp.fpscr & 0x9f, IOC);
});

test('round to integral (VRINT): ties, exactness flag, signed zero', () => {
  const ri = (bits: number, r: A.Rounding, exact: boolean): [number, number] => {
    const st = { fpscr: 0 };
    const v = Number(A.roundInt(BigInt(bits), F32, st, r, exact));
    return [v >>> 0, st.fpscr];
  };
  assert.deepEqual(ri(0x40200000, A.Rounding.TIEEVEN, true), [0x40000000, IXC]); // 2.5 -> 2
  assert.deepEqual(ri(0x40200000, A.Rounding.TIEAWAY, false), [0x40400000, 0]); // 2.5 -> 3
  assert.deepEqual(ri(0xbf000000, A.Rounding.TIEEVEN, false), [0x80000000, 0]); // -0.5 -> -0
  assert.deepEqual(ri(0xbf000000, A.Rounding.NEGINF, false), [0xbf800000, 0]); // -0.5 -> -1
  assert.deepEqual(ri(0x3f400000, A.Rounding.ZERO, true), [0, IXC]);
  assert.deepEqual(ri(0x4b800001, A.Rounding.POSINF, true), [0x4b800001, 0]); // already integral
});

// ---- instruction level -----------------------------------------------------------

const M7F: CoreConfig = { name: 'cortex-m7', cpuid: 0x411fc272, dsp: true, fpu: 'fpv5-dp', irqs: 32, priorityBits: 8 };
const M4F: CoreConfig = { name: 'cortex-m4', cpuid: 0x410fc240, dsp: true, fpu: 'fpv4-sp', irqs: 32, priorityBits: 8 };
const CPACR = 0xe000ed88;
const CFSR = 0xe000ed28;
const NOCP = 1 << 19;
const UNDEFINSTR = 1 << 16;

function fpuMachine(config: CoreConfig, insns: number[], enable = true) {
  const m = machine(config);
  m.load(thumb(...insns));
  if (enable) m.bus.write32(CPACR, 0xf << 20);
  return m;
}

test('an FP instruction with CP10/CP11 disabled is a UsageFault NOCP; enabled, it executes', () => {
  const m = fpuMachine(M7F, [0xee301a20], false); // vadd.f32 s2, s0, s1
  m.cpu.writeCoreReg(64, 0x3f800000);
  m.cpu.writeCoreReg(65, 0x40000000);
  m.steps(1);
  assert.equal(m.bus.read32(CFSR) & NOCP, NOCP);
  assert.equal(m.cpu.readCoreReg(66), 0);
  const m2 = fpuMachine(M7F, [0xee301a20]);
  m2.cpu.writeCoreReg(64, 0x3f800000);
  m2.cpu.writeCoreReg(65, 0x40000000);
  m2.steps(1);
  assert.equal(m2.bus.read32(CFSR), 0);
  assert.equal(m2.cpu.readCoreReg(66), 0x40400000); // 3.0
  assert.equal(m2.cpu.control & 4, 4, 'CONTROL.FPCA set by the first FP instruction');
  assert.equal(m2.cpu.pc, CODE + 4);
});

test('CPACR privileged-only access: NOCP from unprivileged Thread mode', () => {
  const m = fpuMachine(M7F, [0xee301a20]);
  m.bus.write32(CPACR, 0x5 << 20); // CP10/CP11 = 01: privileged access only
  m.cpu.control = 1; // nPRIV
  m.steps(1);
  assert.equal(m.bus.read32(CFSR) & NOCP, NOCP);
});

test('FPSCR and S0-S31 through the debugger register numbers; MVFR and FPCCR in the SCS', () => {
  const m = fpuMachine(M7F, []);
  m.cpu.writeCoreReg(33, 0xffffffff);
  assert.equal(m.cpu.readCoreReg(33), 0xf7c0009f); // only the ARMv7-M FPSCR bits
  m.cpu.writeCoreReg(95, 0x12345678);
  assert.equal(m.cpu.fp.s[31], 0x12345678);
  assert.equal(m.bus.read32(0xe000ef40), 0x10110221); // MVFR0 as QEMU's Cortex-M7
  assert.equal(m.bus.read32(0xe000ef44), 0x12000011);
  assert.equal(m.bus.read32(0xe000ef48), 0x00000040);
  assert.equal(m.bus.read32(0xe000ef34), 0xc0000000); // FPCCR: ASPEN, LSPEN
  const m4 = fpuMachine(M4F, []);
  assert.equal(m4.bus.read32(0xe000ef40), 0x10110021); // single precision only
});

test('VPUSH/VPOP, VSTMIA/VLDMDB with writeback, VLDR/VSTR, VMOV to two core registers', () => {
  const m = fpuMachine(M7F, [
    0xed2d0a04, // vpush {s0-s3}
    0xecbd2a04, // vpop {s4-s7}
    0xeca00b04, // vstmia r0!, {d0-d1}
    0xed302b04, // vldmdb r0!, {d2-d3}
    0xed904a01, // vldr s8, [r0, #4]
    0xed004b02, // vstr d4, [r0, #-8]
    0xec532b12, // vmov r2, r3, d2
  ]);
  for (let i = 0; i < 4; i++) m.cpu.writeCoreReg(64 + i, 0x11111111 * (i + 1));
  m.cpu.r[0] = RAM + 0x100;
  m.steps(2);
  assert.equal(m.cpu.r[13], STACK_TOP);
  assert.deepEqual([...m.cpu.fp.s.slice(4, 8)], [0x11111111, 0x22222222, 0x33333333, 0x44444444]);
  m.steps(2);
  assert.equal(m.cpu.r[0], RAM + 0x100);
  assert.deepEqual([...m.cpu.fp.s.slice(4, 8)], [0x11111111, 0x22222222, 0x33333333, 0x44444444]);
  m.steps(3);
  assert.equal(m.cpu.fp.s[8], 0x22222222);
  assert.equal(m.bus.read32(RAM + 0x100 - 8), 0x22222222);
  assert.equal(m.cpu.r[2], 0x11111111);
  assert.equal(m.cpu.r[3], 0x22222222);
});

test('VFMA.F64 rounds once, VMLA.F64 twice; VCMP and VMRS APSR_nzcv', () => {
  const m = fpuMachine(M7F, [
    0xeea02b01, // vfma.f64 d2, d0, d1
    0xee003b01, // vmla.f64 d3, d0, d1
    0xeeb40a60, // vcmp.f32 s0, s1
    0xeef1fa10, // vmrs APSR_nzcv, fpscr
  ]);
  const fp = m.cpu.fp;
  fp.setD(0, 0x3ff0000000000001n); // 1 + 2^-52
  fp.setD(1, 0x3ff0000000000001n);
  fp.setD(2, 0xbff0000000000002n); // -(1 + 2^-51)
  fp.setD(3, 0xbff0000000000002n);
  m.steps(2);
  assert.equal(fp.getD(2), 0x3970000000000000n); // 2^-104
  assert.equal(fp.getD(3), 0n);
  assert.equal(m.cpu.readCoreReg(33) & 0x9f, IXC);
  // s0 = low word of d0 = 1, s1 = high word 0x3ff00000: both positive, s0 < s1 as floats
  m.steps(2);
  assert.equal(m.cpu.readCoreReg(33) >>> 28, 0b1000);
  assert.equal(m.cpu.n, 1);
  assert.equal(m.cpu.c, 0);
});

test('double precision on FPv4-SP is UNDEFINED', () => {
  const m = fpuMachine(M4F, [0xeea02b01]); // vfma.f64 d2, d0, d1
  m.steps(1);
  assert.equal(m.bus.read32(CFSR) & UNDEFINSTR, UNDEFINSTR);
  const ok = fpuMachine(M4F, [0xeea01a20]); // vfma.f32 s2, s0, s1
  ok.steps(1);
  assert.equal(ok.bus.read32(CFSR), 0);
});

test('lazy preservation: the first FP instruction saves S0-S15 and FPSCR at FPCAR; a bus error there is LSPERR', () => {
  const m = fpuMachine(M7F, [0xee301a20, 0xee301a20]); // vadd.f32 s2, s0, s1 (twice)
  const fp = m.cpu.fp;
  for (let i = 0; i < 16; i++) fp.s[i] = 0x01010101 * (i + 1);
  fp.fpscr = 0x00c00000;
  fp.fpcar = RAM + 0x200;
  fp.fpccr = (fp.fpccr | 1) >>> 0; // LSPACT
  m.steps(1);
  assert.equal(fp.fpccr & 1, 0);
  assert.equal(m.bus.read32(RAM + 0x200), 0x01010101);
  assert.equal(m.bus.read32(RAM + 0x200 + 60), 0x10101010);
  assert.equal(m.bus.read32(RAM + 0x240), 0x00c00000);
  // again with FPCAR in unmapped space
  fp.fpcar = 0x30000000;
  fp.fpccr = (fp.fpccr | 1) >>> 0;
  const before = fp.s[2];
  m.steps(1);
  assert.equal(m.bus.read32(CFSR) & (1 << 13), 1 << 13, 'BFSR.LSPERR');
  assert.equal(fp.s[2], before, 'the FP instruction did not execute');
});
