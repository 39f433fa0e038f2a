// Fast paths for the common case of the FP arithmetic: round-to-nearest, operands normal or
// zero, result normal (no NaN, infinity, denormal, overflow or underflow anywhere). Then the
// host's IEEE doubles give the exact answer, and the only flag is IXC, decided exactly:
//  - single precision: a double operation on two singles followed by Math.fround is correctly
//    rounded for + - * / and sqrt (53 >= 2 * 24 + 2, so the double rounding is innocuous);
//    inexactness from an exact residual (products of two singles are exact in double; sums
//    use TwoSum). Fused multiply-add: the product is exact, the sum's error comes from TwoSum,
//    and the rare case where the double sum sits exactly on a single-precision midpoint
//    with a non-zero error is left to the exact path.
//  - double precision: + - * / sqrt are the host's; IXC from the exact error terms (TwoSum,
//    Dekker's TwoProduct), valid while nothing underflows or overflows (operand and result
//    exponents are bounded for that).
// Anything else returns FAIL and the caller uses the exact BigInt path (arith.ts).

export const FAIL = -1;
/** Set by each fast operation: the result was inexact (IXC). */
export let inexact = false;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const w64 = new Uint32Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE ? 0 : 1;
const HI = LITTLE ? 1 : 0;

export const enum Op {
  Add = 0,
  Sub = 1,
  Mul = 2,
  Div = 3,
}

const MIN_NORMAL32 = 2 ** -126;
const MAX32 = 3.4028234663852886e38;

/** A single's value if it is normal or zero, else NaN. */
function single(bits: number): number {
  const e = (bits >>> 23) & 0xff;
  if (e === 0xff || (e === 0 && (bits & 0x7fffff) !== 0)) return NaN;
  u32[0] = bits;
  return f32[0];
}

function singleResult(f: number, isExactZeroOk: boolean): number {
  const a = Math.abs(f);
  if (a === 0) {
    if (!isExactZeroOk) return FAIL;
  } else if (a <= MIN_NORMAL32 || a > MAX32) return FAIL;
  f32[0] = f;
  return u32[0];
}

/** Single-precision add/sub/mul/div in round-to-nearest; FAIL when the fast path does not apply. */
export function fastS(op: Op, abits: number, bbits: number): number {
  const a = single(abits);
  const b = single(bbits);
  if (a !== a || b !== b) return FAIL;
  let f: number;
  switch (op) {
    case Op.Add:
    case Op.Sub: {
      const bb = op === Op.Add ? b : -b;
      const s = a + bb;
      const v = s - a;
      const err = a - (s - v) + (bb - v);
      f = Math.fround(s);
      inexact = f !== s || err !== 0;
      return singleResult(f, true); // a zero sum of normals is exact
    }
    case Op.Mul: {
      const p = a * b; // exact
      f = Math.fround(p);
      inexact = f !== p;
      return singleResult(f, a === 0 || b === 0);
    }
    default: {
      if (b === 0) return FAIL;
      f = Math.fround(a / b);
      inexact = f * b !== a; // f * b is exact
      return singleResult(f, a === 0);
    }
  }
}

export function fastSqrtS(abits: number): number {
  const a = single(abits);
  if (a !== a || a < 0 || (a === 0 && abits !== 0)) return FAIL;
  const f = Math.fround(Math.sqrt(a));
  inexact = f * f !== a;
  return singleResult(f, true);
}

/** Single-precision FPMulAdd(addend, x, y) in round-to-nearest. */
export function fastFmaS(cbits: number, xbits: number, ybits: number): number {
  const c = single(cbits);
  const x = single(xbits);
  const y = single(ybits);
  if (c !== c || x !== x || y !== y) return FAIL;
  const p = x * y; // exact
  if (p === 0 || c === 0) return FAIL; // signed-zero rules: leave to the exact path
  const s = p + c;
  const v = s - p;
  const err = p - (s - v) + (c - v);
  const f = Math.fround(s);
  if (err !== 0) {
    // s exactly halfway between two singles: the sign of err decides; leave it to the exact path
    const lo = Math.abs(s - f);
    f32[0] = f;
    const e = (u32[0] >>> 23) & 0xff;
    const h = 2 ** (e - 127 - 24);
    if (lo === h || lo === h / 2) return FAIL;
  }
  inexact = f !== s || err !== 0;
  return singleResult(f, err === 0);
}

// ---- double precision -------------------------------------------------------------------

const SPLIT = 134217729; // 2^27 + 1
const LOW_BOUND = 2 ** -900;
const HIGH_BOUND = 2 ** 900;

