// Data processing: 16- and 32-bit ALU operations, shifts, moves, compares, multiplies,
// divides, bitfields, saturation, extends and byte reversal, including the SP and PC forms
// the architecture defines (ADD Rd, SP, ...; MOV Rd, PC; CMP SP, ...).

import { GENERAL, LOW, type Plan } from './builder.js';
import { SP, PC, modImm, plainImm, shiftedReg, bitfield } from './encode.js';
import { type Spec, modImm12, randomShift } from './spec.js';

const specs: Spec[] = [];
const add = (name: string, cls: string, where: Spec['where'], gen: (p: Plan) => boolean | void, weight?: number): void => {
  specs.push({ name, cls, where, weight, gen: (p) => gen(p) !== false });
};

// ---- 16-bit: shift (immediate), add, subtract, move, compare --------------------------------

for (const [name, op] of [['LSL (immediate) T1', 0], ['LSR (immediate) T1', 1], ['ASR (immediate) T1', 2]] as const) {
  add(name, 'shift', 'any', (p) => {
    const rd = p.pick(LOW), rm = p.pick(LOW);
    const imm5 = op === 0 ? p.rng.range(1, 31) : p.rng.int(32); // LSL #0 is MOVS (MOV (register) T2)
    p.add({ hw: [(op << 11) | (imm5 << 6) | (rm << 3) | rd], name, cls: 'shift' }, [rd]);
  });
}
// MOVS Rd, Rm (MOV (register) T2, the LSL #0 form): UNPREDICTABLE inside an IT block.
add('LSL (immediate) T1', 'shift', 'outside', (p) => {
  const rd = p.pick(LOW), rm = p.pick(LOW);
  p.add({ hw: [(rm << 3) | rd], name: 'LSL (immediate) T1', cls: 'shift' }, [rd]);
});
for (const [name, bits] of [['ADD (register) T1', 0x1800], ['SUB (register) T1', 0x1a00], ['ADD (immediate) T1', 0x1c00], ['SUB (immediate) T1', 0x1e00]] as const) {
  add(name, 'add-sub', 'any', (p) => {
    const rd = p.pick(LOW), rn = p.pick(LOW), x = p.rng.int(8);
    p.add({ hw: [bits | (x << 6) | (rn << 3) | rd], name, cls: 'add-sub' }, [rd]);
  });
}
for (const [name, bits, cls] of [['MOV (immediate) T1', 0x2000, 'move'], ['CMP (immediate) T1', 0x2800, 'compare'], ['ADD (immediate) T2', 0x3000, 'add-sub'], ['SUB (immediate) T2', 0x3800, 'add-sub']] as const) {
  add(name, cls, 'any', (p) => {
    const rd = p.pick(LOW);
    p.add({ hw: [bits | (rd << 8) | p.rng.int(256)], name, cls }, name.startsWith('CMP') ? [] : [rd]);
  });
}

// ---- 16-bit data processing (register) -----------------------------------------------------

const DP16 = ['AND (register) T1', 'EOR (register) T1', 'LSL (register) T1', 'LSR (register) T1', 'ASR (register) T1', 'ADC (register) T1', 'SBC (register) T1', 'ROR (register) T1', 'TST (register) T1', 'RSB (immediate) T1', 'CMP (register) T1', 'CMN (register) T1', 'ORR (register) T1', 'MUL (register) T1', 'BIC (register) T1', 'MVN (register) T1'];
DP16.forEach((name, op) => {
  const compare = op === 8 || op === 10 || op === 11;
  add(name, 'data-processing', 'any', (p) => {
    const rdn = p.pick(LOW), rm = p.pick(LOW);
    p.add({ hw: [0x4000 | (op << 6) | (rm << 3) | rdn], name, cls: 'data-processing' }, compare ? [] : [rdn]);
  });
});

// ---- 16-bit special data processing (high registers, SP and PC forms) -----------------------

