// IEEE 754 arithmetic as the ARMv7-M ARM's floating-point pseudocode specifies it (FPUnpack,
// FPProcessNaN(s), FPRound, FPAdd/Sub/Mul/Div/Sqrt/MulAdd, FPCompare, FPToFixed/FixedToFP,
// FPRoundInt, FPMaxNum/FPMinNum, the half/single/double conversions), with the FPSCR
// controls (RMode, FZ, DN, AHP) and cumulative exception flags.
//
// Values are handled exactly: an operand is unpacked into sign, BigInt mantissa and binary
// exponent (value = m * 2^e); an operation computes its exact result (sums and products are
// exact; quotients and square roots carry a sticky bit below enough precision), and FPRound
// rounds once to the destination format. This is slow next to JS doubles but exact for every
// rounding mode and fused multiply-add, and it yields the flags (IXC, UFC with tininess
// detected before rounding, OFC) the pseudocode defines.
//
// Operands and results are bit patterns as BigInt (16, 32 or 64 bits).

export interface Fmt {
  readonly N: 16 | 32 | 64;
  readonly E: number;
  readonly F: number;
  readonly minExp: number;
}
export const F16: Fmt = { N: 16, E: 5, F: 10, minExp: -14 };
export const F32: Fmt = { N: 32, E: 8, F: 23, minExp: -126 };
export const F64: Fmt = { N: 64, E: 11, F: 52, minExp: -1022 };

// FPSCR bits.
export const FPSCR_IOC = 1 << 0;
export const FPSCR_DZC = 1 << 1;
export const FPSCR_OFC = 1 << 2;
export const FPSCR_UFC = 1 << 3;
export const FPSCR_IXC = 1 << 4;
export const FPSCR_IDC = 1 << 7;
export const FPSCR_FZ = 1 << 24;
export const FPSCR_DN = 1 << 25;
export const FPSCR_AHP = 1 << 26;

/** Rounding modes, numbered as FPSCR.RMode; TIEAWAY for VCVTA/VRINTA. */
export const enum Rounding {
  TIEEVEN = 0,
  POSINF = 1,
  NEGINF = 2,
  ZERO = 3,
  TIEAWAY = 4,
}

/** The FPSCR the operations read controls from and accumulate flags into. */
export interface FpStatus {
  fpscr: number;
}

export const enum T {
  Zero = 0,
  Denormal = 1,
  Nonzero = 2,
  Infinity = 3,
  QNaN = 4,
  SNaN = 5,
}

export interface Unpacked {
  type: T;
  sign: number; // 0 or 1
  m: bigint; // value = m * 2^e (m >= 0)
  e: number;
}

const ONE = 1n;

function bitLength(m: bigint): number {
  // m > 0
  const s = m.toString(16);
  const d = parseInt(s[0], 16);
  return (s.length - 1) * 4 + (d >= 8 ? 4 : d >= 4 ? 3 : d >= 2 ? 2 : 1);
}

function flag(st: FpStatus, bit: number): void {
  st.fpscr = (st.fpscr | bit) >>> 0;
}

/** FPUnpack: classify; a denormal input is flushed (IDC) when FZ and N != 16. */
export function unpack(bits: bigint, fmt: Fmt, st: FpStatus): Unpacked {
  const { N, E, F } = fmt;
  const sign = Number((bits >> BigInt(N - 1)) & ONE);
  const expField = Number((bits >> BigInt(F)) & ((ONE << BigInt(E)) - ONE));
  const frac = bits & ((ONE << BigInt(F)) - ONE);
  const bias = (1 << (E - 1)) - 1;
  if (expField === 0) {
    if (frac === 0n) return { type: T.Zero, sign, m: 0n, e: 0 };
    if (N !== 16 && (st.fpscr & FPSCR_FZ) !== 0) {
      flag(st, FPSCR_IDC);
      return { type: T.Zero, sign, m: 0n, e: 0 };
    }
    return { type: T.Denormal, sign, m: frac, e: 1 - bias - F };
  }
  if (expField === (1 << E) - 1 && !(N === 16 && (st.fpscr & FPSCR_AHP) !== 0)) {
    if (frac === 0n) return { type: T.Infinity, sign, m: 0n, e: 0 };
    const quiet = (frac >> BigInt(F - 1)) & ONE;
    return { type: quiet ? T.QNaN : T.SNaN, sign, m: 0n, e: 0 };
  }
  return { type: T.Nonzero, sign, m: frac | (ONE << BigInt(F)), e: expField - bias - F };
}

