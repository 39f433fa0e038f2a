// FP instructions inside translated blocks (translate.ts lets the fp-arith, fp-move and
// fp-load-store classes continue a block): random straight-line programs of them, mixed
// with integer data processing, run once interpreted one step at a time and once through
// run() with translated blocks on a Cortex-M7 (FPv5, double precision); core registers,
// flags, S0-S31, FPSCR and memory must agree. Encodings that would fault are left out
// (each candidate is tried alone first), since a fault ends a block by design.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allEncodings, parsePattern } from '../../../src/sim/cpu/isa/decoder.js';
import type { CoreConfig } from '../../../src/sim/cpu/cpu.js';
import { machine, rng, CODE, RAM, type Machine } from './harness.js';

const M7: CoreConfig = { name: 'cortex-m7', cpuid: 0x411fc272, dsp: true, fpu: 'fpv5-dp', irqs: 32, priorityBits: 3 };
const CPACR = 0xe000ed88;
const DATA = RAM + 0x1000;

function fpMachine(): Machine {
  const m = machine(M7);
  m.bus.write32(CPACR, 0xf << 20);
  return m;
}

const CLASSES = new Set(['fp-arith', 'fp-move', 'fp-load-store', 'data-processing-immediate', 'add-sub', 'compare']);

/** Does this one instruction run without a fault and fall through (tried on a scratch core)? */
function runsCleanly(scratch: { m: Machine }, hws: number[]): boolean {
  const m = scratch.m;
  m.load([...hws, 0xe7fe], CODE);
  m.bus.write32(CPACR, 0xf << 20);
  for (let i = 0; i < 4; i++) m.cpu.r[i] = DATA + 0x400;
  m.cpu.step();
  const ok = m.cpu.ipsr === 0 && m.cpu.pc === CODE + hws.length * 2;
  if (!ok) scratch.m = fpMachine(); // leave the fault behind
  return ok;
}