const HIGHISH = [...GENERAL]; // r0-r12, r14
add('ADD (register) T2', 'add-sub', 'any', (p) => {
  const rdn = p.pick(HIGHISH);
  const rm = p.rng.chance(0.15) ? PC : p.pick(HIGHISH); // ADD Rd, PC reads the PC
  p.add({ hw: [0x4400 | ((rdn & 8) << 4) | (rm << 3) | (rdn & 7)], name: 'ADD (register) T2', cls: 'add-sub' }, [rdn]);
});
// ADD Rdm, SP, Rdm (ADD (SP plus register) T1; the simulator names it by its pattern)
add('ADD (register) T2', 'add-sub', 'any', (p) => {
  const rdm = p.pick(HIGHISH);
  p.add({ hw: [0x4400 | ((rdm & 8) << 4) | (SP << 3) | (rdm & 7)], name: 'ADD (register) T2', cls: 'add-sub' }, [rdm]);
});
// ADD SP, Rm (ADD (SP plus register) T2): SP moves by a small known multiple of 4.
add('ADD (register) T2', 'add-sub', 'outside', (p) => {
  const delta = (p.rng.range(-32, 32) * 4) | 0;
  if (!p.canMoveSp(delta)) return false;
  const rm = p.pickSettable();
  p.setReg(rm, delta >>> 0);
  p.add({ hw: [0x4485 | (rm << 3)], name: 'ADD (register) T2', cls: 'add-sub' });
  p.moveSp(delta);
});
// CMP Rn, Rm with at least one high register; SP allowed, PC not.
add('CMP (register) T2', 'compare', 'any', (p) => {
  const regs = [...GENERAL, SP];
  let rn = 0, rm = 0;
  do {
    rn = p.rng.pick(regs);
    rm = p.rng.pick(regs);
  } while (rn < 8 && rm < 8);
  p.add({ hw: [0x4500 | ((rn & 8) << 4) | (rm << 3) | (rn & 7)], name: 'CMP (register) T2', cls: 'compare' });
});
// MOV Rd, Rm (any of r0-r12, r14, plus reading SP or PC).
add('MOV (register) T1', 'move', 'any', (p) => {
  const rd = p.pick(HIGHISH);
  const rm = p.rng.chance(0.2) ? p.rng.pick([SP, PC]) : p.pick(HIGHISH);
  p.add({ hw: [0x4600 | ((rd & 8) << 4) | (rm << 3) | (rd & 7)], name: 'MOV (register) T1', cls: 'move' }, [rd]);
});
// MOV SP, Rm: a fresh stack pointer inside the window.
add('MOV (register) T1', 'move', 'outside', (p) => {
  const delta = p.rng.range(-64, 64) * 4;
  if (!p.canMoveSp(delta)) return false;
  const rm = p.pickSettable();
  p.setReg(rm, p.sp + delta);
  p.add({ hw: [0x4600 | 0x80 | (rm << 3) | (SP & 7)], name: 'MOV (register) T1', cls: 'move' });
  p.moveSp(delta);
});

// ---- 16-bit misc: extends, reverses, SP arithmetic, ADR -----------------------------------

for (const [name, bits, cls] of [
  ['SXTH T1', 0xb200, 'extend'], ['SXTB T1', 0xb240, 'extend'], ['UXTH T1', 0xb280, 'extend'], ['UXTB T1', 0xb2c0, 'extend'],
  ['REV T1', 0xba00, 'reverse'], ['REV16 T1', 0xba40, 'reverse'], ['REVSH T1', 0xbac0, 'reverse'],
] as const) {
  add(name, cls, 'any', (p) => {
    const rd = p.pick(LOW), rm = p.pick(LOW);
    p.add({ hw: [bits | (rm << 3) | rd], name, cls }, [rd]);
  });
}
add('ADR T1', 'address', 'any', (p) => {
  const rd = p.pick(LOW);
  p.add({ hw: [0xa000 | (rd << 8) | p.rng.int(256)], name: 'ADR T1', cls: 'address' }, [rd]);
});
add('ADD (SP plus immediate) T1', 'address', 'any', (p) => {
  const rd = p.pick(LOW);
  p.add({ hw: [0xa800 | (rd << 8) | p.rng.int(256)], name: 'ADD (SP plus immediate) T1', cls: 'address' }, [rd]);
});
add('ADD (SP plus immediate) T2', 'address', 'outside', (p) => {
  const imm7 = p.rng.int(128);
  if (!p.canMoveSp(imm7 * 4)) return false;
  p.add({ hw: [0xb000 | imm7], name: 'ADD (SP plus immediate) T2', cls: 'address' });
  p.moveSp(imm7 * 4);
});
add('SUB (SP minus immediate) T1', 'address', 'outside', (p) => {
  const imm7 = p.rng.int(128);
  if (!p.canMoveSp(-imm7 * 4)) return false;
  p.add({ hw: [0xb080 | imm7], name: 'SUB (SP minus immediate) T1', cls: 'address' });
  p.moveSp(-imm7 * 4);
});