const isNaN_ = (t: T): boolean => t === T.QNaN || t === T.SNaN;
const isZero = (u: Unpacked): boolean => u.type === T.Zero;
const isFinite_ = (u: Unpacked): boolean => u.type === T.Zero || u.type === T.Denormal || u.type === T.Nonzero;

export function zero(sign: number, fmt: Fmt): bigint {
  return BigInt(sign) << BigInt(fmt.N - 1);
}
export function infinity(sign: number, fmt: Fmt): bigint {
  return zero(sign, fmt) | (((ONE << BigInt(fmt.E)) - ONE) << BigInt(fmt.F));
}
export function maxNormal(sign: number, fmt: Fmt): bigint {
  return zero(sign, fmt) | (((ONE << BigInt(fmt.E)) - 2n) << BigInt(fmt.F)) | ((ONE << BigInt(fmt.F)) - ONE);
}
export function defaultNaN(fmt: Fmt): bigint {
  return infinity(0, fmt) | (ONE << BigInt(fmt.F - 1));
}
export function neg(bits: bigint, fmt: Fmt): bigint {
  return bits ^ (ONE << BigInt(fmt.N - 1));
}
export function abs(bits: bigint, fmt: Fmt): bigint {
  return bits & ((ONE << BigInt(fmt.N - 1)) - ONE);
}

/** FPProcessNaN: quiet a signalling NaN (IOC); the default NaN when DN. */
export function processNaN(type: T, bits: bigint, fmt: Fmt, st: FpStatus): bigint {
  let r = bits | (ONE << BigInt(fmt.F - 1));
  if (type === T.SNaN) flag(st, FPSCR_IOC);
  if ((st.fpscr & FPSCR_DN) !== 0) r = defaultNaN(fmt);
  return r;
}

/** FPProcessNaNs: null when neither operand is a NaN. */
function processNaNs(u1: Unpacked, b1: bigint, u2: Unpacked, b2: bigint, fmt: Fmt, st: FpStatus): bigint | null {
  if (u1.type === T.SNaN) return processNaN(u1.type, b1, fmt, st);
  if (u2.type === T.SNaN) return processNaN(u2.type, b2, fmt, st);
  if (u1.type === T.QNaN) return processNaN(u1.type, b1, fmt, st);
  if (u2.type === T.QNaN) return processNaN(u2.type, b2, fmt, st);
  return null;
}

function processNaNs3(u1: Unpacked, b1: bigint, u2: Unpacked, b2: bigint, u3: Unpacked, b3: bigint, fmt: Fmt, st: FpStatus): bigint | null {
  if (u1.type === T.SNaN) return processNaN(u1.type, b1, fmt, st);
  if (u2.type === T.SNaN) return processNaN(u2.type, b2, fmt, st);
  if (u3.type === T.SNaN) return processNaN(u3.type, b3, fmt, st);
  if (u1.type === T.QNaN) return processNaN(u1.type, b1, fmt, st);
  if (u2.type === T.QNaN) return processNaN(u2.type, b2, fmt, st);
  if (u3.type === T.QNaN) return processNaN(u3.type, b3, fmt, st);
  return null;
}

export function rmode(st: FpStatus): Rounding {
  return ((st.fpscr >>> 22) & 3) as Rounding;
}

/**
 * FPRound: round the exact value (-1)^sign * m * 2^e (m > 0) to the format. `rounding`
 * defaults to FPSCR.RMode. FZ flushes tiny results (UFC, no IXC) except for N = 16.
 */
