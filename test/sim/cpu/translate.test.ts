// Block translation must not change what the core computes: random straight-line programs
// (data processing of every class, loads and stores) run once interpreted one step at a time
// and once through run() with translated blocks; registers, flags and memory must agree.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allEncodings, parsePattern } from '../../../src/sim/cpu/isa/decoder.js';
import { machine, rng, CODE, RAM, M4 } from './harness.js';

const DP_CLASSES = new Set([
  'data-processing', 'data-processing-immediate', 'data-processing-register', 'shift', 'move', 'compare', 'add-sub',
  'bitfield', 'saturate', 'reverse', 'count', 'extend', 'multiply', 'long-multiply', 'divide',
]);
const MEM_CLASSES = new Set(['load', 'store', 'load-store-dual']);

/** A random program of `count` instructions that never touches SP/PC and keeps addresses in RAM. */
function program(seed: number, count: number, dsp: boolean): number[] {
  const rnd = rng(seed);
  const encs = allEncodings().filter(
    (e) => (DP_CLASSES.has(e.cls) && !e.requires) || (dsp && e.requires === 'dsp') || (MEM_CLASSES.has(e.cls) && !/literal|SP|T2$|T$/.test(e.name)),
  );
  const out: number[] = [];
  let n = 0;
  while (n < count) {
    const e = encs[rnd() % encs.length];
    const p = parsePattern(e.pattern);
    let insn = ((rnd() & ~p.mask) | p.value) >>> 0;
    const isMem = MEM_CLASSES.has(e.cls);
    if (p.bits === 16) {
      insn &= 0xffff;
      if (/T2/.test(e.name) || e.name.startsWith('MOV (register)')) continue; // high-register forms
      if (isMem) insn = (insn & ~0x3f) | (4 + (rnd() % 4)) | ((rnd() % 4) << 3); // Rt r4-r7, Rn r0-r3
      if (isMem && /register/.test(e.name)) insn = (insn & ~0x1c0) | ((rnd() % 4) << 6);
    } else {
      if (isMem) {
        insn = (insn & ~0xf0000) | ((rnd() % 4) << 16); // Rn r0-r3: addresses
        insn = (insn & ~0xf000) | ((8 + (rnd() % 5)) << 12); // Rt r8-r12
        if (/LDRD|STRD/.test(e.name)) insn = (insn & ~0xf00) | ((8 + (rnd() % 5)) << 8);
        if (/register/.test(e.name)) insn = (insn & ~0xf) | (rnd() % 4);
        if (/imm8/.test(e.name)) insn &= ~0x100; // no writeback: the bases stay in RAM
        if (/LDRD|STRD/.test(e.name)) insn = (insn & ~0x200000) | 0x1000000;
        if (/LDRD/.test(e.name) && ((insn >>> 12) & 15) === ((insn >>> 8) & 15)) continue;
        insn >>>= 0;
      } else {
        const regs = [(insn >>> 16) & 15, (insn >>> 8) & 15, (insn >>> 12) & 15, insn & 15];
        if (regs.some((r) => r === 13)) continue;
        if (regs.some((r) => r === 15) && !/^(TST|TEQ|CMP|CMN|MOV|MVN)/.test(e.name)) continue;
        if (((insn >>> 8) & 15) === 15 && !/^(TST|TEQ|CMP|CMN)/.test(e.name)) continue;
        // base registers r0-r3 stay addresses: no data-processing result goes there
        if (((insn >>> 8) & 15) < 4 || (/MULL|MLAL|UMAAL|SMLAL/.test(e.name) && ((insn >>> 12) & 15) < 4)) continue;
      }
      if (/^(BFI|BFC)/.test(e.name) && (insn & 31) < (((insn >>> 10) & 0x1c) | ((insn >>> 6) & 3))) continue;
      if (/^(SBFX|UBFX)/.test(e.name) && (insn & 31) + 1 + (((insn >>> 10) & 0x1c) | ((insn >>> 6) & 3)) > 32) continue;
    }
    if (p.bits === 16 && !isMem && (insn & 7) < 4) continue; // 16-bit results not into r0-r3
    if (p.bits === 32) out.push(insn >>> 16, insn & 0xffff);
    else out.push(insn);
    n++;
  }
  out.push(0xe7fe); // b .
  return out;
}

function setup(halfwords: number[], seed: number, dsp: boolean) {
  const m = machine(dsp ? M4 : undefined);
  m.load(halfwords, CODE);
  const rnd = rng(seed + 1000);
  for (let i = 0; i < 4; i++) m.cpu.r[i] = RAM + 0x1000 + (rnd() % 0x400) * 4;
  for (let i = 4; i < 13; i++) m.cpu.r[i] = rnd();
  m.cpu.xpsr = (rnd() & 0xf8000000) | 0x01000000;
  for (let a = 0; a < 0x4000; a += 4) m.bus.write32(RAM + 0x1000 + a, rnd());
  return m;
}

for (const dsp of [false, true]) {
  test(`translated blocks compute what the interpreter computes (${dsp ? 'with DSP' : 'ARMv7-M'})`, () => {
    let compared = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const code = program(seed, 150, dsp);
      const a = setup(code, seed, dsp);
      const b = setup(code, seed, dsp);
      a.cpu.translate = false;
      b.cpu.translate = true;
      b.cpu.translateAfter = 1;
      for (let i = 0; i < 150; i++) a.cpu.step();
      b.cpu.run(150);
      const state = (m: typeof a) => [...m.cpu.r.slice(0, 15), m.cpu.pc, m.cpu.xpsr].map((v) => v >>> 0);
      assert.deepEqual(state(b), state(a), `seed ${seed}`);
      for (let off = 0; off < 0x4000; off += 4) {
        if (a.bus.read32(RAM + 0x1000 + off) !== b.bus.read32(RAM + 0x1000 + off)) assert.fail(`seed ${seed}: memory at +0x${off.toString(16)}`);
      }
      compared++;
    }
    assert.equal(compared, 30);
  });
}

test('a block sees code written under it (by the core or from outside) and is re-translated', () => {
  const m = machine();
  m.cpu.translateAfter = 1;
  // movs r0, #1 ; b . -> then the first instruction becomes movs r0, #2
  m.load([0x2001, 0xe7fe], CODE);
  m.cpu.run(10);
  assert.equal(m.cpu.r[0], 1);
  m.bus.write16(CODE, 0x2002); // a debugger write
  m.cpu.pc = CODE;
  m.cpu.run(10);
  assert.equal(m.cpu.r[0], 2);
  // the core itself: str r2, [r1] rewrites the movs at CODE before it runs again
  m.load([0x2003, 0x600a, 0xe7fc], CODE); // movs r0, #3 ; str r2, [r1] ; b CODE
  m.cpu.r[1] = CODE;
  m.cpu.r[2] = 0x600a2004; // movs r0, #4 ; str r2, [r1]
  m.cpu.run(7);
  assert.equal(m.cpu.r[0], 4);
});