// ---- 32-bit data processing (modified immediate) ------------------------------------------

const DP32: [string, number][] = [['AND', 0], ['BIC', 1], ['ORR', 2], ['ORN', 3], ['EOR', 4], ['ADD', 8], ['ADC', 10], ['SBC', 11], ['SUB', 13], ['RSB', 14]];
const modImmName = (n: string): string => `${n} (immediate) T${n === 'ADD' || n === 'SUB' ? 3 : n === 'RSB' ? 2 : 1}`;
const regName = (n: string): string => `${n} (register) T${n === 'ADD' || n === 'SUB' ? 3 : n === 'RSB' ? 1 : 2}`;

for (const [n, op] of DP32) {
  add(modImmName(n), 'data-processing-immediate', 'any', (p) => {
    const rd = p.pick(), rn = p.pick();
    p.add({ hw: modImm(op, p.rng.int(2), rn, rd, modImm12(p.rng)), name: modImmName(n), cls: 'data-processing-immediate' }, [rd]);
  });
  add(regName(n), 'data-processing-register', 'any', (p) => {
    const rd = p.pick(), rn = p.pick(), rm = p.pick();
    const { type, imm5 } = randomShift(p.rng);
    p.add({ hw: shiftedReg(op, p.rng.int(2), rn, rd, rm, type, imm5), name: regName(n), cls: 'data-processing-register' }, [rd]);
  });
}
// Compares (Rd = 1111, S = 1); CMP and CMN accept SP as Rn.
for (const [name, op, sp] of [['TST', 0, false], ['TEQ', 4, false], ['CMN', 8, true], ['CMP', 13, true]] as const) {
  const immName = `${name} (immediate) T${name === 'CMP' ? 2 : 1}`;
  const rName = `${name} (register) T${name === 'TEQ' ? 1 : name === 'CMP' ? 3 : 2}`;
  const rnOf = (p: Plan): number => (sp && p.rng.chance(0.2) ? SP : p.pick());
  add(immName, 'compare', 'any', (p) => {
    p.add({ hw: modImm(op, 1, rnOf(p), 15, modImm12(p.rng)), name: immName, cls: 'compare' });
  });
  add(rName, 'compare', 'any', (p) => {
    const { type, imm5 } = randomShift(p.rng);
    p.add({ hw: shiftedReg(op, 1, rnOf(p), 15, p.pick(), type, imm5), name: rName, cls: 'compare' });
  });
}
add('MOV (immediate) T2', 'move', 'any', (p) => {
  const rd = p.pick();
  p.add({ hw: modImm(2, p.rng.int(2), 15, rd, modImm12(p.rng)), name: 'MOV (immediate) T2', cls: 'move' }, [rd]);
});
add('MVN (immediate) T1', 'move', 'any', (p) => {
  const rd = p.pick();
  p.add({ hw: modImm(3, p.rng.int(2), 15, rd, modImm12(p.rng)), name: 'MVN (immediate) T1', cls: 'move' }, [rd]);
});
// ADD/SUB Rd, SP, #const (Rd not SP), and SP = SP +/- const: ADD (SP plus immediate) T3 and
// SUB (SP minus immediate) T2, named as the simulator's tables name their patterns.
for (const [name, op] of [['ADD (immediate) T3', 8], ['SUB (immediate) T3', 13]] as const) {
  add(name, 'data-processing-immediate', 'any', (p) => {
    const rd = p.pick();
    p.add({ hw: modImm(op, p.rng.int(2), SP, rd, modImm12(p.rng)), name, cls: 'data-processing-immediate' }, [rd]);
  });
  add(name, 'data-processing-immediate', 'outside', (p) => {
    const k = p.rng.int(64) * 4;
    const delta = op === 8 ? k : -k;
    if (!p.canMoveSp(delta)) return false;
    p.add({ hw: modImm(op, 0, SP, SP, k), name, cls: 'data-processing-immediate' });
    p.moveSp(delta);
  });
}

