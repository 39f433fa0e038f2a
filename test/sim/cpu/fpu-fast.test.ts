// The FPU's fast paths (src/sim/cpu/fpu/fast.ts: host doubles in round-to-nearest) against
// the exact BigInt arithmetic (arith.ts) over random operands chosen to hit cancellation,
// ties and single-precision midpoints of fused multiply-add: wherever the fast path answers,
// result bits and IXC must be the exact path's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as A from '../../../src/sim/cpu/fpu/arith.js';
import * as Fast from '../../../src/sim/cpu/fpu/fast.js';

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    return s >>> 0;
  };
}
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const bitsF = (x: number): number => ((f32[0] = x), u32[0]);

test('single precision: fast results equal the exact ones (add, sub, mul, div, sqrt, fma)', () => {
  const rnd = rng(7);
  const randS = (): number => {
    const e = 127 - 40 + (rnd() % 80);
    return (((rnd() & 1) << 31) | (e << 23) | (rnd() & 0x7fffff)) >>> 0;
  };
  let used = 0;
  const ops: [Fast.Op, (a: bigint, b: bigint, f: A.Fmt, st: A.FpStatus) => bigint][] = [
    [Fast.Op.Add, A.add], [Fast.Op.Sub, A.sub], [Fast.Op.Mul, A.mul], [Fast.Op.Div, A.div],
  ];
  for (let i = 0; i < 20000; i++) {
    const a = randS();
    // b near a sometimes (cancellation), or a small integer multiple of an ulp away
    const b = i % 3 === 0 ? (a + (rnd() % 5) - 2) >>> 0 : i % 3 === 1 ? (a ^ SIGN_IF(rnd())) >>> 0 : randS();
    for (const [op, exact] of ops) {
      const r = Fast.fastS(op, a, b);
      if (r === Fast.FAIL) continue;
      used++;
      const st = { fpscr: 0 };
      assert.equal(r, Number(exact(BigInt(a), BigInt(b), A.F32, st)), `op ${op} ${a.toString(16)} ${b.toString(16)}`);
      assert.equal(Fast.inexact, (st.fpscr & 0x10) !== 0, `IXC of op ${op} ${a.toString(16)} ${b.toString(16)}`);
    }
    const q = Fast.fastSqrtS(a & 0x7fffffff);
    if (q !== Fast.FAIL) {
      const st = { fpscr: 0 };
      assert.equal(q, Number(A.sqrt(BigInt(a & 0x7fffffff), A.F32, st)));
      assert.equal(Fast.inexact, (st.fpscr & 0x10) !== 0);
    }
    // fma: addend near -x*y (cancellation), or at a midpoint of fl(x*y)
    const x = randS();
    const y = randS();
    const p = Math.fround(fl(x) * fl(y));
    const choices = [randS(), bitsF(-p), (bitsF(-p) + 1) >>> 0, bitsF(p), bitsF(p * 2 ** -24), bitsF(-p * 2 ** -25)];
    const c = choices[rnd() % choices.length];
    const r = Fast.fastFmaS(c, x, y);
    if (r !== Fast.FAIL) {
      used++;
      const st = { fpscr: 0 };
      assert.equal(r, Number(A.mulAdd(BigInt(c), BigInt(x), BigInt(y), A.F32, st)), `fma ${c.toString(16)} ${x.toString(16)} ${y.toString(16)}`);
      assert.equal(Fast.inexact, (st.fpscr & 0x10) !== 0);
    }
  }
  assert.ok(used > 50000, `the fast path answered only ${used} times`);
});

function fl(bits: number): number {
  u32[0] = bits;
  return f32[0];
}
function SIGN_IF(r: number): number {
  return (r & 1) << 31;
}

