// Loads and stores: every size and addressing mode (offset, pre- and post-indexed with
// writeback, register offset, unprivileged, PC-relative literal), LDM/STM/PUSH/POP,
// LDRD/STRD, LDREX/STREX and the preload hints. Addresses always fall into scratch RAM.

import { GENERAL, LOW, type Plan } from './builder.js';
import { SP, PC, LR, lsImm12, lsImm8, lsReg, lsUnpriv, lsLiteral, regMask } from './encode.js';
import type { Spec } from './spec.js';

const specs: Spec[] = [];
const add = (name: string, cls: string, where: Spec['where'], gen: (p: Plan) => boolean | void, weight?: number): void => {
  specs.push({ name, cls, where, weight, gen: (p) => gen(p) !== false });
};

interface Kind {
  /** The mnemonic: LDR, LDRB, ..., STRH. */
  m: string;
  sign: number;
  /** log2 of the access size */
  size: number;
  load: number;
}
const KINDS: Kind[] = [
  { m: 'STRB', sign: 0, size: 0, load: 0 }, { m: 'STRH', sign: 0, size: 1, load: 0 }, { m: 'STR', sign: 0, size: 2, load: 0 },
  { m: 'LDRB', sign: 0, size: 0, load: 1 }, { m: 'LDRH', sign: 0, size: 1, load: 1 }, { m: 'LDR', sign: 0, size: 2, load: 1 },
  { m: 'LDRSB', sign: 1, size: 0, load: 1 }, { m: 'LDRSH', sign: 1, size: 1, load: 1 },
];

/** Mostly naturally aligned; sometimes unaligned (allowed for single LDR/STR(H) on ARMv7-M). */
const alignFor = (p: Plan, k: Kind): number => (p.rng.chance(0.9) ? 1 << k.size : 1);
/** Rt for a single transfer: a load never targets SP or PC here (PC loads are branches). */
function pickRt(p: Plan, k: Kind, exclude: number[] = []): number {
  if (!k.load && k.size === 2 && p.rng.chance(0.1) && !exclude.includes(SP)) return SP; // STR SP is allowed
  return p.pick(GENERAL, exclude);
}
/** A multiple of `align` in [0, max]. */
const offsetIn = (p: Plan, max: number, align: number): number => p.rng.int(Math.floor(max / align) + 1) * align;

// ---- 16-bit forms --------------------------------------------------------------------------

const REG16: [string, number, Kind][] = [
  ['STR (register) T1', 0x5000, KINDS[2]], ['STRH (register) T1', 0x5200, KINDS[1]], ['STRB (register) T1', 0x5400, KINDS[0]],
  ['LDRSB (register) T1', 0x5600, KINDS[6]], ['LDR (register) T1', 0x5800, KINDS[5]], ['LDRH (register) T1', 0x5a00, KINDS[4]],
  ['LDRB (register) T1', 0x5c00, KINDS[3]], ['LDRSH (register) T1', 0x5e00, KINDS[7]],
];
for (const [name, bits, k] of REG16) {
  const cls = k.load ? 'load' : 'store';
  add(name, cls, 'any', (p) => {
    const a = alignFor(p, k);
    const base = p.dataBase(a, LOW);
    const rm = p.pickSettable(LOW);
    p.setReg(rm, offsetIn(p, 1020, a));
    const rt = p.pick(LOW);
    p.add({ hw: [bits | (rm << 6) | (base.reg << 3) | rt], name, cls }, k.load ? [rt] : []);
  });
}
const IMM16: [string, number, Kind][] = [
  ['STR (immediate) T1', 0x6000, KINDS[2]], ['LDR (immediate) T1', 0x6800, KINDS[5]], ['STRB (immediate) T1', 0x7000, KINDS[0]],
  ['LDRB (immediate) T1', 0x7800, KINDS[3]], ['STRH (immediate) T1', 0x8000, KINDS[1]], ['LDRH (immediate) T1', 0x8800, KINDS[4]],
];
for (const [name, bits, k] of IMM16) {
  const cls = k.load ? 'load' : 'store';
  add(name, cls, 'any', (p) => {
    const base = p.dataBase(alignFor(p, k), LOW);
    const rt = p.pick(LOW);
    p.add({ hw: [bits | (p.rng.int(32) << 6) | (base.reg << 3) | rt], name, cls }, k.load ? [rt] : []);
  });
}
for (const [name, bits, load] of [['STR (immediate) T2', 0x9000, 0], ['LDR (immediate) T2', 0x9800, 1]] as const) {
  add(name, load ? 'load' : 'store', 'any', (p) => {
    const rt = p.pick(LOW);
    p.add({ hw: [bits | (rt << 8) | p.rng.int(256)], name, cls: load ? 'load' : 'store' }, load ? [rt] : []);
  });
}
// LDR Rt, [PC, #imm8*4]: forward only; the code is padded if it would read past the end.
add('LDR (literal) T1', 'load', 'any', (p) => {
  const rt = p.pick(LOW);
  const imm8 = p.rng.int(64);
  p.add({ hw: [0x4800 | (rt << 8) | imm8], name: 'LDR (literal) T1', cls: 'load', needEnd: (o) => ((o + 4) & ~3) + imm8 * 4 + 4 }, [rt]);
});

