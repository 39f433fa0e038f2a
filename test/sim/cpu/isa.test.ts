// Instruction tests, one class at a time: hand-assembled encodings (from arm-none-eabi-as,
// the source in the comment), registers set, one step, registers/flags/memory checked.
// The same instructions also run in the QEMU traces (qemu-traces.test.ts); these tests say
// in plain numbers what each one must do.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { machine, thumb, CODE, RAM } from './harness.js';
import { allEncodings, encodingsFor, decodeToEncoding } from '../../../src/sim/cpu/isa/decoder.js';

interface Case {
  asm: string;
  code: number[];
  regs?: Record<number, number>;
  flags?: Partial<Record<'n' | 'z' | 'c' | 'v', number>>;
  expect: Record<number, number>;
  expectFlags?: Partial<Record<'n' | 'z' | 'c' | 'v' | 'q', number>>;
  steps?: number;
}

function run(c: Case): ReturnType<typeof machine> {
  const m = machine();
  m.load(c.code);
  for (const [k, v] of Object.entries(c.regs ?? {})) m.cpu.r[Number(k)] = v;
  for (const [k, v] of Object.entries(c.flags ?? {})) (m.cpu as unknown as Record<string, number>)[k] = v;
  m.steps(c.steps ?? 1);
  for (const [k, v] of Object.entries(c.expect)) {
    const got = Number(k) === 15 ? m.cpu.pc : m.cpu.r[Number(k)];
    assert.equal(got >>> 0, v >>> 0, `${c.asm}: r${k} = 0x${(got >>> 0).toString(16)}, expected 0x${(v >>> 0).toString(16)}`);
  }
  for (const [k, v] of Object.entries(c.expectFlags ?? {})) {
    assert.equal((m.cpu as unknown as Record<string, number>)[k], v, `${c.asm}: flag ${k}`);
  }
  return m;
}

const cases16: Case[] = [
  { asm: 'adds r2, r0, r1 (unsigned overflow)', code: [0x1842], regs: { 0: 0xffffffff, 1: 1 }, expect: { 2: 0 }, expectFlags: { n: 0, z: 1, c: 1, v: 0 } },
  { asm: 'adds r2, r0, r1 (signed overflow)', code: [0x1842], regs: { 0: 0x7fffffff, 1: 1 }, expect: { 2: 0x80000000 }, expectFlags: { n: 1, z: 0, c: 0, v: 1 } },
  { asm: 'subs r2, r0, r1 (borrow: C clear)', code: [0x1a42], regs: { 0: 1, 1: 2 }, expect: { 2: 0xffffffff }, expectFlags: { n: 1, c: 0, v: 0 } },
  { asm: 'subs r2, r0, r1 (no borrow: C set)', code: [0x1a42], regs: { 0: 5, 1: 5 }, expect: { 2: 0 }, expectFlags: { z: 1, c: 1 } },
  { asm: 'lsls r2, r0, #4', code: [0x0102], regs: { 0: 0x18000001 }, expect: { 2: 0x80000010 }, expectFlags: { n: 1, c: 1 } },
  { asm: 'lsrs r2, r0, #1', code: [0x0842], regs: { 0: 3 }, expect: { 2: 1 }, expectFlags: { c: 1 } },
  { asm: 'asrs r2, r0, #31', code: [0x17c2], regs: { 0: 0x80000000 }, expect: { 2: 0xffffffff }, expectFlags: { n: 1, c: 0 } },
  { asm: 'rors r0, r1', code: [0x41c8], regs: { 0: 0x000000f1, 1: 4 }, expect: { 0: 0x1000000f }, expectFlags: { c: 0 } },
  { asm: 'rors r0, r1 (by 32: C = bit 31)', code: [0x41c8], regs: { 0: 0x80000001, 1: 32 }, expect: { 0: 0x80000001 }, expectFlags: { c: 1 } },
  { asm: 'adcs r0, r1', code: [0x4148], regs: { 0: 1, 1: 2 }, flags: { c: 1 }, expect: { 0: 4 }, expectFlags: { c: 0 } },
  { asm: 'sbcs r0, r1', code: [0x4188], regs: { 0: 10, 1: 3 }, flags: { c: 0 }, expect: { 0: 6 }, expectFlags: { c: 1 } },
  { asm: 'muls r0, r1, r0 (C unchanged)', code: [0x4348], regs: { 0: 0x10000, 1: 0x10001 }, flags: { c: 1 }, expect: { 0: 0x10000 }, expectFlags: { c: 1, z: 0 } },
  { asm: 'negs r2, r0', code: [0x4242], regs: { 0: 1 }, expect: { 2: 0xffffffff }, expectFlags: { n: 1, c: 0 } },
  { asm: 'cbnz r0, .+10 (taken)', code: [0xb918], regs: { 0: 1 }, expect: { 15: CODE + 10 } },
  { asm: 'cbnz r0, .+10 (not taken)', code: [0xb918], regs: { 0: 0 }, expect: { 15: CODE + 2 } },
  { asm: 'mov pc, r1', code: [0x468f], regs: { 1: 0x201 }, expect: { 15: 0x200 } },
  { asm: 'add r1, pc', code: [0x4479], regs: { 1: 0x10 }, expect: { 1: CODE + 4 + 0x10 } },
  { asm: 'blx r2', code: [0x4790], regs: { 2: 0x301 }, expect: { 15: 0x300, 14: (CODE + 2) | 1 } },
  {
    asm: 'ite mi ; addmi r2, #1 ; addpl r2, #2 (N clear)',
    code: [0xbf4c, 0x3201, 0x3202],
    regs: { 2: 10 },
    flags: { n: 0 },
    expect: { 2: 12 },
    expectFlags: { n: 0, z: 1 }, // flags untouched inside the IT block (Z=1 from reset)
    steps: 3,
  },
];

