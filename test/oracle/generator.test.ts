// Tests of the random instruction-stream generator (test/oracle/generator): determinism,
// the shape of what it returns, static checks of its branches, its names against the
// simulator's encoding tables (and which of the simulator's encodings it never emits),
// and a run of chunks on the simulated core that watches every data access.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateChunk, coverage, SCRATCH_BASE, SCRATCH_END, type GeneratedChunk } from './generator/index.js';
import { allEncodings, parsePattern } from '../../src/sim/cpu/isa/decoder.js';
import type { Encoding } from '../../src/sim/cpu/isa/encoding.js';
import { createBoard } from '../../src/sim/boards/index.js';

const halfword = (c: GeneratedChunk, off: number): number => c.code[off] | (c.code[off + 1] << 8);
const insnAt = (c: GeneratedChunk, off: number, size: number): number =>
  size === 4 ? ((halfword(c, off) << 16) | halfword(c, off + 2)) >>> 0 : halfword(c, off);

const CHUNKS = 40;
const COUNT = 300;
const sample = (dsp: boolean, first = 1): GeneratedChunk[] =>
  Array.from({ length: CHUNKS }, (_, k) => generateChunk(first + k, COUNT, { dsp }));
const withDsp = sample(true);
const withoutDsp = sample(false, 1000);

/** The simulator encodings the generator deliberately never emits (they trap, sleep or end the run). */
const NEVER_GENERATED = new Set(['BKPT T1', 'SVC T1', 'UDF T1', 'UDF T2', 'WFI T1', 'WFE T1', 'WFI.W T2', 'WFE.W T2']);
const NEVER_GENERATED_CLASSES = new Set(['coprocessor', 'fpu']);

test('the same seed gives the same chunk, another seed another one', () => {
  const a = generateChunk(42, 200, { dsp: true });
  const b = generateChunk(42, 200, { dsp: true });
  const c = generateChunk(43, 200, { dsp: true });
  assert.deepEqual(a.code, b.code);
  assert.deepEqual(a.instructions, b.instructions);
  assert.notDeepEqual(a.code, c.code);
  assert.ok(a.instructions.length >= 200);
});

test('records are ordered, sized as their first halfword says, and cover the code', () => {
  for (const c of [...withDsp, ...withoutDsp]) {
    let end = 0;
    for (const ins of c.instructions) {
      assert.ok(ins.offset >= end, `overlap at +${ins.offset}`);
      if (ins.offset > end) {
        // only tables (TBB/TBH) and the literal pad (jumped over by B) are not instructions
        const prev = c.instructions[c.instructions.indexOf(ins) - 1];
        assert.match(prev.encoding, /^(TBB|TBH) T1$|^B T2$/, `gap before +${ins.offset} after ${prev.encoding}`);
      }
      const top5 = halfword(c, ins.offset) >>> 11;
      assert.equal(ins.size, top5 === 0b11101 || top5 === 0b11110 || top5 === 0b11111 ? 4 : 2, `size of ${ins.encoding} at +${ins.offset}`);
      end = ins.offset + ins.size;
      assert.ok(end <= c.code.length);
    }
  }
});

test('without the DSP extension nothing DSP-only is generated', () => {
  for (const c of withoutDsp) {
    for (const ins of c.instructions) {
      assert.ok(!ins.cls.startsWith('dsp'), `${ins.encoding} in a non-DSP chunk`);
      // MSR with the GE ("g") field is UNPREDICTABLE without the DSP extension
      if (ins.encoding === 'MSR T1') assert.equal(halfword(c, ins.offset + 2) & 0x400, 0);
    }
  }
  assert.ok(withDsp.some((c) => c.instructions.some((i) => i.cls.startsWith('dsp'))));
});