function program(seed: number, count: number, scratch: { m: Machine }): number[] {
  const rnd = rng(seed);
  const encs = allEncodings().filter((e) => CLASSES.has(e.cls) && (e.requires === 'fpu' || !e.requires) && !/VLDM|VSTM|VPUSH|VPOP|literal|SP/.test(e.name));
  const out: number[] = [];
  let n = 0;
  while (n < count) {
    const e = encs[rnd() % encs.length];
    const p = parsePattern(e.pattern);
    if (p.bits !== 32) continue;
    let insn = ((rnd() & ~p.mask) | p.value) >>> 0;
    const hw1 = insn >>> 16;
    if (e.requires === 'fpu') {
      // core registers an FP instruction names (VMOV, VMRS/VMSR, VLDR/VSTR base): r0-r3 are
      // addresses and stay so; transfers to the core go to r4-r12
      const rt = (insn >>> 12) & 15;
      if (/VLDR/.test(e.name)) {
        insn = (insn & ~0xf0000) | ((rnd() % 4) << 16);
      } else if (/VMOV \(two/.test(e.name)) {
        insn = (insn & ~0xff000) | ((4 + (rnd() % 9)) << 12) | ((4 + (rnd() % 9)) << 16);
        if (((insn >>> 12) & 15) === ((insn >>> 16) & 15)) continue;
      } else if (/VMOV \(core|VMSR/.test(e.name) && rt !== 15) {
        insn = (insn & ~0xf000) | ((4 + (rnd() % 9)) << 12);
      }
      if (/VMSR/.test(e.name) && ((insn >>> 12) & 15) === 15) continue;
    } else {
      // integer work between them, never into r0-r3, SP or PC
      const rd = (insn >>> 8) & 15;
      if (rd < 4 || rd >= 13) continue;
      if (((hw1 >>> 0) & 15) >= 13) continue;
    }
    insn >>>= 0;
    const hws = [insn >>> 16, insn & 0xffff];
    if (!runsCleanly(scratch, hws)) continue;
    out.push(...hws);
    n++;
  }
  out.push(0xe7fe); // b .
  return out;
}

function setup(code: number[], seed: number): Machine {
  const m = fpMachine();
  m.load(code, CODE);
  m.bus.write32(CPACR, 0xf << 20);
  const rnd = rng(seed + 1000);
  for (let i = 0; i < 4; i++) m.cpu.r[i] = DATA + 0x400 + (rnd() % 0x200) * 4;
  for (let i = 4; i < 13; i++) m.cpu.r[i] = rnd();
  // S registers: a mix of random bit patterns and ordinary doubles (so arithmetic is not all NaN)
  for (let d = 0; d < 16; d++) {
    const v = rnd() % 3 === 0 ? ((BigInt(rnd()) << 32n) | BigInt(rnd())) : new BigUint64Array(new Float64Array([(rnd() % 20000) / 64 - 150]).buffer)[0];
    m.cpu.fp.setS(2 * d, v & 0xffffffffn);
    m.cpu.fp.setS(2 * d + 1, v >> 32n);
  }
  for (let a = 0; a < 0x1000; a += 4) m.bus.write32(DATA + a, rnd());
  return m;
}

test('translated blocks with FP instructions compute what the interpreter computes (Cortex-M7, FPv5-D16)', () => {
  const scratch = { m: fpMachine() };
  let compared = 0;
  let fpInsns = 0;
  let longest = 0;
  for (let seed = 1; seed <= 25; seed++) {
    const code = program(seed, 120, scratch);
    const a = setup(code, seed);
    const b = setup(code, seed);
    a.cpu.translate = false;
    b.cpu.translate = true;
    b.cpu.translateAfter = 1;
    // to the closing `b .` on both (cycle counts per instruction do not matter here)
    const end = CODE + (code.length - 1) * 2;
    for (let i = 0; i < 1000 && a.cpu.pc !== end; i++) a.cpu.step();
    b.cpu.run(20_000);
    const state = (m: Machine) => [
      ...[...m.cpu.r.slice(0, 15), m.cpu.pc, m.cpu.xpsr].map((v) => (v >>> 0).toString(16)),
      ...Array.from({ length: 32 }, (_, i) => m.cpu.fp.getS(i).toString(16)),
      m.cpu.fp.fpscr.toString(16),
    ];
    assert.equal(a.cpu.pc, end, `seed ${seed}: the interpreter reached the end`);
    assert.deepEqual(state(b), state(a), `seed ${seed}`);
    for (let off = 0; off < 0x1000; off += 4) {
      if (a.bus.read32(DATA + off) !== b.bus.read32(DATA + off)) assert.fail(`seed ${seed}: memory at +0x${off.toString(16)}`);
    }
    // the FP instructions really ran inside blocks: some block spans many of them
    const blocks = (b.cpu as unknown as { blocks: ({ len: number } | null)[] }).blocks;
    longest = Math.max(longest, ...blocks.map((x) => x?.len ?? 0));
    for (let i = 0; i < code.length - 1; i += 2) if ((code[i] & 0xec00) === 0xec00 && (code[i + 1] & 0x0e00) === 0x0a00) fpInsns++;
    compared++;
  }
  assert.equal(compared, 25);
  assert.ok(fpInsns > 25 * 120 * 0.5, `mostly FP instructions (${fpInsns})`);
  assert.ok(longest >= 16, `translated blocks of FP code are long (longest ${longest} instructions)`);
});

test('an FP instruction that faults inside a translated block (NOCP: CP10 disabled) faults as interpreted, at its own address', () => {
  // movs r4, #1 ; movs r5, #2 ; vadd.f64 d0, d0, d1 ; movs r6, #3 ; b .   (handler: b .)
  const code = [0x2401, 0x2502, 0xee30, 0x0b01, 0x2603, 0xe7fe];
  const HANDLER = CODE + 0x40;
  const run = (translate: boolean) => {
    const m = machine(M7);
    m.load(code, CODE);
    m.load([0xe7fe], HANDLER);
    m.load(code, CODE);
    m.vector(6, HANDLER); // UsageFault
    m.bus.write32(0xe000ed24, 1 << 18); // SHCSR.USGFAULTENA
    m.cpu.translate = translate;
    m.cpu.translateAfter = 1;
    if (translate) m.cpu.run(40);
    else for (let i = 0; i < 8; i++) m.cpu.step();
    const sp = m.cpu.r[13];
    return { pc: m.cpu.pc, ipsr: m.cpu.ipsr, r4: m.cpu.r[4], r5: m.cpu.r[5], r6: m.cpu.r[6], stackedPc: m.bus.read32(sp + 24), cfsr: m.bus.read32(0xe000ed28) };
  };
  const interpreted = run(false);
  assert.deepEqual(interpreted, { pc: HANDLER, ipsr: 6, r4: 1, r5: 2, r6: 0, stackedPc: CODE + 4, cfsr: 1 << 19 }, 'NOCP UsageFault at the VADD');
  assert.deepEqual(run(true), interpreted);
});
