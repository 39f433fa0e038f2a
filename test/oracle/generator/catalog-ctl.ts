// Control flow and system: forward branches of every kind (B, BL, CBZ/CBNZ, BX/BLX, writes
// to PC by MOV/ADD/LDR/LDM/POP, TBB/TBH), MRS/MSR on the APSR, CPS, hints and barriers.
// Every branch goes forward to an item boundary chosen by the builder (see builder.ts);
// register-indirect targets are built position-independently with ADR.

import { GENERAL, LOW, mkOp, type Plan, type Op, type Fixup } from './builder.js';
import { SP, PC, LR, bT1, bT2, bT3, bT4, blT1, cbz, movw, plainImm, lsImm12, lsImm8, lsReg, regMask } from './encode.js';
import type { Spec } from './spec.js';

const specs: Spec[] = [];
const add = (name: string, cls: string, where: Spec['where'], gen: (p: Plan) => boolean | void, weight?: number): void => {
  specs.push({ name, cls, where, weight, gen: (p) => gen(p) !== false });
};

/** How many items a forward branch skips: mostly 0-2 so that most code still runs. */
const skipCount = (p: Plan): number => (p.rng.chance(0.6) ? 0 : p.rng.range(1, 2));

/** A fixup whose distance counts from the op's own address + 4. */
function fromPc(op: Op, min: number, max: number, skip: number, patch: (d: number) => number[]): Fixup {
  return { op, base: (o) => o + 4, min, max, skip, patch: (target, d) => (target.hw = patch(d)) };
}

// ---- direct branches --------------------------------------------------------------------

add('B T1', 'branch', 'outside', (p) => {
  const cond = p.rng.int(14);
  const op = p.add({ hw: bT1(cond, 0), name: 'B T1', cls: 'branch' });
  op.fixups = [fromPc(op, -2, 254, skipCount(p), (d) => bT1(cond, d))];
});
add('B T2', 'branch', 'last', (p) => {
  const op = p.add({ hw: bT2(0), name: 'B T2', cls: 'branch' });
  op.fixups = [fromPc(op, -2, 2046, skipCount(p), (d) => bT2(d))];
});
add('B T3', 'branch', 'outside', (p) => {
  const cond = p.rng.int(14);
  const op = p.add({ hw: bT3(cond, 0), name: 'B T3', cls: 'branch' });
  op.fixups = [fromPc(op, 0, 1 << 19, skipCount(p), (d) => bT3(cond, d))];
});
add('B T4', 'branch', 'last', (p) => {
  const op = p.add({ hw: bT4(0), name: 'B T4', cls: 'branch' });
  op.fixups = [fromPc(op, 0, 1 << 22, skipCount(p), (d) => bT4(d))];
});
add('BL T1', 'branch', 'last', (p) => {
  const op = p.add({ hw: blT1(0), name: 'BL T1', cls: 'branch' }, [LR]);
  op.fixups = [fromPc(op, 0, 1 << 22, skipCount(p), (d) => blT1(d))];
});
add('CBZ/CBNZ T1', 'branch', 'outside', (p) => {
  const nz = p.rng.int(2), rn = p.pick(LOW);
  const op = p.add({ hw: cbz(nz, rn, 0), name: 'CBZ/CBNZ T1', cls: 'branch' });
  op.fixups = [fromPc(op, 0, 126, skipCount(p), (d) => cbz(nz, rn, d))];
});

// ---- indirect branches: ADR Rm, target (+1 for Thumb) then BX/BLX/MOV PC/LDR PC/... --------

/** Plans `ADR Rm, <forward target>` (ADR T3) as setup; returns Rm. */
function adrTarget(p: Plan, thumbBit: number, from: readonly number[] = GENERAL): number {
  const rm = p.pickSettable(from);
  p.reserved.add(rm);
  const op = mkOp({ hw: plainImm(0, PC, rm, 0), name: 'ADR T3', cls: 'address', writes: 1 << rm });
  op.fixups = [{
    op, base: (o) => (o + 4) & ~3, min: 0, max: 4094, skip: skipCount(p),
    patch: (target, d) => (target.hw = plainImm(0, PC, rm, d + thumbBit)),
  }];
  p.setup.push(op);
  p.known.delete(rm);
  return rm;
}