// ---- 32-bit single loads and stores ----------------------------------------------------

/** A base for a 32-bit access: a data register, or (read-only base) SP. */
function base32(p: Plan, a: number, allowSp: boolean, exclude: number[] = []): { reg: number; value: number } {
  if (allowSp && p.rng.chance(0.15) && p.sp % a === 0) return { reg: SP, value: p.sp };
  return p.dataBase(a, GENERAL, exclude);
}

for (const k of KINDS) {
  const cls = k.load ? 'load' : 'store';
  const n12 = `${k.m} (immediate) imm12`;
  add(n12, cls, 'any', (p) => {
    const a = alignFor(p, k);
    const base = base32(p, a, true);
    const rt = pickRt(p, k);
    p.add({ hw: lsImm12(k.sign, k.size, k.load, base.reg, rt, offsetIn(p, 4095, a)), name: n12, cls }, k.load ? [rt] : []);
  });
  // imm8: negative offset, pre-indexed or post-indexed with writeback
  const n8 = `${k.m} (immediate) imm8`;
  add(n8, cls, 'any', (p) => {
    const a = alignFor(p, k);
    const mode = p.rng.int(3); // 0 offset -imm8, 1 pre-index with writeback, 2 post-index
    const wback = mode !== 0;
    const base = base32(p, a, !wback);
    const rt = pickRt(p, k, wback ? [base.reg] : []); // writeback with Rn == Rt is UNPREDICTABLE
    const u = mode === 0 ? 0 : p.rng.int(2);
    const P = mode === 2 ? 0 : 1;
    const imm8 = offsetIn(p, 255, a);
    const writes = [...(k.load ? [rt] : []), ...(wback ? [base.reg] : [])];
    p.add({ hw: lsImm8(k.sign, k.size, k.load, base.reg, rt, P, u, wback ? 1 : 0, imm8), name: n8, cls }, writes);
  });
  const nr = `${k.m} (register)`;
  add(nr, cls, 'any', (p) => {
    const a = alignFor(p, k);
    const base = base32(p, a, true); // [SP, Rm] is allowed too
    const rm = p.pickSettable();
    const imm2 = p.rng.int(4);
    p.setReg(rm, offsetIn(p, 1020 >> imm2, Math.max(1, a >> imm2)));
    const rt = pickRt(p, k);
    p.add({ hw: lsReg(k.sign, k.size, k.load, base.reg, rt, rm, imm2), name: nr, cls }, k.load ? [rt] : []);
  });
  const nt = `${k.m}T`;
  add(nt, cls, 'any', (p) => {
    const a = alignFor(p, k);
    const base = base32(p, a, true);
    const rt = p.pick(); // BadReg(t) is UNPREDICTABLE for the unprivileged forms
    p.add({ hw: lsUnpriv(k.sign, k.size, k.load, base.reg, rt, offsetIn(p, 255, a)), name: nt, cls }, k.load ? [rt] : []);
  });
  if (k.load) {
    const nl = `${k.m} (literal)`;
    add(nl, cls, 'any', (p) => {
      const rt = p.pick();
      const bytes = 1 << k.size;
      const a = alignFor(p, k);
      if (p.rng.chance(0.5)) {
        // backwards, into the code already emitted
        const imm12 = offsetIn(p, Math.min(4095, p.b.offset), a);
        p.add({
          hw: lsLiteral(k.sign, k.size, rt, 0, 0), name: nl, cls,
          // the reachable distance depends on where the op lands
          place: (op, o) => {
            const aligned = (o + 4) & ~3;
            const back = Math.min(imm12, aligned); // both multiples of the alignment
            op.hw = lsLiteral(k.sign, k.size, rt, 0, back);
            op.needEnd = () => aligned - back + bytes;
          },
        }, [rt]);
      } else {
        const imm12 = offsetIn(p, 255, a);
        p.add({ hw: lsLiteral(k.sign, k.size, rt, 1, imm12), name: nl, cls, needEnd: (o) => ((o + 4) & ~3) + imm12 + bytes }, [rt]);
      }
    });
  }
}