// ---- 32-bit plain binary immediate ---------------------------------------------------------

add('ADD (immediate) T4', 'data-processing-immediate', 'any', (p) => {
  const rd = p.pick();
  p.add({ hw: plainImm(0, p.pick(), rd, p.rng.int(4096)), name: 'ADD (immediate) T4', cls: 'data-processing-immediate' }, [rd]);
});
add('SUB (immediate) T4', 'data-processing-immediate', 'any', (p) => {
  const rd = p.pick();
  p.add({ hw: plainImm(10, p.pick(), rd, p.rng.int(4096)), name: 'SUB (immediate) T4', cls: 'data-processing-immediate' }, [rd]);
});
// ADDW/SUBW with SP: ADD (SP plus immediate) T4, SUB (SP minus immediate) T3
for (const [name, op5, sign] of [['ADD (immediate) T4', 0, 1], ['SUB (immediate) T4', 10, -1]] as const) {
  add(name, 'data-processing-immediate', 'any', (p) => {
    const rd = p.pick();
    p.add({ hw: plainImm(op5, SP, rd, p.rng.int(4096)), name, cls: 'data-processing-immediate' }, [rd]);
  });
  add(name, 'data-processing-immediate', 'outside', (p) => {
    const k = p.rng.int(256) * 4;
    if (!p.canMoveSp(sign * k)) return false;
    p.add({ hw: plainImm(op5, SP, SP, k), name, cls: 'data-processing-immediate' });
    p.moveSp(sign * k);
  });
}
add('ADR T2', 'address', 'any', (p) => {
  const rd = p.pick();
  p.add({ hw: plainImm(10, PC, rd, p.rng.int(4096)), name: 'ADR T2', cls: 'address' }, [rd]);
});
add('ADR T3', 'address', 'any', (p) => {
  const rd = p.pick();
  p.add({ hw: plainImm(0, PC, rd, p.rng.int(4096)), name: 'ADR T3', cls: 'address' }, [rd]);
});
add('MOV (immediate) T3', 'move', 'any', (p) => {
  const rd = p.pick();
  p.add({ hw: plainImm(4, p.rng.int(16), rd, p.rng.int(4096)), name: 'MOV (immediate) T3', cls: 'move' }, [rd]);
});
add('MOVT T1', 'move', 'any', (p) => {
  const rd = p.pick();
  p.add({ hw: plainImm(12, p.rng.int(16), rd, p.rng.int(4096)), name: 'MOVT T1', cls: 'move' }, [rd]);
});
// SSAT/USAT: sh = 1 (ASR) needs a non-zero amount (ASR #0 would be SSAT16/USAT16).
for (const [name, hw1] of [['SSAT T1', 0xf300], ['USAT T1', 0xf380]] as const) {
  add(name, 'saturate', 'any', (p) => {
    const rd = p.pick(), rn = p.pick();
    const sh = p.rng.int(2);
    const amount = sh ? p.rng.range(1, 31) : p.rng.int(32);
    p.add({ hw: bitfield(hw1 | (sh << 5), rn, rd, amount, p.rng.int(32)), name, cls: 'saturate' }, [rd]);
  });
}
for (const [name, hw1] of [['SBFX T1', 0xf340], ['UBFX T1', 0xf3c0]] as const) {
  add(name, 'bitfield', 'any', (p) => {
    const rd = p.pick(), rn = p.pick();
    const lsb = p.rng.int(32);
    const widthm1 = p.rng.int(32 - lsb); // lsb + width <= 32
    p.add({ hw: bitfield(hw1, rn, rd, lsb, widthm1), name, cls: 'bitfield' }, [rd]);
  });
}
add('BFI T1', 'bitfield', 'any', (p) => {
  const rd = p.pick(), rn = p.pick();
  const lsb = p.rng.int(32);
  p.add({ hw: bitfield(0xf360, rn, rd, lsb, p.rng.range(lsb, 31)), name: 'BFI T1', cls: 'bitfield' }, [rd]);
});
add('BFC T1', 'bitfield', 'any', (p) => {
  const rd = p.pick();
  const lsb = p.rng.int(32);
  p.add({ hw: bitfield(0xf360, PC, rd, lsb, p.rng.range(lsb, 31)), name: 'BFC T1', cls: 'bitfield' }, [rd]);
});