add('BX T1', 'branch', 'last', (p) => {
  const rm = adrTarget(p, 1, p.rng.chance(0.3) ? [LR] : GENERAL);
  p.add({ hw: [0x4700 | (rm << 3)], name: 'BX T1', cls: 'branch' });
});
add('BLX (register) T1', 'branch', 'last', (p) => {
  const rm = adrTarget(p, 1);
  p.add({ hw: [0x4780 | (rm << 3)], name: 'BLX (register) T1', cls: 'branch' }, [LR]);
});
// MOV PC, Rm: BranchWritePC ignores bit 0.
add('MOV (register) T1', 'move', 'last', (p) => {
  const rm = adrTarget(p, p.rng.int(2));
  p.add({ hw: [0x4600 | 0x80 | (rm << 3) | 7], name: 'MOV (register) T1', cls: 'move' });
});
// ADD PC, Rm: Rm holds the (even) distance from this instruction's PC, set by MOVW.
add('ADD (register) T2', 'add-sub', 'last', (p) => {
  const rm = p.pickSettable();
  p.reserved.add(rm);
  const setup = mkOp({ hw: movw(rm, 0), name: 'MOV (immediate) T3', cls: 'move', writes: 1 << rm });
  p.setup.push(setup);
  p.known.delete(rm);
  const main = p.add({ hw: [0x4400 | 0x80 | (rm << 3) | 7], name: 'ADD (register) T2', cls: 'add-sub' });
  setup.fixups = [{ op: setup, baseOp: main, base: (o) => o + 4, min: 0, max: 65534, skip: skipCount(p), patch: (t, d) => (t.hw = movw(rm, d)) }];
});
// LDR PC, [Rn, #imm12]: the target address (with the Thumb bit) is stored there first.
add('LDR (immediate) imm12', 'load', 'last', (p) => {
  if (p.memoryWritten) return false; // the stored target could be overwritten before the load
  const rx = adrTarget(p, 1);
  const base = p.dataBase(4, GENERAL, [rx]);
  const imm = p.rng.int(1024) * 4;
  p.addSetup({ hw: lsImm12(0, 2, 0, base.reg, rx, imm), name: 'STR (immediate) imm12', cls: 'store' });
  p.add({ hw: lsImm12(0, 2, 1, base.reg, PC, imm), name: 'LDR (immediate) imm12', cls: 'load' });
});
// LDR PC, [Rn, #-imm8] / [Rn, #+imm8]! / [Rn], #+imm8
add('LDR (immediate) imm8', 'load', 'last', (p) => {
  if (p.memoryWritten) return false; // the stored target could be overwritten before the load
  const rx = adrTarget(p, 1);
  const base = p.dataBase(4, GENERAL, [rx]);
  const imm = p.rng.int(64) * 4;
  const mode = p.rng.int(3); // 0 offset (negative), 1 pre-indexed, 2 post-indexed
  // store the target where the load will find it
  const store = mode === 0 ? lsImm8(0, 2, 0, base.reg, rx, 1, 0, 0, imm) : lsImm12(0, 2, 0, base.reg, rx, mode === 1 ? imm : 0);
  p.addSetup({ hw: store, name: mode === 0 ? 'STR (immediate) imm8' : 'STR (immediate) imm12', cls: 'store' });
  const hw = mode === 0 ? lsImm8(0, 2, 1, base.reg, PC, 1, 0, 0, imm) : lsImm8(0, 2, 1, base.reg, PC, mode === 1 ? 1 : 0, 1, 1, imm);
  p.add({ hw, name: 'LDR (immediate) imm8', cls: 'load' }, mode === 0 ? [] : [base.reg]);
});
// LDR PC, [Rn, Rm, LSL #k]
add('LDR (register)', 'load', 'last', (p) => {
  if (p.memoryWritten) return false; // the stored target could be overwritten before the load
  const rx = adrTarget(p, 1);
  const base = p.dataBase(4, GENERAL, [rx]);
  const rm = p.pickSettable(GENERAL, [rx]);
  const k = p.rng.int(4);
  p.setReg(rm, p.rng.int(256 >> k) << (k < 2 ? 2 - k : 0));
  p.addSetup({ hw: lsReg(0, 2, 0, base.reg, rx, rm, k), name: 'STR (register)', cls: 'store' });
  p.add({ hw: lsReg(0, 2, 1, base.reg, PC, rm, k), name: 'LDR (register)', cls: 'load' });
});
// LDM Rn, {..., PC} (no writeback; not together with LR)
add('LDM T2', 'load-store-multiple', 'last', (p) => {
  if (p.memoryWritten) return false; // the stored target could be overwritten before the load
  const rx = adrTarget(p, 1);
  const base = p.dataBase(4, GENERAL, [rx]);
  const list = p.rng.subset(GENERAL.filter((r) => r !== LR), 0.3).sort((a, b) => a - b);
  if (list.length === 0) list.push(p.pick(LOW));
  p.addSetup({ hw: lsImm12(0, 2, 0, base.reg, rx, 4 * list.length), name: 'STR (immediate) imm12', cls: 'store' });
  p.add({ hw: [0xe890 | base.reg, 0x8000 | regMask(list)], name: 'LDM T2', cls: 'load-store-multiple' }, list);
});
// POP {..., PC} in its three encodings (SP moves, so never inside an IT block)
// (POP T3 = LDR PC, [SP], #4, named by its LDR imm8 pattern)
for (const [name, listFrom, min] of [['POP T1', LOW, 0], ['POP T2', GENERAL.filter((r) => r !== LR), 1], ['LDR (immediate) imm8', [], 0]] as const) {
  add(name, 'load-store-multiple', 'outside', (p) => {
    let list = listFrom.length ? p.rng.subset(listFrom, 0.3).sort((a, b) => a - b) : [];
    if (list.length < min) list = [p.pick(LOW)];
    const bytes = 4 * (list.length + 1);
    if (!p.canMoveSp(bytes)) return false;
    const rx = adrTarget(p, 1);
    p.addSetup({ hw: lsImm12(0, 2, 0, SP, rx, 4 * list.length), name: 'STR (immediate) imm12', cls: 'store' });
    const hw = name === 'POP T1' ? [0xbd00 | regMask(list)] : name === 'POP T2' ? [0xe8bd, 0x8000 | regMask(list)] : [0xf85d, 0xfb04];
    p.add({ hw, name, cls: name.startsWith('LDR') ? 'load' : 'load-store-multiple' }, list);
    p.moveSp(bytes);
  });
}