export function round(sign: number, m: bigint, e: number, fmt: Fmt, st: FpStatus, rounding: Rounding = rmode(st)): bigint {
  const { N, E, F, minExp } = fmt;
  const exponent = bitLength(m) - 1 + e;
  if ((st.fpscr & FPSCR_FZ) !== 0 && N !== 16 && exponent < minExp) {
    flag(st, FPSCR_UFC);
    return zero(sign, fmt);
  }
  let biasedExp = Math.max(exponent - minExp + 1, 0);
  const shift = biasedExp > 0 ? e - exponent + F : e - minExp + F;
  let intMant: bigint;
  // error class: 0 exact, 1 below half, 2 half, 3 above half
  let err = 0;
  if (shift >= 0) intMant = m << BigInt(shift);
  else {
    const s = BigInt(-shift);
    intMant = m >> s;
    const rem = m & ((ONE << s) - ONE);
    if (rem !== 0n) {
      const half = ONE << (s - ONE);
      err = rem < half ? 1 : rem === half ? 2 : 3;
    }
  }
  if (biasedExp === 0 && err !== 0) flag(st, FPSCR_UFC);
  let roundUp: boolean;
  let overflowToInf: boolean;
  switch (rounding) {
    case Rounding.TIEEVEN:
      roundUp = err === 3 || (err === 2 && (intMant & ONE) === ONE);
      overflowToInf = true;
      break;
    case Rounding.POSINF:
      roundUp = err !== 0 && sign === 0;
      overflowToInf = sign === 0;
      break;
    case Rounding.NEGINF:
      roundUp = err !== 0 && sign === 1;
      overflowToInf = sign === 1;
      break;
    case Rounding.ZERO:
      roundUp = false;
      overflowToInf = false;
      break;
    default: // TIEAWAY
      roundUp = err >= 2;
      overflowToInf = true;
      break;
  }
  if (roundUp) {
    intMant += ONE;
    if (intMant === ONE << BigInt(F)) biasedExp = 1;
    if (intMant === ONE << BigInt(F + 1)) {
      biasedExp++;
      intMant >>= ONE;
    }
  }
  let result: bigint;
  if (N !== 16 || (st.fpscr & FPSCR_AHP) === 0) {
    if (biasedExp >= (1 << E) - 1) {
      result = overflowToInf ? infinity(sign, fmt) : maxNormal(sign, fmt);
      flag(st, FPSCR_OFC);
      err = 1;
    } else result = zero(sign, fmt) | (BigInt(biasedExp) << BigInt(F)) | (intMant & ((ONE << BigInt(F)) - ONE));
  } else {
    if (biasedExp >= 1 << E) {
      result = zero(sign, fmt) | ((ONE << BigInt(N - 1)) - ONE);
      flag(st, FPSCR_IOC);
      err = 0;
    } else result = zero(sign, fmt) | (BigInt(biasedExp) << BigInt(F)) | (intMant & ((ONE << BigInt(F)) - ONE));
  }
  if (err !== 0) flag(st, FPSCR_IXC);
  return result;
}

/** Exact signed sum of two values (sign, m, e); the far smaller one shrinks to a sticky. */
function addExact(sa: number, ma: bigint, ea: number, sb: number, mb: bigint, eb: number): { sign: number; m: bigint; e: number } {
  if (ma === 0n) return { sign: sb, m: mb, e: eb };
  if (mb === 0n) return { sign: sa, m: ma, e: ea };
  const topA = bitLength(ma) + ea;
  const topB = bitLength(mb) + eb;
  // Anything more than 200 bits below the other operand's top only acts as a sticky bit
  // (rounding positions are at most 110 bits below the top of the larger one).
  if (topB < topA - 200) {
    mb = ONE;
    eb = topA - 202;
  } else if (topA < topB - 200) {
    ma = ONE;
    ea = topB - 202;
  }
  const e = Math.min(ea, eb);
  const a = (ma << BigInt(ea - e)) * (sa ? -ONE : ONE);
  const b = (mb << BigInt(eb - e)) * (sb ? -ONE : ONE);
  const s = a + b;
  return s < 0n ? { sign: 1, m: -s, e } : { sign: 0, m: s, e };
}