// ---- 32-bit shifted-register moves and shifts (ORR/ORN with Rn = 1111), SP forms --------------

// MOV (register) T3, LSL/LSR/ASR (immediate) T2, ROR (immediate) T1 and RRX T1 share one
// pattern (ORR with Rn = 1111) in the simulator's tables, hence one name.
const MOVSHIFT = 'MOV (register) T3 / shift (immediate) T2';
add(MOVSHIFT, 'move', 'any', (p) => {
  const rd = p.pick();
  const s = p.rng.int(2);
  const rm = !s && p.rng.chance(0.25) ? SP : p.pick(); // MOV.W Rd, SP is allowed without S
  p.add({ hw: shiftedReg(2, s, PC, rd, rm, 0, 0), name: MOVSHIFT, cls: 'move' }, [rd]);
});
for (const type of [0, 1, 2, 3]) {
  add(MOVSHIFT, 'move', 'any', (p) => {
    const rd = p.pick();
    const imm5 = type === 0 || type === 3 ? p.rng.range(1, 31) : p.rng.int(32); // LSL #0 is MOV, ROR #0 is RRX
    p.add({ hw: shiftedReg(2, p.rng.int(2), PC, rd, p.pick(), type, imm5), name: MOVSHIFT, cls: 'move' }, [rd]);
  });
}
add(MOVSHIFT, 'move', 'any', (p) => { // RRX
  const rd = p.pick();
  p.add({ hw: shiftedReg(2, p.rng.int(2), PC, rd, p.pick(), 3, 0), name: MOVSHIFT, cls: 'move' }, [rd]);
});
add('MVN (register) T2', 'move', 'any', (p) => {
  const rd = p.pick();
  const { type, imm5 } = randomShift(p.rng);
  p.add({ hw: shiftedReg(3, p.rng.int(2), PC, rd, p.pick(), type, imm5), name: 'MVN (register) T2', cls: 'move' }, [rd]);
});
// ADD (SP plus register) T3 and SUB (SP minus register) T1
for (const [name, op] of [['ADD (register) T3', 8], ['SUB (register) T3', 13]] as const) {
  add(name, 'data-processing-register', 'any', (p) => {
    const rd = p.pick();
    const { type, imm5 } = randomShift(p.rng);
    p.add({ hw: shiftedReg(op, p.rng.int(2), SP, rd, p.pick(), type, imm5), name, cls: 'data-processing-register' }, [rd]);
  });
}

// ---- 32-bit data processing (register): shifts by register, extends, reverses -------------