// ---- table branches: TBB/TBH [PC, Rm] with the table right after the instruction ------------

for (const [name, half] of [['TBB T1', 0], ['TBH T1', 1]] as const) {
  add(name, 'branch', 'outside', (p) => {
    const entries = p.rng.range(1, 6);
    const rm = p.pickSettable();
    p.setReg(rm, p.rng.int(entries));
    const tbb = p.add({ hw: [0xe8d0 | PC, 0xf000 | (half << 4) | rm], name, cls: 'branch' });
    const tableBytes = half ? 2 * entries : entries + (entries & 1);
    const table = mkOp({ hw: new Array(tableBytes / 2).fill(0), name: 'table', cls: 'data', data: true });
    const values = new Array(half ? entries : tableBytes).fill(0);
    table.fixups = [];
    for (let e = 0; e < entries; e++) {
      table.fixups.push({
        op: table, baseOp: tbb, base: (o) => o + 4, min: tableBytes, max: half ? 131070 : 510, skip: skipCount(p),
        patch: (t, d) => {
          values[e] = d / 2;
          t.hw = half ? [...values] : values.reduce((hw: number[], v, k) => (k % 2 ? hw : [...hw, v | ((values[k + 1] ?? 0) << 8)]), []);
        },
      });
    }
    p.main.push(table);
  });
}