// Preload hints never fault: any base register value will do.
for (const [name, sign] of [['PLD', 0], ['PLI', 1]] as const) {
  add(`${name} (immediate) T1`, 'hint', 'any', (p) => {
    p.add({ hw: lsImm12(sign, 0, 1, p.rng.pick([...GENERAL, SP]), PC, p.rng.int(4096)), name: `${name} (immediate) T1`, cls: 'hint' });
  });
  add(`${name} (immediate) T2`, 'hint', 'any', (p) => {
    p.add({ hw: lsImm8(sign, 0, 1, p.rng.pick([...GENERAL, SP]), PC, 1, 0, 0, p.rng.int(256)), name: `${name} (immediate) T2`, cls: 'hint' });
  });
  const lit = name === 'PLD' ? 'PLD (literal) T1' : 'PLI (literal) T3';
  add(lit, 'hint', 'any', (p) => {
    p.add({ hw: lsLiteral(sign, 0, PC, p.rng.int(2), p.rng.int(4096)), name: lit, cls: 'hint' });
  });
  add(`${name} (register) T1`, 'hint', 'any', (p) => {
    p.add({ hw: lsReg(sign, 0, 1, p.rng.pick([...GENERAL, SP]), PC, p.pick(), p.rng.int(4)), name: `${name} (register) T1`, cls: 'hint' });
  });
}

// Unallocated memory hints (LDRH/LDRSH with Rt = PC) execute as NOPs, whatever the address.
for (const [m, sign] of [['LDRH', 0], ['LDRSH', 1]] as const) {
  const base = (p: Plan): number => p.rng.pick([...GENERAL, SP]);
  add(`memory hint (${m} Rt=PC) imm12`, 'hint', 'any', (p) => void p.add({ hw: lsImm12(sign, 1, 1, base(p), PC, p.rng.int(4096)), name: `memory hint (${m} Rt=PC) imm12`, cls: 'hint' }), 0.5);
  add(`memory hint (${m} Rt=PC) imm8`, 'hint', 'any', (p) => void p.add({ hw: lsImm8(sign, 1, 1, base(p), PC, 1, 0, 0, p.rng.int(256)), name: `memory hint (${m} Rt=PC) imm8`, cls: 'hint' }), 0.5);
  add(`memory hint (${m} Rt=PC) register`, 'hint', 'any', (p) => void p.add({ hw: lsReg(sign, 1, 1, base(p), PC, p.pick(), p.rng.int(4)), name: `memory hint (${m} Rt=PC) register`, cls: 'hint' }), 0.5);
}

// ---- LDRD / STRD -----------------------------------------------------------------------------