/** Target of a direct branch, decoded independently of the generator's encoder. */
function branchTarget(c: GeneratedChunk, off: number, name: string): number | undefined {
  const h1 = halfword(c, off), h2 = halfword(c, off + 2);
  const pc = off + 4;
  switch (name) {
    case 'B T1': return pc + (((h1 & 0xff) << 24) >> 23);
    case 'B T2': return pc + (((h1 & 0x7ff) << 21) >> 20);
    case 'CBZ/CBNZ T1': return pc + ((((h1 >>> 9) & 1) << 6) | (((h1 >>> 3) & 0x1f) << 1));
    case 'B T3': {
      const s = (h1 >>> 10) & 1, j1 = (h2 >>> 13) & 1, j2 = (h2 >>> 11) & 1;
      const imm = (s << 20) | (j2 << 19) | (j1 << 18) | ((h1 & 0x3f) << 12) | ((h2 & 0x7ff) << 1);
      return pc + ((imm << 11) >> 11);
    }
    case 'B T4':
    case 'BL T1': {
      const s = (h1 >>> 10) & 1, i1 = ((h2 >>> 13) & 1) ^ s ^ 1, i2 = ((h2 >>> 11) & 1) ^ s ^ 1;
      const imm = (s << 24) | (i1 << 23) | (i2 << 22) | ((h1 & 0x3ff) << 12) | ((h2 & 0x7ff) << 1);
      return pc + ((imm << 7) >> 7);
    }
  }
  return undefined;
}

test('direct branches go forward to an instruction boundary outside IT blocks, or to the end', () => {
  let branches = 0;
  for (const c of withDsp) {
    const starts = new Set(c.instructions.map((i) => i.offset));
    // offsets of instructions inside IT blocks (after the first), where no branch may land
    const insideIt = new Set<number>();
    c.instructions.forEach((ins, k) => {
      if (ins.encoding !== 'IT T1') return;
      const mask = halfword(c, ins.offset) & 15;
      const n = 4 - Math.log2(mask & -mask);
      for (let j = 1; j <= n; j++) insideIt.add(c.instructions[k + j].offset);
    });
    for (const ins of c.instructions) {
      const t = branchTarget(c, ins.offset, ins.encoding);
      if (t === undefined) continue;
      branches++;
      assert.ok(t > ins.offset, `${ins.encoding} at +${ins.offset} goes backwards`);
      assert.ok(t === c.code.length || starts.has(t), `${ins.encoding} at +${ins.offset} lands at +${t}, not an instruction`);
      assert.ok(!insideIt.has(t), `${ins.encoding} at +${ins.offset} lands inside an IT block`);
    }
  }
  assert.ok(branches > CHUNKS, `only ${branches} branches`);
});

/** The simulator decoder's rule (most fixed bits wins, then list order), with the patterns parsed once. */
function decoderOf(encs: Encoding[]): (insn: number, is32: boolean) => Encoding | undefined {
  const parsed = encs.map((enc, order) => ({ enc, order, ...parsePattern(enc.pattern) }));
  parsed.sort((a, b) => b.fixed - a.fixed || a.order - b.order);
  return (insn, is32) => parsed.find((p) => (p.bits === 32) === is32 && (insn & p.mask) === p.value)?.enc;
}

test('names match the simulator tables; every simulator encoding is generated', () => {
  const encs = allEncodings();
  const decode = decoderOf(encs);
  const generated = new Set<string>();
  const mismatches = new Map<string, number>();
  for (const c of [...withDsp, ...withoutDsp]) {
    for (const ins of c.instructions) {
      const e = decode(insnAt(c, ins.offset, ins.size) | 0, ins.size === 4);
      assert.ok(e, `${ins.encoding} at +${ins.offset} is UNDEFINED to the simulator`);
      generated.add(e.name);
      // A PC-relative load with U = 0 and a small offset also fits the register (or imm8)
      // pattern, which the simulator's decoder prefers (its handlers treat Rn = PC as the
      // literal form): the generator keeps the architectural name.
      const literalAlias = /\(literal\)/.test(ins.encoding) && /\((register|immediate)\)/.test(e.name);
      if ((e.name !== ins.encoding || e.cls !== ins.cls) && !literalAlias) {
        const key = `${ins.encoding} [${ins.cls}] -> ${e.name} [${e.cls}]`;
        mismatches.set(key, (mismatches.get(key) ?? 0) + 1);
      }
    }
  }
  assert.deepEqual([...mismatches.keys()], [], 'generator names that differ from the simulator');
  const missing = encs
    .filter((e) => !generated.has(e.name) && !NEVER_GENERATED.has(e.name) && !NEVER_GENERATED_CLASSES.has(e.cls) && e.requires !== 'fpu' && e.requires !== 'fpu-dp')
    .map((e) => e.name);
  const skipped = encs.filter((e) => !generated.has(e.name)).map((e) => e.name);
  console.log(`simulator encodings not generated (deliberately): ${skipped.join(', ')}`);
  assert.deepEqual(missing, [], 'simulator encodings the generator never produced');
});