for (const c of cases16) test(`16-bit: ${c.asm}`, () => void run(c));

test('16-bit loads and stores: ldrsh, ldrb, strh, stmia/ldmia with writeback, pop {pc}', () => {
  const m = machine();
  m.load(thumb(0x5e42, 0x7942, 0x80c2, 0xc00e, 0xc80e));
  const cpu = m.cpu;
  m.bus.write32(RAM + 0x100, 0x80017f02);
  m.bus.write32(RAM + 0x104, 0x11223344);
  cpu.r[0] = RAM + 0x100;
  cpu.r[1] = 2;
  m.steps(1); // ldrsh r2, [r0, r1]
  assert.equal(cpu.r[2], 0xffff8001);
  m.steps(1); // ldrb r2, [r0, #5]
  assert.equal(cpu.r[2], 0x33);
  m.steps(1); // strh r2, [r0, #6]
  assert.equal(m.bus.read32(RAM + 0x104), 0x00333344);
  cpu.r[1] = 1;
  cpu.r[2] = 2;
  cpu.r[3] = 3;
  m.steps(1); // stmia r0!, {r1, r2, r3}
  assert.equal(cpu.r[0], RAM + 0x10c);
  assert.deepEqual([0, 4, 8].map((o) => m.bus.read32(RAM + 0x100 + o)), [1, 2, 3]);
  cpu.r[0] = RAM + 0x100;
  cpu.r[1] = cpu.r[2] = cpu.r[3] = 0;
  m.steps(1); // ldmia r0!, {r1, r2, r3}
  assert.deepEqual([cpu.r[1], cpu.r[2], cpu.r[3], cpu.r[0]], [1, 2, 3, RAM + 0x10c]);

  m.load(thumb(0xbd01)); // pop {r0, pc}
  m.bus.write32(cpu.r[13], 0xaa);
  m.bus.write32(cpu.r[13] + 4, 0x401);
  m.steps(1);
  assert.equal(cpu.r[0], 0xaa);
  assert.equal(cpu.pc, 0x400);
});