test('double precision: fast results equal the exact ones (add, sub, mul, div, sqrt)', () => {
  const rnd = rng(11);
  const s = new Uint32Array(8);
  const get = (n: number): bigint => (BigInt(s[2 * n + 1]) << 32n) | BigInt(s[2 * n]);
  const set = (n: number, v: bigint): void => {
    s[2 * n] = Number(v & 0xffffffffn);
    s[2 * n + 1] = Number(v >> 32n);
  };
  const randD = (): bigint => {
    const e = BigInt(1023 - 300 + (rnd() % 600));
    return (BigInt(rnd() & 1) << 63n) | (e << 52n) | (BigInt(rnd() & 0xfffff) << 32n) | BigInt(rnd());
  };
  let used = 0;
  const ops: [Fast.Op, (a: bigint, b: bigint, f: A.Fmt, st: A.FpStatus) => bigint][] = [
    [Fast.Op.Add, A.add], [Fast.Op.Sub, A.sub], [Fast.Op.Mul, A.mul], [Fast.Op.Div, A.div],
  ];
  for (let i = 0; i < 20000; i++) {
    const a = randD();
    const b = i % 3 === 0 ? a + BigInt((rnd() % 5) - 2) : i % 3 === 1 ? a ^ (1n << 63n) : randD();
    for (const [op, exact] of ops) {
      set(0, a);
      set(1, b);
      if (!Fast.fastD(op, s, 2, 0, 1)) continue;
      used++;
      const st = { fpscr: 0 };
      assert.equal(get(2), exact(a, b, A.F64, st), `op ${op} ${a.toString(16)} ${b.toString(16)}`);
      assert.equal(Fast.inexact, (st.fpscr & 0x10) !== 0, `IXC of op ${op} ${a.toString(16)} ${b.toString(16)}`);
    }
    set(0, a & ~(1n << 63n));
    if (Fast.fastSqrtD(s, 3, 0)) {
      const st = { fpscr: 0 };
      assert.equal(get(3), A.sqrt(a & ~(1n << 63n), A.F64, st));
      assert.equal(Fast.inexact, (st.fpscr & 0x10) !== 0);
    }
  }
  assert.ok(used > 50000, `the fast path answered only ${used} times`);
});

test('conversions: fast float->int (toward zero), int->single, double->single equal the exact ones', () => {
  const rnd = rng(23);
  let used = 0;
  for (let i = 0; i < 20000; i++) {
    const e = 127 - 5 + (rnd() % 40);
    const sb = (((rnd() & 1) << 31) | (e << 23) | (rnd() & 0x7fffff)) >>> 0;
    for (const unsigned of [false, true]) {
      const r = Fast.fastToIntRZ(Fast.singleValue(sb), unsigned);
      if (r === Fast.FAIL) continue;
      used++;
      const st = { fpscr: 0 };
      assert.equal(r, A.toFixed(BigInt(sb), A.F32, st, 32, 0, unsigned, A.Rounding.ZERO), sb.toString(16));
      assert.equal(Fast.inexact, (st.fpscr & 0x10) !== 0);
    }
    const iv = rnd();
    for (const unsigned of [false, true]) {
      const st = { fpscr: 0 };
      assert.equal(Fast.fastIntToS(iv, unsigned), Number(A.fromFixed(iv, 32, 0, unsigned, A.F32, st)));
      assert.equal(Fast.inexact, (st.fpscr & 0x10) !== 0);
    }
    const hi = (((rnd() & 1) << 31) | ((1023 - 140 + (rnd() % 280)) << 20) | (rnd() & 0xfffff)) >>> 0;
    const lo = rnd();
    const r = Fast.fastDtoS(lo, hi);
    if (r !== Fast.FAIL) {
      used++;
      const st = { fpscr: 0 };
      assert.equal(r, Number(A.convert((BigInt(hi) << 32n) | BigInt(lo), A.F64, A.F32, st)), `${hi.toString(16)} ${lo.toString(16)}`);
      assert.equal(Fast.inexact, (st.fpscr & 0x10) !== 0);
    }
  }
  assert.ok(used > 20000, `the fast path answered only ${used} times`);
});