/** A double's value from its words if its magnitude is zero or within the safe range, else NaN. */
function double(lo: number, hi: number): number {
  w64[LO] = lo;
  w64[HI] = hi;
  const d = f64[0];
  const a = Math.abs(d);
  if (a === 0) return d;
  return a >= LOW_BOUND && a <= HIGH_BOUND ? d : NaN;
}

/** The exact error of a * b (Dekker's TwoProduct), given p = fl(a * b). */
function productError(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

function doubleResult(r: number, zeroOk: boolean, out: Uint32Array, d: number): boolean {
  const a = Math.abs(r);
  if (a === 0 ? !zeroOk : a < LOW_BOUND || a > HIGH_BOUND) return false;
  f64[0] = r;
  out[2 * d] = w64[LO];
  out[2 * d + 1] = w64[HI];
  return true;
}

/** Double add/sub/mul/div of D[n], D[m] into D[d] (words in `s`) in round-to-nearest; false: not applicable. */
export function fastD(op: Op, s: Uint32Array, d: number, n: number, m: number): boolean {
  const a = double(s[2 * n], s[2 * n + 1]);
  const b = double(s[2 * m], s[2 * m + 1]);
  if (a !== a || b !== b) return false;
  switch (op) {
    case Op.Add:
    case Op.Sub: {
      const bb = op === Op.Add ? b : -b;
      const r = a + bb;
      const v = r - a;
      inexact = a - (r - v) + (bb - v) !== 0;
      return doubleResult(r, true, s, d);
    }
    case Op.Mul: {
      const r = a * b;
      if (a === 0 || b === 0) {
        inexact = false;
        return doubleResult(r, true, s, d);
      }
      inexact = productError(a, b, r) !== 0;
      return doubleResult(r, false, s, d);
    }
    default: {
      if (b === 0) return false;
      const q = a / b;
      if (a === 0) {
        inexact = false;
        return doubleResult(q, true, s, d);
      }
      if (Math.abs(q) < LOW_BOUND || Math.abs(q) > HIGH_BOUND) return false;
      const p = q * b;
      inexact = a - p !== productError(q, b, p);
      return doubleResult(q, false, s, d);
    }
  }
}

export function fastSqrtD(s: Uint32Array, d: number, m: number): boolean {
  const a = double(s[2 * m], s[2 * m + 1]);
  if (a !== a || a < 0 || Object.is(a, -0)) return false;
  const q = Math.sqrt(a);
  if (a === 0) {
    inexact = false;
    return doubleResult(q, true, s, d);
  }
  const p = q * q;
  inexact = a - p !== productError(q, q, p);
  return doubleResult(q, false, s, d);
}

// ---- conversions --------------------------------------------------------------------------

/** A single's or double's value if normal or zero (any magnitude), else NaN. */
function ordinaryS(bits: number): number {
  return single(bits);
}
function ordinaryD(lo: number, hi: number): number {
  const e = (hi >>> 20) & 0x7ff;
  if (e === 0x7ff || (e === 0 && ((hi & 0xfffff) !== 0 || lo !== 0))) return NaN;
  w64[LO] = lo;
  w64[HI] = hi;
  return f64[0];
}

/** Float to a 32-bit integer rounding toward zero (VCVT), for values in range; FAIL otherwise. */
export function fastToIntRZ(v: number, unsigned: boolean): number {
  if (v !== v) return FAIL;
  const t = Math.trunc(v);
  if (unsigned ? t < 0 || t > 0xffffffff : t < -0x80000000 || t > 0x7fffffff) return FAIL;
  inexact = t !== v;
  return t >>> 0;
}
export function singleValue(bits: number): number {
  return ordinaryS(bits);
}
export function doubleValue(lo: number, hi: number): number {
  return ordinaryD(lo, hi);
}

/** A 32-bit integer to single precision in round-to-nearest. */
export function fastIntToS(v: number, unsigned: boolean): number {
  const x = unsigned ? v >>> 0 : v | 0;
  const f = Math.fround(x);
  inexact = f !== x;
  f32[0] = f;
  return u32[0];
}

/** Double to single in round-to-nearest when the result is normal (or an exact zero). */
export function fastDtoS(lo: number, hi: number): number {
  const d = ordinaryD(lo, hi);
  if (d !== d) return FAIL;
  const f = Math.fround(d);
  const a = Math.abs(f);
  if (a === 0 ? d !== 0 : a <= MIN_NORMAL32 || a > MAX32) return FAIL;
  inexact = f !== d;
  f32[0] = f;
  return u32[0];
}