const cases32: Case[] = [
  { asm: 'movw r0, #0x1234 ; movt r0, #0xabcd', code: [0xf241, 0x2034, 0xf6ca, 0x30cd], expect: { 0: 0xabcd1234 }, steps: 2 },
  { asm: 'adds.w r0, r1, #0xff00ff00', code: [0xf111, 0x20ff], regs: { 1: 0x00ff0100 }, expect: { 0: 0 }, expectFlags: { z: 1, c: 1 } },
  { asm: 'bfi r0, r1, #4, #8', code: [0xf361, 0x100b], regs: { 0: 0xffffffff, 1: 0x12 }, expect: { 0: 0xfffff12f } },
  { asm: 'ubfx r0, r1, #8, #4', code: [0xf3c1, 0x2003], regs: { 1: 0x0000f900 }, expect: { 0: 9 } },
  { asm: 'sbfx r0, r1, #8, #4', code: [0xf341, 0x2003], regs: { 1: 0x0000f900 }, expect: { 0: 0xfffffff9 } },
  { asm: 'clz r0, r1', code: [0xfab1, 0xf081], regs: { 1: 0x00010000 }, expect: { 0: 15 } },
  { asm: 'rbit r0, r1', code: [0xfa91, 0xf0a1], regs: { 1: 0x00000001 }, expect: { 0: 0x80000000 } },
  { asm: 'umull r0, r1, r2, r3', code: [0xfba2, 0x0103], regs: { 2: 0xffffffff, 3: 0xffffffff }, expect: { 0: 1, 1: 0xfffffffe } },
  { asm: 'smull r0, r1, r2, r3', code: [0xfb82, 0x0103], regs: { 2: 0xffffffff, 3: 5 }, expect: { 0: 0xfffffffb, 1: 0xffffffff } },
  { asm: 'smlal r0, r1, r2, r3', code: [0xfbc2, 0x0103], regs: { 0: 0xffffffff, 1: 0, 2: 2, 3: 3 }, expect: { 0: 5, 1: 1 } },
  { asm: 'sdiv r0, r1, r2 (rounds toward zero)', code: [0xfb91, 0xf0f2], regs: { 1: -7 >>> 0, 2: 2 }, expect: { 0: -3 >>> 0 } },
  { asm: 'sdiv r0, r1, r2 (0x80000000 / -1)', code: [0xfb91, 0xf0f2], regs: { 1: 0x80000000, 2: 0xffffffff }, expect: { 0: 0x80000000 } },
  { asm: 'sdiv r0, r1, r2 (by zero, no trap: 0)', code: [0xfb91, 0xf0f2], regs: { 0: 99, 1: 5, 2: 0 }, expect: { 0: 0 } },
  { asm: 'ssat r0, #8, r1', code: [0xf301, 0x0007], regs: { 1: 1000 }, expect: { 0: 127 }, expectFlags: { q: 1 } },
  { asm: 'usat r0, #8, r1', code: [0xf381, 0x0008], regs: { 1: -5 >>> 0 }, expect: { 0: 0 }, expectFlags: { q: 1 } },
  { asm: 'mvn.w r0, r1, lsl #4', code: [0xea6f, 0x1001], regs: { 1: 0x0f }, expect: { 0: 0xffffff0f } },
];

for (const c of cases32) test(`32-bit: ${c.asm}`, () => void run(c));

test('32-bit loads and stores: pre/post-index writeback, register offset, LDRD, exclusives', () => {
  const m = machine();
  const cpu = m.cpu;
  m.load(thumb(0xf851, 0x0f04, 0xf851, 0x0904, 0xf851, 0x0022, 0xe9d1, 0x2302));
  for (let i = 0; i < 8; i++) m.bus.write32(RAM + 4 * i, 0x1000 + i);
  cpu.r[1] = RAM;
  m.steps(1); // ldr r0, [r1, #4]!
  assert.deepEqual([cpu.r[0], cpu.r[1]], [0x1001, RAM + 4]);
  m.steps(1); // ldr r0, [r1], #-4
  assert.deepEqual([cpu.r[0], cpu.r[1]], [0x1001, RAM]);
  cpu.r[2] = 3;
  m.steps(1); // ldr.w r0, [r1, r2, lsl #2]
  assert.equal(cpu.r[0], 0x1003);
  m.steps(1); // ldrd r2, r3, [r1, #8]
  assert.deepEqual([cpu.r[2], cpu.r[3]], [0x1002, 0x1003]);

  m.load(thumb(0xe851, 0x0f00, 0xe841, 0x0200, 0xe841, 0x0200)); // ldrex r0,[r1] ; strex r2,r0,[r1] ; strex again
  cpu.r[1] = RAM;
  m.steps(2);
  assert.equal(cpu.r[2], 0, 'strex after ldrex succeeds');
  m.steps(1);
  assert.equal(cpu.r[2], 1, 'a second strex fails: the monitor is open');
});