function addSub(b1: bigint, b2: bigint, fmt: Fmt, st: FpStatus, subtract: boolean): bigint {
  const u1 = unpack(b1, fmt, st);
  const u2 = unpack(b2, fmt, st);
  const nan = processNaNs(u1, b1, u2, b2, fmt, st);
  if (nan !== null) return nan;
  const s2 = subtract ? u2.sign ^ 1 : u2.sign;
  const inf1 = u1.type === T.Infinity;
  const inf2 = u2.type === T.Infinity;
  if (inf1 && inf2 && u1.sign !== s2) {
    flag(st, FPSCR_IOC);
    return defaultNaN(fmt);
  }
  if ((inf1 && u1.sign === 0) || (inf2 && s2 === 0)) return infinity(0, fmt);
  if ((inf1 && u1.sign === 1) || (inf2 && s2 === 1)) return infinity(1, fmt);
  if (isZero(u1) && isZero(u2) && u1.sign === s2) return zero(u1.sign, fmt);
  const r = addExact(u1.sign, u1.m, u1.e, s2, u2.m, u2.e);
  if (r.m === 0n) return zero(rmode(st) === Rounding.NEGINF ? 1 : 0, fmt);
  return round(r.sign, r.m, r.e, fmt, st);
}

export function add(b1: bigint, b2: bigint, fmt: Fmt, st: FpStatus): bigint {
  return addSub(b1, b2, fmt, st, false);
}
export function sub(b1: bigint, b2: bigint, fmt: Fmt, st: FpStatus): bigint {
  return addSub(b1, b2, fmt, st, true);
}

export function mul(b1: bigint, b2: bigint, fmt: Fmt, st: FpStatus): bigint {
  const u1 = unpack(b1, fmt, st);
  const u2 = unpack(b2, fmt, st);
  const nan = processNaNs(u1, b1, u2, b2, fmt, st);
  if (nan !== null) return nan;
  const inf1 = u1.type === T.Infinity;
  const inf2 = u2.type === T.Infinity;
  const sign = u1.sign ^ u2.sign;
  if ((inf1 && isZero(u2)) || (isZero(u1) && inf2)) {
    flag(st, FPSCR_IOC);
    return defaultNaN(fmt);
  }
  if (inf1 || inf2) return infinity(sign, fmt);
  if (isZero(u1) || isZero(u2)) return zero(sign, fmt);
  return round(sign, u1.m * u2.m, u1.e + u2.e, fmt, st);
}