for (const load of [0, 1]) {
  const m = load ? 'LDRD' : 'STRD';
  add(`${m} (immediate) T1`, 'load-store-dual', 'any', (p) => {
    const mode = p.rng.int(3); // 0 offset, 1 pre-index writeback, 2 post-index writeback
    const wback = mode !== 0;
    const base = wback || p.rng.chance(0.8) ? p.dataBase(4) : { reg: SP, value: p.sp };
    const t = p.pick(GENERAL, wback ? [base.reg] : []);
    const t2 = p.pick(GENERAL, [...(wback ? [base.reg] : []), ...(load ? [t] : [])]); // LDRD t == t2 is UNPREDICTABLE
    const u = mode === 0 && base.reg === SP ? 1 : p.rng.int(2);
    const P = mode === 2 ? 0 : 1;
    const imm8 = p.rng.int(64);
    const hw1 = 0xe840 | (P << 8) | (u << 7) | ((wback ? 1 : 0) << 5) | (load << 4) | base.reg;
    const writes = [...(load ? [t, t2] : []), ...(wback ? [base.reg] : [])];
    const name = `${m} (immediate) T1 ${P ? 'offset/pre' : 'post'}`;
    p.add({ hw: [hw1, (t << 12) | (t2 << 8) | imm8], name, cls: 'load-store-dual' }, writes);
  });
}
add('LDRD (literal) T1', 'load-store-dual', 'any', (p) => {
  const t = p.pick(), t2 = p.pick(GENERAL, [t]);
  const imm8 = p.rng.int(32);
  p.add({ hw: [0xe9df, (t << 12) | (t2 << 8) | imm8], name: 'LDRD (literal) T1', cls: 'load-store-dual', needEnd: (o) => ((o + 4) & ~3) + imm8 * 4 + 8 }, [t, t2]);
});

// ---- LDREX / STREX: always as a pair on the same address (or after CLREX), so the exclusive
// monitor is in the same state on every implementation.

const EXCL: [string, string, number, (rn: number, rt: number, imm: number) => number[], (rn: number, rt: number, rd: number, imm: number) => number[]][] = [
  ['LDREX T1', 'STREX T1', 4, (rn, rt, imm) => [0xe850 | rn, (rt << 12) | 0xf00 | imm], (rn, rt, rd, imm) => [0xe840 | rn, (rt << 12) | (rd << 8) | imm]],
  ['LDREXB T1', 'STREXB T1', 1, (rn, rt) => [0xe8d0 | rn, (rt << 12) | 0xf4f], (rn, rt, rd) => [0xe8c0 | rn, (rt << 12) | 0xf40 | rd]],
  ['LDREXH T1', 'STREXH T1', 2, (rn, rt) => [0xe8d0 | rn, (rt << 12) | 0xf5f], (rn, rt, rd) => [0xe8c0 | rn, (rt << 12) | 0xf50 | rd]],
];
for (const [ldName, stName, size, ld, st] of EXCL) {
  add(ldName, 'exclusive', 'outside', (p) => {
    const base = p.dataBase(size);
    const imm = size === 4 ? p.rng.int(64) : 0;
    const rt = p.pick(GENERAL, [base.reg]);
    p.add({ hw: ld(base.reg, rt, imm), name: ldName, cls: 'exclusive' }, [rt]);
    if (p.rng.chance(0.3)) p.add({ hw: [0xf3bf, 0x8f2f], name: 'CLREX T1', cls: 'exclusive' }); // the STREX then fails
    const rt2 = p.pick(GENERAL, [base.reg]);
    const rd = p.pick(GENERAL, [base.reg, rt2]);
    p.add({ hw: st(base.reg, rt2, rd, imm), name: stName, cls: 'exclusive' }, [rd]);
  });
}

// ---- LDM / STM / PUSH / POP ----------------------------------------------------------------

/** A random non-empty register list from `from`, at least `min` long. */
function regList(p: Plan, from: readonly number[], min: number, max = from.length): number[] {
  for (;;) {
    const list = p.rng.subset(from, p.rng.chance(0.5) ? 0.3 : 0.6).slice(0, max);
    if (list.length >= min) return list.sort((a, b) => a - b);
  }
}