test('the only option restricts the instructions drawn (set-up instructions aside)', () => {
  const c = generateChunk(5, 200, { dsp: true, only: (s) => s.cls === 'divide' });
  const drawn = new Set(c.instructions.map((i) => i.encoding));
  assert.ok(drawn.has('SDIV T1') && drawn.has('UDIV T1'));
  for (const name of drawn) assert.match(name, /^(SDIV T1|UDIV T1|IT T1|MOV \(immediate\) T3|MOVT T1|MOV \(register\) T1)$/);
  assert.throws(() => generateChunk(5, 10, { dsp: false, only: (s) => s.cls.startsWith('dsp') }), /no instruction/);
});

test('coverage() counts classes, encodings and instructions', () => {
  const cov = coverage(withDsp);
  const total = withDsp.reduce((n, c) => n + c.instructions.length, 0);
  assert.equal(cov.instructions, total);
  console.log(`generator coverage over ${CHUNKS} chunks: ${cov.classes} classes, ${cov.encodings} encodings, ${cov.instructions} instructions`);
  assert.ok(cov.classes >= 25, `${cov.classes} classes`);
  assert.ok(cov.encodings >= 250, `${cov.encodings} encodings`);
  assert.deepEqual(coverage([]), { classes: 0, encodings: 0, instructions: 0 });
});

test('chunks run to their end on the simulator, touching only scratch RAM and their own code', () => {
  const CODE = 0x100;
  let executed = 0;
  for (const [board, dsp] of [['mps2-an385', false], ['mps2-an386', true]] as const) {
    for (let seed = 1; seed <= 15; seed++) {
      const c = generateChunk(seed * 7919, COUNT, { dsp });
      const b = createBoard(board);
      const vectors = new Uint8Array(8);
      new DataView(vectors.buffer).setUint32(0, 0x20008000, true);
      new DataView(vectors.buffer).setUint32(4, CODE | 1, true);
      b.bus.load(0, vectors);
      b.bus.load(CODE, c.code);
      b.reset();
      const cpu = b.cpu;
      const end = CODE + c.code.length;
      const starts = new Set(c.instructions.map((i) => CODE + i.offset));
      cpu.watchHook = (addr, size) => {
        const inScratch = addr >= SCRATCH_BASE && addr + size <= SCRATCH_END;
        const inCode = addr >= CODE && addr + size <= end;
        assert.ok(inScratch || inCode, `seed ${seed * 7919}: access to 0x${addr.toString(16)} at pc 0x${cpu.pc.toString(16)}`);
      };
      for (let steps = 0; cpu.pc !== end; steps++) {
        assert.ok(starts.has(cpu.pc), `seed ${seed * 7919} ${board}: pc 0x${cpu.pc.toString(16)} is not an instruction of the chunk`);
        assert.ok(steps < 4 * COUNT, 'the chunk does not end');
        cpu.step();
        executed++;
        assert.equal(cpu.xpsr & 0x1ff, 0, `seed ${seed * 7919} ${board}: exception ${cpu.xpsr & 0x1ff} taken near pc 0x${cpu.pc.toString(16)}`);
      }
      assert.ok(cpu.r[13] >= SCRATCH_BASE && cpu.r[13] < SCRATCH_END, 'SP left the scratch RAM');
    }
  }
  console.log(`${executed} generated instructions executed on the simulator`);
});