export function div(b1: bigint, b2: bigint, fmt: Fmt, st: FpStatus): bigint {
  const u1 = unpack(b1, fmt, st);
  const u2 = unpack(b2, fmt, st);
  const nan = processNaNs(u1, b1, u2, b2, fmt, st);
  if (nan !== null) return nan;
  const inf1 = u1.type === T.Infinity;
  const inf2 = u2.type === T.Infinity;
  const sign = u1.sign ^ u2.sign;
  if ((inf1 && inf2) || (isZero(u1) && isZero(u2))) {
    flag(st, FPSCR_IOC);
    return defaultNaN(fmt);
  }
  if (inf1 || isZero(u2)) {
    if (!inf1) flag(st, FPSCR_DZC);
    return infinity(sign, fmt);
  }
  if (isZero(u1) || inf2) return zero(sign, fmt);
  // quotient with at least F + 3 significant bits, then a sticky bit for the remainder
  let k = fmt.F + 4 + bitLength(u2.m) - bitLength(u1.m);
  if (k < 0) k = 0;
  const num = u1.m << BigInt(k);
  let q = num / u2.m;
  let e = u1.e - u2.e - k;
  if (num % u2.m !== 0n) {
    q = (q << ONE) | ONE;
    e -= 1;
  }
  return round(sign, q, e, fmt, st);
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = ONE << BigInt((bitLength(n) >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> ONE;
    if (y >= x) return x;
    x = y;
  }
}

export function sqrt(b: bigint, fmt: Fmt, st: FpStatus): bigint {
  const u = unpack(b, fmt, st);
  if (isNaN_(u.type)) return processNaN(u.type, b, fmt, st);
  if (isZero(u)) return zero(u.sign, fmt);
  if (u.type === T.Infinity && u.sign === 0) return infinity(0, fmt);
  if (u.sign === 1) {
    flag(st, FPSCR_IOC);
    return defaultNaN(fmt);
  }
  let m = u.m;
  let e = u.e;
  if (e & 1) {
    m <<= ONE;
    e -= 1;
  }
  // root with at least F + 3 bits: m * 2^(2k) has at least 2F + 8 bits
  let k = Math.ceil((2 * fmt.F + 8 - bitLength(m)) / 2);
  if (k < 0) k = 0;
  const n = m << BigInt(2 * k);
  let root = isqrt(n);
  let re = e / 2 - k;
  if (root * root !== n) {
    root = (root << ONE) | ONE;
    re -= 1;
  }
  return round(0, root, re, fmt, st);
}

/** FPMulAdd(addend, op1, op2): addend + op1 * op2 rounded once. */
export function mulAdd(ba: bigint, b1: bigint, b2: bigint, fmt: Fmt, st: FpStatus): bigint {
  const ua = unpack(ba, fmt, st);
  const u1 = unpack(b1, fmt, st);
  const u2 = unpack(b2, fmt, st);
  const inf1 = u1.type === T.Infinity;
  const inf2 = u2.type === T.Infinity;
  const zero1 = isZero(u1);
  const zero2 = isZero(u2);
  const nan = processNaNs3(ua, ba, u1, b1, u2, b2, fmt, st);
  if (ua.type === T.QNaN && ((inf1 && zero2) || (zero1 && inf2))) {
    flag(st, FPSCR_IOC);
    return defaultNaN(fmt);
  }
  if (nan !== null) return nan;
  const infA = ua.type === T.Infinity;
  const zeroA = isZero(ua);
  const signP = u1.sign ^ u2.sign;
  const infP = inf1 || inf2;
  const zeroP = zero1 || zero2;
  if ((inf1 && zero2) || (zero1 && inf2) || (infA && infP && ua.sign !== signP)) {
    flag(st, FPSCR_IOC);
    return defaultNaN(fmt);
  }
  if ((infA && ua.sign === 0) || (infP && signP === 0)) return infinity(0, fmt);
  if ((infA && ua.sign === 1) || (infP && signP === 1)) return infinity(1, fmt);
  if (zeroA && zeroP && ua.sign === signP) return zero(ua.sign, fmt);
  const r = addExact(ua.sign, ua.m, ua.e, signP, u1.m * u2.m, u1.e + u2.e);
  if (r.m === 0n) return zero(rmode(st) === Rounding.NEGINF ? 1 : 0, fmt);
  return round(r.sign, r.m, r.e, fmt, st);
}

/** FPCompare: NZCV as a 4-bit number. */
export function compare(b1: bigint, b2: bigint, fmt: Fmt, st: FpStatus, quietNaNExc: boolean): number {
  const u1 = unpack(b1, fmt, st);
  const u2 = unpack(b2, fmt, st);
  if (isNaN_(u1.type) || isNaN_(u2.type)) {
    if (u1.type === T.SNaN || u2.type === T.SNaN || quietNaNExc) flag(st, FPSCR_IOC);
    return 0b0011;
  }
  const c = cmpValues(u1, u2);
  return c === 0 ? 0b0110 : c < 0 ? 0b1000 : 0b0010;
}

/** Compare two non-NaN unpacked values: -1, 0, 1. */
function cmpValues(u1: Unpacked, u2: Unpacked): number {
  const inf1 = u1.type === T.Infinity;
  const inf2 = u2.type === T.Infinity;
  if (inf1 || inf2) {
    const v1 = inf1 ? (u1.sign ? -1 : 1) : 0;
    const v2 = inf2 ? (u2.sign ? -1 : 1) : 0;
    if (v1 !== v2) return v1 < v2 ? -1 : 1;
    if (inf1 && inf2) return 0;
    // one infinite, the other finite with the same "v": cannot happen (v of finite is 0)
  }
  const d = addExact(u1.sign, u1.m, u1.e, u2.sign ^ 1, u2.m, u2.e);
  if (d.m === 0n) return 0;
  return d.sign ? -1 : 1;
}

function maxMin(b1: bigint, b2: bigint, fmt: Fmt, st: FpStatus, isMax: boolean): bigint {
  const u1 = unpack(b1, fmt, st);
  const u2 = unpack(b2, fmt, st);
  const nan = processNaNs(u1, b1, u2, b2, fmt, st);
  if (nan !== null) return nan;
  const c = cmpValues(u1, u2);
  const pick1 = isMax ? c > 0 : c < 0;
  const u = pick1 ? u1 : u2;
  if (u.type === T.Infinity) return infinity(u.sign, fmt);
  if (u.type === T.Zero) return zero(isMax ? u1.sign & u2.sign : u1.sign | u2.sign, fmt);
  return round(u.sign, u.m, u.e, fmt, st);
}

/** FPMaxNum / FPMinNum (VMAXNM/VMINNM): a single quiet NaN loses to a number. */
export function maxNum(b1: bigint, b2: bigint, fmt: Fmt, st: FpStatus, isMax: boolean): bigint {
  const q = { fpscr: 0 };
  const t1 = unpack(b1, fmt, q).type;
  const t2 = unpack(b2, fmt, q).type;
  if (t1 === T.QNaN && t2 !== T.QNaN) b1 = infinity(isMax ? 1 : 0, fmt);
  else if (t1 !== T.QNaN && t2 === T.QNaN) b2 = infinity(isMax ? 1 : 0, fmt);
  return maxMin(b1, b2, fmt, st, isMax);
}

/** FPRoundInt: round to an integral value in the same format; IXC only when `exact`. */
export function roundInt(b: bigint, fmt: Fmt, st: FpStatus, rounding: Rounding, exact: boolean): bigint {
  const u = unpack(b, fmt, st);
  if (isNaN_(u.type)) return processNaN(u.type, b, fmt, st);
  if (u.type === T.Infinity) return infinity(u.sign, fmt);
  if (u.type === T.Zero) return zero(u.sign, fmt);
  const { intValue, err } = toIntegral(u, 0, rounding);
  if (intValue === 0n) {
    if (err && exact) flag(st, FPSCR_IXC);
    return zero(u.sign, fmt);
  }
  const neg_ = intValue < 0n;
  const r = round(neg_ ? 1 : 0, neg_ ? -intValue : intValue, 0, fmt, { fpscr: st.fpscr });
  if (err && exact) flag(st, FPSCR_IXC);
  return r;
}

/** Round (value * 2^fbits) to an integer: the pseudocode's RoundDown, error and round_up. */
function toIntegral(u: Unpacked, fbits: number, rounding: Rounding): { intValue: bigint; err: boolean } {
  const e = u.e + fbits;
  let floorAbs: bigint;
  let errClass = 0; // as in round(): 0 exact, 1 < half, 2 half, 3 > half (of |value|)
  if (e >= 0) floorAbs = u.m << BigInt(e);
  else if (-e > bitLength(u.m) + 2) {
    floorAbs = 0n;
    errClass = 1;
  } else {
    const s = BigInt(-e);
    floorAbs = u.m >> s;
    const rem = u.m & ((ONE << s) - ONE);
    if (rem !== 0n) {
      const half = ONE << (s - ONE);
      errClass = rem < half ? 1 : rem === half ? 2 : 3;
    }
  }
  // signed RoundDown: for negative values with an error, floor is -(floorAbs + 1) and the
  // error (value - floor) is 1 - fraction
  let intResult: bigint;
  let e2: number; // error class of value - RoundDown(value), in [0,1)
  if (u.sign === 0 || errClass === 0) {
    intResult = u.sign ? -floorAbs : floorAbs;
    e2 = errClass;
  } else {
    intResult = -floorAbs - ONE;
    e2 = 4 - errClass; // 1 -> 3, 2 -> 2, 3 -> 1
  }
  let roundUp: boolean;
  switch (rounding) {
    case Rounding.TIEEVEN: roundUp = e2 === 3 || (e2 === 2 && (intResult & ONE) !== 0n); break;
    case Rounding.POSINF: roundUp = e2 !== 0; break;
    case Rounding.NEGINF: roundUp = false; break;
    case Rounding.ZERO: roundUp = e2 !== 0 && intResult < 0n; break;
    default: roundUp = e2 === 3 || (e2 === 2 && intResult >= 0n); break;
  }
  if (roundUp) intResult += ONE;
  return { intValue: intResult, err: e2 !== 0 };
}

/** FPToFixed: to an M-bit integer with `fbits` fraction bits, saturating (IOC) or inexact (IXC). Returns the unsigned bit pattern as a number. */
export function toFixed(b: bigint, fmt: Fmt, st: FpStatus, M: number, fbits: number, unsigned: boolean, rounding: Rounding): number {
  const u = unpack(b, fmt, st);
  if (isNaN_(u.type)) {
    flag(st, FPSCR_IOC);
    return 0;
  }
  let intValue: bigint;
  let err = false;
  if (u.type === T.Infinity) intValue = u.sign ? -(ONE << 2000n) : ONE << 2000n;
  else if (u.type === T.Zero) intValue = 0n;
  else ({ intValue, err } = toIntegral(u, fbits, rounding));
  const lo = unsigned ? 0n : -(ONE << BigInt(M - 1));
  const hi = unsigned ? (ONE << BigInt(M)) - ONE : (ONE << BigInt(M - 1)) - ONE;
  let sat = false;
  if (intValue < lo) {
    intValue = lo;
    sat = true;
  } else if (intValue > hi) {
    intValue = hi;
    sat = true;
  }
  if (sat) flag(st, FPSCR_IOC);
  else if (err) flag(st, FPSCR_IXC);
  return Number(BigInt.asUintN(32, intValue));
}

/** FixedToFP: an M-bit integer (bit pattern `v`) with `fbits` fraction bits to the format. */
export function fromFixed(v: number, M: number, fbits: number, unsigned: boolean, fmt: Fmt, st: FpStatus, rounding: Rounding = rmode(st)): bigint {
  const raw = BigInt.asUintN(M, BigInt(v >>> 0));
  const iv = unsigned ? raw : BigInt.asIntN(M, raw);
  if (iv === 0n) return zero(0, fmt);
  return iv < 0n ? round(1, -iv, -fbits, fmt, st, rounding) : round(0, iv, -fbits, fmt, st, rounding);
}

/** Conversion between formats (FPSingleToDouble, FPDoubleToSingle, FPHalfToSingle, FPSingleToHalf and the FPv5 double/half forms). */
export function convert(b: bigint, from: Fmt, to: Fmt, st: FpStatus): bigint {
  const u = unpack(b, from, st);
  const ahpTo = to.N === 16 && (st.fpscr & FPSCR_AHP) !== 0;
  if (isNaN_(u.type)) {
    if (ahpTo) {
      flag(st, FPSCR_IOC);
      return zero(u.sign, to);
    }
    if (u.type === T.SNaN) flag(st, FPSCR_IOC);
    if ((st.fpscr & FPSCR_DN) !== 0) return defaultNaN(to);
    // sign, all-ones exponent, quiet bit, then the top fraction bits
    const fracFrom = b & ((ONE << BigInt(from.F - 1)) - ONE);
    const frac = to.F >= from.F ? fracFrom << BigInt(to.F - from.F) : fracFrom >> BigInt(from.F - to.F);
    return infinity(u.sign, to) | (ONE << BigInt(to.F - 1)) | frac;
  }
  if (u.type === T.Infinity) {
    if (ahpTo) {
      flag(st, FPSCR_IOC);
      return zero(u.sign, to) | ((ONE << BigInt(to.N - 1)) - ONE);
    }
    return infinity(u.sign, to);
  }
  if (u.type === T.Zero) return zero(u.sign, to);
  return round(u.sign, u.m, u.e, to, st);
}

/** VFPExpandImm: the 8-bit immediate of VMOV (immediate). */
export function expandImm(imm8: number, fmt: Fmt): bigint {
  const { N, E, F } = fmt;
  const sign = BigInt((imm8 >>> 7) & 1);
  const b6 = (imm8 >>> 6) & 1;
  const exp = ((b6 ^ 1) << (E - 1)) | ((b6 ? (1 << (E - 3)) - 1 : 0) << 2) | ((imm8 >>> 4) & 3);
  const frac = BigInt(imm8 & 0xf) << BigInt(F - 4);
  return (sign << BigInt(N - 1)) | (BigInt(exp) << BigInt(F)) | frac;
}