add('STM T1', 'load-store-multiple', 'any', (p) => {
  const base = p.dataBase(4, LOW);
  const list = regList(p, LOW.filter((r) => r !== base.reg), 1); // Rn in the list stores an UNKNOWN value
  p.add({ hw: [0xc000 | (base.reg << 8) | regMask(list)], name: 'STM T1', cls: 'load-store-multiple' }, [base.reg]);
});
add('LDM T1', 'load-store-multiple', 'any', (p) => {
  const base = p.dataBase(4, LOW);
  const list = regList(p, LOW, 1); // Rn in the list: no writeback, allowed
  const wb = list.includes(base.reg) ? [] : [base.reg];
  p.add({ hw: [0xc800 | (base.reg << 8) | regMask(list)], name: 'LDM T1', cls: 'load-store-multiple' }, [...list, ...wb]);
});
for (const [name, hw1, load] of [['STM T2', 0xe880, 0], ['LDM T2', 0xe890, 1], ['STMDB T1', 0xe900, 0], ['LDMDB T1', 0xe910, 1]] as const) {
  add(name, 'load-store-multiple', 'any', (p) => {
    const w = p.rng.int(2);
    // without writeback SP can be the base (with it, the forms are PUSH/POP)
    const base = !w && p.rng.chance(0.2) ? { reg: SP, value: p.sp } : p.dataBase(4);
    const from = GENERAL.filter((r) => w || !load ? r !== base.reg : true);
    const list = regList(p, from, 2);
    p.add({ hw: [hw1 | (w << 5) | base.reg, regMask(list)], name, cls: 'load-store-multiple' }, [...(load ? list : []), ...(w ? [base.reg] : [])]);
  });
}
add('PUSH T1', 'load-store-multiple', 'outside', (p) => {
  const list = regList(p, [...LOW, LR], 1);
  if (!p.canMoveSp(-4 * list.length)) return false;
  p.add({ hw: [0xb400 | (list.includes(LR) ? 0x100 : 0) | (regMask(list) & 0xff)], name: 'PUSH T1', cls: 'load-store-multiple' });
  p.moveSp(-4 * list.length);
});
add('POP T1', 'load-store-multiple', 'outside', (p) => {
  const list = regList(p, LOW, 1);
  if (!p.canMoveSp(4 * list.length)) return false;
  p.add({ hw: [0xbc00 | regMask(list)], name: 'POP T1', cls: 'load-store-multiple' }, list);
  p.moveSp(4 * list.length);
});
add('PUSH T2', 'load-store-multiple', 'outside', (p) => {
  const list = regList(p, GENERAL, 2);
  if (!p.canMoveSp(-4 * list.length)) return false;
  p.add({ hw: [0xe92d, regMask(list)], name: 'PUSH T2', cls: 'load-store-multiple' });
  p.moveSp(-4 * list.length);
});
add('POP T2', 'load-store-multiple', 'outside', (p) => {
  const list = regList(p, GENERAL, 2);
  if (!p.canMoveSp(4 * list.length)) return false;
  p.add({ hw: [0xe8bd, regMask(list)], name: 'POP T2', cls: 'load-store-multiple' }, list);
  p.moveSp(4 * list.length);
});
// PUSH T3 / POP T3, one register: STR Rt, [SP, #-4]! and LDR Rt, [SP], #4 (the simulator
// names them by the STR/LDR imm8 patterns they share)
add('STR (immediate) imm8', 'store', 'outside', (p) => {
  if (!p.canMoveSp(-4)) return false;
  p.add({ hw: [0xf84d, (p.pick() << 12) | 0xd04], name: 'STR (immediate) imm8', cls: 'store' });
  p.moveSp(-4);
});
add('LDR (immediate) imm8', 'load', 'outside', (p) => {
  if (!p.canMoveSp(4)) return false;
  const rt = p.pick();
  p.add({ hw: [0xf85d, (rt << 12) | 0xb04], name: 'LDR (immediate) imm8', cls: 'load' }, [rt]);
  p.moveSp(4);
});
// SP-relative accesses with writeback move SP (word-sized, aligned)
add('STR (immediate) imm8', 'store', 'outside', (p) => {
  const imm8 = p.rng.range(1, 16) * 4;
  const u = p.rng.int(2), P = p.rng.int(2);
  const delta = u ? imm8 : -imm8;
  if (!p.canMoveSp(delta)) return false;
  if (P === 1 && u === 0 && imm8 === 4) return false; // that is PUSH T3
  p.add({ hw: lsImm8(0, 2, 0, SP, p.pick(), P, u, 1, imm8), name: 'STR (immediate) imm8', cls: 'store' });
  p.moveSp(delta);
});

export const memorySpecs: Spec[] = specs;