for (const [name, type] of [['LSL (register) T2', 0], ['LSR (register) T2', 1], ['ASR (register) T2', 2], ['ROR (register) T2', 3]] as const) {
  add(name, 'shift', 'any', (p) => {
    const rd = p.pick();
    p.add({ hw: [0xfa00 | (type << 5) | (p.rng.int(2) << 4) | p.pick(), 0xf000 | (rd << 8) | p.pick()], name, cls: 'shift' }, [rd]);
  });
}
for (const [name, op] of [['SXTH T2', 0], ['UXTH T2', 1], ['SXTB T2', 4], ['UXTB T2', 5]] as const) {
  add(name, 'extend', 'any', (p) => {
    const rd = p.pick();
    p.add({ hw: [0xfa0f | (op << 4), 0xf080 | (rd << 8) | (p.rng.int(4) << 4) | p.pick()], name, cls: 'extend' }, [rd]);
  });
}
// REV/REV16/RBIT/REVSH/CLZ repeat Rm in the Rn field (a different value is UNPREDICTABLE).
for (const [name, hw1, op2, cls] of [
  ['REV T2', 0xfa90, 0x80, 'reverse'], ['REV16 T2', 0xfa90, 0x90, 'reverse'], ['RBIT T1', 0xfa90, 0xa0, 'reverse'],
  ['REVSH T2', 0xfa90, 0xb0, 'reverse'], ['CLZ T1', 0xfab0, 0x80, 'count'],
] as const) {
  add(name, cls, 'any', (p) => {
    const rd = p.pick(), rm = p.pick();
    p.add({ hw: [hw1 | rm, 0xf000 | (rd << 8) | op2 | rm], name, cls }, [rd]);
  });
}

// ---- multiplies and divides ---------------------------------------------------------------

add('MUL T2', 'multiply', 'any', (p) => {
  const rd = p.pick();
  p.add({ hw: [0xfb00 | p.pick(), 0xf000 | (rd << 8) | p.pick()], name: 'MUL T2', cls: 'multiply' }, [rd]);
});
for (const [name, op2] of [['MLA T1', 0], ['MLS T1', 1]] as const) {
  add(name, 'multiply', 'any', (p) => {
    const rd = p.pick();
    p.add({ hw: [0xfb00 | p.pick(), (p.pick() << 12) | (rd << 8) | (op2 << 4) | p.pick()], name, cls: 'multiply' }, [rd]);
  });
}
for (const [name, op1] of [['SMULL T1', 0], ['UMULL T1', 2], ['SMLAL T1', 4], ['UMLAL T1', 6]] as const) {
  add(name, 'long-multiply', 'any', (p) => {
    const lo = p.pick();
    const hi = p.pick(GENERAL, [lo]); // RdHi == RdLo is UNPREDICTABLE
    p.add({ hw: [0xfb80 | (op1 << 4) | p.pick(), (lo << 12) | (hi << 8) | p.pick()], name, cls: 'long-multiply' }, [lo, hi]);
  });
}
// Divides: sometimes by a known zero (the result is 0 while CCR.DIV_0_TRP is clear).
for (const [name, op1] of [['SDIV T1', 1], ['UDIV T1', 3]] as const) {
  add(name, 'divide', 'any', (p) => {
    let rm: number;
    if (p.rng.chance(0.15)) {
      rm = p.pickSettable();
      p.setReg(rm, 0);
    } else rm = p.pick();
    const rd = p.pick();
    p.add({ hw: [0xfb80 | (op1 << 4) | p.pick(), 0xf0f0 | (rd << 8) | rm], name, cls: 'divide' }, [rd]);
  });
}

// ---- operand values: without these most registers hold addresses and small numbers --------

/** Values at the edges of signed/unsigned, halfword and byte lanes (saturation, carries, GE). */
const EDGES = [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0x7fff, 0x8000, 0xffff, 0xffff8000, 0x80008000, 0x7fff7fff, 0x80007fff, 0x7f7f7f7f, 0x80808080, 0xff00ff00, 0x00ff00ff, 0x7f80ff01];
add('MOVT T1', 'move', 'outside', (p) => {
  const rd = p.pickSettable();
  const v = p.rng.chance(0.5) ? p.rng.pick(EDGES) : p.rng.chance(0.5) ? p.rng.u32() : (p.rng.pick(EDGES) ^ (1 << p.rng.int(32))) >>> 0;
  p.setReg(rd, v);
  // the value is the point: its MOVW/MOVT go out as this item's own instructions
  const last = p.setup.pop();
  if (!last) return false;
  p.main.push(...p.setup.splice(0), last);
  p.reserved.delete(rd);
}, 3);

export const dataProcessingSpecs: Spec[] = specs;