test('TBB branches by a byte table; LDM into PC interworks', () => {
  const m = machine();
  const cpu = m.cpu;
  m.load(thumb(0xe8d0, 0xf001)); // tbb [r0, r1]
  m.bus.write32(RAM, 0x04030201);
  cpu.r[0] = RAM;
  cpu.r[1] = 2;
  m.steps(1);
  assert.equal(cpu.pc, CODE + 4 + 2 * 3);

  m.load(thumb(0xe890, 0x8006)); // ldm.w r0, {r1, r2, pc}
  m.bus.write32(RAM, 7);
  m.bus.write32(RAM + 4, 8);
  m.bus.write32(RAM + 8, 0x601);
  cpu.r[0] = RAM;
  m.steps(1);
  assert.deepEqual([cpu.r[1], cpu.r[2], cpu.pc], [7, 8, 0x600]);
});

test('MRS APSR reads the flags; coprocessor instructions fault NOCP; VFP without FPU too', () => {
  const m = machine();
  m.load(thumb(0xf3ef, 0x8000)); // mrs r0, apsr
  m.cpu.n = 1;
  m.cpu.z = 0;
  m.cpu.v = 1;
  m.steps(1);
  assert.equal(m.cpu.r[0], 0x90000000);
  for (const code of [
    [0xee01, 0x0f10], // mcr p15, 0, r0, c1, c0, 0
    [0xee00, 0x0a10], // vmov s0, r0
  ]) {
    m.load(code);
    m.bus.write32(0xe000ed24, 1 << 18); // USGFAULTENA
    m.steps(1);
    assert.equal(m.cpu.ipsr, 6);
    assert.equal(m.bus.read32(0xe000ed28), 1 << 19, 'UFSR.NOCP');
  }
});

test('every UNDEFINED 16- and 32-bit encoding faults instead of throwing', () => {
  const m = machine();
  m.vector(3, 0x600);
  m.bus.load(0x600, new Uint8Array([0xfe, 0xe7])); // b .
  // a sample across the whole space; nothing may escape the simulator
  let faults = 0;
  for (let hw = 0; hw < 0x10000; hw += 7) {
    m.load(hw >= 0xe800 ? [hw, (hw * 31) & 0xffff] : [hw, 0xbf00]);
    m.cpu.r[13] = RAM + 0x8000;
    assert.doesNotThrow(() => m.cpu.step());
    if (m.cpu.ipsr === 3) faults++;
  }
  assert.ok(faults > 100, `${faults} of the sampled encodings faulted`);
});

test('the encoding lists: names and classes, DSP only when configured, patterns decode to themselves', () => {
  const all = allEncodings();
  assert.ok(all.length > 200, `${all.length} encodings`);
  const base = encodingsFor({ dsp: false });
  const dsp = encodingsFor({ dsp: true });
  assert.ok(dsp.length > base.length);
  assert.ok(base.every((e) => e.requires === undefined));
  // 'ADD (register) T3' style names; the decoder's choice for the pattern's own bits is the encoding
  const enc = decodeToEncoding(base, 0xeb000045, true);
  assert.equal(enc?.name, 'ADD (register) T3');
  assert.equal(decodeToEncoding(base, 0xbf30, false)?.name, 'WFI T1');
});