// TBB/TBH [Rn, Rm] with the table in scratch RAM: only the entry Rm selects is written,
// by a STRB/STRH of a MOVW whose value is patched once the target is known.
for (const [name, half] of [['TBB T1', 0], ['TBH T1', 1]] as const) {
  add(name, 'branch', 'outside', (p) => {
    const base = p.dataBase(2);
    const rm = p.pickSettable(GENERAL, [base.reg]);
    p.setReg(rm, p.rng.int(64));
    const rx = p.pickSettable(GENERAL, [base.reg, rm]);
    p.reserved.add(rx);
    const entry = p.addSetup({ hw: movw(rx, 0), name: 'MOV (immediate) T3', cls: 'move', writes: 1 << rx });
    p.known.delete(rx);
    p.addSetup({ hw: lsReg(0, half, 0, base.reg, rx, rm, half), name: half ? 'STRH (register)' : 'STRB (register)', cls: 'store' });
    const tb = p.add({ hw: [0xe8d0 | base.reg, 0xf000 | (half << 4) | rm], name, cls: 'branch' });
    entry.fixups = [{ op: entry, baseOp: tb, base: (o) => o + 4, min: 0, max: half ? 131070 : 510, skip: skipCount(p), patch: (t, d) => (t.hw = movw(rx, d / 2)) }];
  });
}

// ---- status registers -----------------------------------------------------------------------

// MRS Rd, <spec_reg>: every SYSm ARMv7-M defines. The PSP is UNKNOWN out of reset (masked).
const SYSM = [0, 1, 2, 3, 5, 6, 7, 8, 9, 16, 17, 18, 19, 20];
add('MRS T1', 'system', 'any', (p) => {
  const rd = p.pick();
  const sysm = p.rng.pick(SYSM);
  p.add({ hw: [0xf3ef, 0x8000 | (rd << 8) | sysm], name: 'MRS T1', cls: 'system', unknownMask: sysm === 9 ? 1 << rd : undefined }, [rd]);
});
// MSR APSR_<fields>, Rn: nzcvq always; g (GE bits) only with the DSP extension.
function msr(dsp: boolean): (p: Plan) => void {
  return (p) => {
    const mask = dsp ? p.rng.range(1, 3) : 2;
    p.add({ hw: [0xf380 | p.pick(), 0x8000 | (mask << 10) | p.rng.int(4)], name: 'MSR T1', cls: 'system' });
  };
}
specs.push({ name: 'MSR T1', cls: 'system', where: 'any', gen: (p) => (msr(false)(p), true) });
specs.push({ name: 'MSR T1', cls: 'system', where: 'any', dsp: true, gen: (p) => (msr(true)(p), true) });
add('CPS T1', 'system', 'outside', (p) => {
  p.add({ hw: [p.rng.chance(0.5) ? 0xb662 : 0xb672], name: 'CPS T1', cls: 'system' }); // CPSIE i / CPSID i
});

// ---- hints and barriers -------------------------------------------------------------------

for (const [name, hw] of [['NOP T1', 0xbf00], ['YIELD T1', 0xbf10], ['SEV T1', 0xbf40]] as const) {
  add(name, 'hint', 'any', (p) => void p.add({ hw: [hw], name, cls: 'hint' }), 0.5);
}
add('NOP-compatible hint T1', 'hint', 'any', (p) => void p.add({ hw: [0xbf00 | (p.rng.range(5, 15) << 4)], name: 'NOP-compatible hint T1', cls: 'hint' }), 0.5);
for (const [name, hint] of [['NOP.W T2', 0], ['YIELD.W T2', 1], ['SEV.W T2', 4]] as const) {
  add(name, 'hint', 'any', (p) => void p.add({ hw: [0xf3af, 0x8000 | hint], name, cls: 'hint' }), 0.5);
}
add('NOP-compatible hint T2', 'hint', 'any', (p) => void p.add({ hw: [0xf3af, 0x8000 | p.rng.range(5, 0xef)], name: 'NOP-compatible hint T2', cls: 'hint' }), 0.5);
add('DBG T1', 'hint', 'any', (p) => void p.add({ hw: [0xf3af, 0x80f0 | p.rng.int(16)], name: 'DBG T1', cls: 'hint' }), 0.5);
for (const [name, op] of [['CLREX T1', 2], ['DSB T1', 4], ['DMB T1', 5], ['ISB T1', 6]] as const) {
  const cls = op === 2 ? 'exclusive' : 'barrier';
  add(name, cls, 'any', (p) => {
    const option = op === 2 ? 15 : p.rng.chance(0.5) ? 15 : p.rng.int(16);
    p.add({ hw: [0xf3bf, 0x8f00 | (op << 4) | option], name, cls });
  }, 0.5);
}

export const controlSpecs: Spec[] = specs;
