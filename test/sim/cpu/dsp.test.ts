// Unit tests of the ARMv7E-M DSP encodings (src/sim/cpu/isa/dsp.ts), run on a minimal
// register file so they do not depend on the rest of the core. Each instruction word was
// produced by `arm-none-eabi-as -mcpu=cortex-m4 -mthumb` (the assembly is in the comment);
// the expected values were worked out by hand from the ARMv7-M ARM pseudocode.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dspEncodings, type DspCpu } from '../../../src/sim/cpu/isa/dsp.js';
import type { Encoding } from '../../../src/sim/cpu/isa/encoding.js';

interface FakeCpu extends DspCpu {
  undefinedCount: number;
}

function makeCpu(regs: Record<number, number>, ge = 0, q = 0): FakeCpu {
  const r = new Uint32Array(16);
  for (const [k, v] of Object.entries(regs)) r[Number(k)] = v >>> 0;
  const cpu: FakeCpu = {
    r, ge, q, undefinedCount: 0,
    undefined() { this.undefinedCount++; },
  };
  return cpu;
}

function compile(pattern: string): { mask: number; value: number; fixed: number } {
  const bits = pattern.replace(/ /g, '');
  let mask = 0, value = 0, fixed = 0;
  for (const ch of bits) {
    mask = (mask << 1) | (ch === 'x' ? 0 : 1);
    value = (value << 1) | (ch === '1' ? 1 : 0);
    if (ch !== 'x') fixed++;
  }
  return { mask: mask >>> 0, value: value >>> 0, fixed };
}

/** The decoder's rule: the matching pattern with the most fixed bits wins; it must be unique. */
function decode(insn: number): Encoding | undefined {
  let best: Encoding | undefined;
  let bestFixed = -1;
  let tie = false;
  for (const e of dspEncodings) {
    const p = compile(e.pattern);
    if (((insn & p.mask) >>> 0) !== p.value) continue;
    if (p.fixed > bestFixed) { best = e; bestFixed = p.fixed; tie = false; }
    else if (p.fixed === bestFixed) tie = true;
  }
  assert.ok(!tie, `ambiguous decode of ${insn.toString(16)}`);
  return best;
}

/** Runs one instruction given as 'hw1 hw2' hex (objdump's order) and returns the cpu. */
function run(hex: string, regs: Record<number, number>, ge = 0, q = 0, expectName?: string): FakeCpu {
  const [h1, h2] = hex.split(' ').map((h) => parseInt(h, 16));
  const insn = ((h1 << 16) | h2) >>> 0;
  const enc = decode(insn);
  assert.ok(enc, `no DSP encoding matches ${hex}`);
  if (expectName) assert.equal(enc.name, expectName);
  const cpu = makeCpu(regs, ge, q);
  enc.exec(cpu as never, insn);
  return cpu;
}

const hex = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');
function expectReg(cpu: FakeCpu, reg: number, value: number): void {
  assert.equal(hex(cpu.r[reg]), hex(value), `r${reg}`);
}

test('the table: every pattern has 32 bits, requires dsp, and names are unique', () => {
  const names = new Set<string>();
  for (const e of dspEncodings) {
    assert.equal(e.pattern.replace(/ /g, '').length, 32, e.name);
    assert.match(e.pattern.replace(/ /g, ''), /^[01x]{32}$/, e.name);
    assert.equal(e.requires, 'dsp', e.name);
    assert.ok(!names.has(e.name), `duplicate ${e.name}`);
    names.add(e.name);
  }
  // 36 parallel + 6 saturate + PKH + SEL + 8 extend + 13 multiply + 4 long
  assert.equal(dspEncodings.length, 36 + 6 + 2 + 8 + 13 + 4);
});

test('parallel add/subtract: signed and unsigned GE bits per lane', () => {
  // sadd16 r0, r1, r2: lo -32768 + -32768 = -65536 (GE[1:0] = 00), hi 0x7fff + 1 = 32768 (GE[3:2] = 11)
  let c = run('fa91 f002', { 1: 0x7fff8000, 2: 0x00018000 }, 0, 0, 'SADD16 T1');
  expectReg(c, 0, 0x80000000);
  assert.equal(c.ge, 0b1100);
  // uadd16 r0, r1, r2: lo carries out (GE[1:0] = 11), hi does not
  c = run('fa91 f042', { 1: 0x7fff8000, 2: 0x00018000 }, 0, 0, 'UADD16 T1');
  expectReg(c, 0, 0x80000000);
  assert.equal(c.ge, 0b0011);
  // sasx r3, r4, r5: lo = 3 - 7 = -4, hi = 5 + 2 = 7
  c = run('faa4 f305', { 4: 0x00050003, 5: 0x00070002 }, 0, 0, 'SASX T1');
  expectReg(c, 3, 0x0007fffc);
  assert.equal(c.ge, 0b1100);
  // ssax r3, r4, r5: lo = 3 + 7 = 10, hi = 5 - 2 = 3
  c = run('fae4 f305', { 4: 0x00050003, 5: 0x00070002 }, 0, 0, 'SSAX T1');
  expectReg(c, 3, 0x0003000a);
  assert.equal(c.ge, 0b1111);
  // ssub16 r3, r4, r5: lo = 3 - 2 = 1, hi = 5 - 7 = -2
  c = run('fad4 f305', { 4: 0x00050003, 5: 0x00070002 }, 0, 0, 'SSUB16 T1');
  expectReg(c, 3, 0xfffe0001);
  assert.equal(c.ge, 0b0011);
  // uasx r3, r4, r5: lo = 3 - 4 = -1 (GE 00), hi = 0xfff0 + 0x20 carries (GE 11)
  c = run('faa4 f345', { 4: 0xfff00003, 5: 0x00040020 }, 0, 0, 'UASX T1');
  expectReg(c, 3, 0x0010ffff);
  assert.equal(c.ge, 0b1100);
  // usax r3, r4, r5: lo = 3 + 0xfffe carries, hi = 0xfff0 - 0x20 >= 0
  c = run('fae4 f345', { 4: 0xfff00003, 5: 0xfffe0020 }, 0, 0, 'USAX T1');
  expectReg(c, 3, 0xffd00001);
  assert.equal(c.ge, 0b1111);
  // usub16 r3, r4, r5: lo 5 - 5 = 0 (GE 11), hi 1 - 2 borrows (GE 00)
  c = run('fad4 f345', { 4: 0x00010005, 5: 0x00020005 }, 0, 0, 'USUB16 T1');
  expectReg(c, 3, 0xffff0000);
  assert.equal(c.ge, 0b0011);
  // sadd8 r6, r7, r8: lanes 1+1, -1+-1, -128+-128, 127+1
  c = run('fa87 f608', { 7: 0x7f80ff01, 8: 0x0180ff01 }, 0, 0, 'SADD8 T1');
  expectReg(c, 6, 0x8000fe02);
  assert.equal(c.ge, 0b1001);
  // uadd8 r6, r7, r8: lanes 1 and 2 carry out
  c = run('fa87 f648', { 7: 0x7f80ff01, 8: 0x0180ff01 }, 0, 0, 'UADD8 T1');
  expectReg(c, 6, 0x8000fe02);
  assert.equal(c.ge, 0b0110);
  // usub8 r6, r7, r8: lanes 4-5, 3-3, 0x20-0x10, 0x10-0x20
  c = run('fac7 f648', { 7: 0x10200304, 8: 0x20100305 }, 0, 0, 'USUB8 T1');
  expectReg(c, 6, 0xf01000ff);
  assert.equal(c.ge, 0b0110);
  // ssub8 r6, r7, r8: lane 3 = -128 - 1 = -129 wraps to 0x7f and is negative (GE[3] = 0)
  c = run('fac7 f608', { 7: 0x80000000, 8: 0x01000000 }, 0, 0, 'SSUB8 T1');
  expectReg(c, 6, 0x7f000000);
  assert.equal(c.ge, 0b0111);
});

test('parallel add/subtract: saturating and halving forms leave GE and Q alone', () => {
  // qadd16 r0, r1, r2: lo saturates to -32768, hi to 32767
  let c = run('fa91 f012', { 1: 0x7fff8000, 2: 0x00018000 }, 0b0101, 0, 'QADD16 T1');
  expectReg(c, 0, 0x7fff8000);
  assert.equal(c.ge, 0b0101);
  assert.equal(c.q, 0);
  // shadd16 r0, r1, r2: (-65536) >> 1 and 32768 >> 1
  c = run('fa91 f022', { 1: 0x7fff8000, 2: 0x00018000 }, 0b0101, 0, 'SHADD16 T1');
  expectReg(c, 0, 0x40008000);
  assert.equal(c.ge, 0b0101);
  // uqadd16 r0, r1, r2: lo saturates to 0xffff
  c = run('fa91 f052', { 1: 0x7fff8000, 2: 0x00018000 }, 0, 0, 'UQADD16 T1');
  expectReg(c, 0, 0x8000ffff);
  // uhadd16 r0, r1, r2: the carry bit is kept by halving: 0x10000 >> 1
  c = run('fa91 f062', { 1: 0x7fff8000, 2: 0x00018000 }, 0, 0, 'UHADD16 T1');
  expectReg(c, 0, 0x40008000);
  // qsub8 r9, r10, r11: -128 - 1 saturates to -128
  c = run('faca f91b', { 10: 0x80000000, 11: 0x01000000 }, 0, 0, 'QSUB8 T1');
  expectReg(c, 9, 0x80000000);
  assert.equal(c.q, 0);
  // uqsub8 r9, r10, r11: negative lanes clamp to 0
  c = run('faca f95b', { 10: 0x10200304, 11: 0x20100305 }, 0, 0, 'UQSUB8 T1');
  expectReg(c, 9, 0x00100000);
  // uhsub16 r9, r10, r11: lo 0 - 1 = -1, diff<16:1> = 0xffff; hi (1 - 0) >> 1 = 0
  c = run('fada f96b', { 10: 0x00010000, 11: 0x00000001 }, 0, 0, 'UHSUB16 T1');
  expectReg(c, 9, 0x0000ffff);
  // shsub8 r9, r10, r11: (-128 - 127) >> 1 = -128
  c = run('faca f92b', { 10: 0x00000080, 11: 0x0000007f }, 0, 0, 'SHSUB8 T1');
  expectReg(c, 9, 0x00000080);
  // qasx r0, r1, r2: lo = -32768 - 1 -> -32768, hi = 32767 + 1 -> 32767
  c = run('faa1 f012', { 1: 0x7fff8000, 2: 0x00010001 }, 0, 0, 'QASX T1');
  expectReg(c, 0, 0x7fff8000);
  // uqsax r0, r1, r2: lo = 0xfff0 + 0x20 -> 0xffff, hi = 1 - 2 -> 0
  c = run('fae1 f052', { 1: 0x0001fff0, 2: 0x00200002 }, 0, 0, 'UQSAX T1');
  expectReg(c, 0, 0x0000ffff);
});

test('QADD, QSUB, QDADD, QDSUB saturate at 0x80000000/0x7fffffff and set Q', () => {
  // qadd r0, r1, r2 (= sat(r1 + r2))
  let c = run('fa82 f081', { 1: 0x7fffffff, 2: 1 }, 0, 0, 'QADD T1');
  expectReg(c, 0, 0x7fffffff);
  assert.equal(c.q, 1);
  c = run('fa82 f081', { 1: 0x80000000, 2: 0xffffffff });
  expectReg(c, 0, 0x80000000);
  assert.equal(c.q, 1);
  c = run('fa82 f081', { 1: 5, 2: 7 });
  expectReg(c, 0, 12);
  assert.equal(c.q, 0);
  // qsub r0, r1, r2 (= sat(r1 - r2))
  c = run('fa82 f0a1', { 1: 0x80000000, 2: 1 }, 0, 0, 'QSUB T1');
  expectReg(c, 0, 0x80000000);
  assert.equal(c.q, 1);
  c = run('fa82 f0a1', { 1: 0, 2: 0x80000000 });
  expectReg(c, 0, 0x7fffffff);
  assert.equal(c.q, 1);
  // qdadd r0, r1, r2 (= sat(r1 + sat(2 * r2))): the doubling alone saturates and sets Q
  c = run('fa82 f091', { 1: 0xffffffff, 2: 0x40000000 }, 0, 0, 'QDADD T1');
  expectReg(c, 0, 0x7ffffffe);
  assert.equal(c.q, 1);
  // qdsub r0, r1, r2: 2 * -2^30 = -2^31 fits; 0 - (-2^31) saturates
  c = run('fa82 f0b1', { 1: 0, 2: 0xc0000000 }, 0, 0, 'QDSUB T1');
  expectReg(c, 0, 0x7fffffff);
  assert.equal(c.q, 1);
  c = run('fa82 f0b1', { 1: 10, 2: 3 });
  expectReg(c, 0, 4);
  assert.equal(c.q, 0);
  // Q is sticky: a non-saturating QADD does not clear it
  c = run('fa82 f081', { 1: 5, 2: 7 }, 0, 1);
  assert.equal(c.q, 1);
});

test('SSAT16 and USAT16 saturate each halfword', () => {
  // ssat16 r0, #8, r1: hi 256 -> 127, lo -256 -> -128
  let c = run('f321 0007', { 1: 0x0100ff00 }, 0, 0, 'SSAT16 T1');
  expectReg(c, 0, 0x007fff80);
  assert.equal(c.q, 1);
  // ssat16 r0, #16, r1: nothing to clip
  c = run('f321 000f', { 1: 0x80007fff });
  expectReg(c, 0, 0x80007fff);
  assert.equal(c.q, 0);
  // usat16 r0, #15, r1: hi -32768 -> 0, lo 32767 fits in 15 bits
  c = run('f3a1 000f', { 1: 0x80007fff }, 0, 0, 'USAT16 T1');
  expectReg(c, 0, 0x00007fff);
  assert.equal(c.q, 1);
  // usat16 r0, #0, r1: everything non-zero clips to 0
  c = run('f3a1 0000', { 1: 0x00010000 });
  expectReg(c, 0, 0);
  assert.equal(c.q, 1);
});

test('SEL picks bytes by GE, USAD8/USADA8 sum absolute differences', () => {
  // sel r0, r1, r2 with GE = 0101: bytes 0 and 2 from r1
  let c = run('faa1 f082', { 1: 0x11223344, 2: 0xaabbccdd }, 0b0101, 0, 'SEL T1');
  expectReg(c, 0, 0xaa22cc44);
  // usad8 r0, r1, r2: |0x01-0xff| + |0xff-0x00| + |0x10-0x20| + 0 = 525
  c = run('fb71 f002', { 1: 0x01ff1080, 2: 0xff002080 }, 0, 0, 'USAD8 T1');
  expectReg(c, 0, 525);
  // usada8 r0, r1, r2, r3: the accumulate wraps modulo 2^32
  c = run('fb71 3002', { 1: 0x01ff1080, 2: 0xff002080, 3: 0xffffffff }, 0, 0, 'USADA8 T1');
  expectReg(c, 0, 524);
});

test('PKHBT and PKHTB, including ASR #32', () => {
  // pkhbt r0, r1, r2, lsl #8
  let c = run('eac1 2002', { 1: 0x11112222, 2: 0x00abcdef }, 0, 0, 'PKHBT, PKHTB T1');
  expectReg(c, 0, 0xabcd2222);
  // pkhbt r0, r1, r2
  c = run('eac1 0002', { 1: 0x11112222, 2: 0x00abcdef });
  expectReg(c, 0, 0x00ab2222);
  // pkhtb r0, r1, r2, asr #16
  c = run('eac1 4022', { 1: 0x11112222, 2: 0x80001234 });
  expectReg(c, 0, 0x11118000);
  // pkhtb r0, r1, r2, asr #32 (imm 0): the bottom half is all sign bits
  c = run('eac1 0022', { 1: 0x11112222, 2: 0x80001234 });
  expectReg(c, 0, 0x1111ffff);
  c = run('eac1 0022', { 1: 0x11112222, 2: 0x7fffffff });
  expectReg(c, 0, 0x11110000);
});

test('extend and add with rotation, SXTB16/UXTB16', () => {
  // sxtab r0, r1, r2: 0x100 + (-128)
  let c = run('fa41 f082', { 1: 0x100, 2: 0x80 }, 0, 0, 'SXTAB T1');
  expectReg(c, 0, 0x80);
  // sxtab r0, r1, r2, ror #8: byte 1 = 0xff = -1
  c = run('fa41 f092', { 1: 0x100, 2: 0xff00 });
  expectReg(c, 0, 0xff);
  // sxtah r0, r1, r2, ror #16
  c = run('fa01 f0a2', { 1: 0, 2: 0x80000000 }, 0, 0, 'SXTAH T1');
  expectReg(c, 0, 0xffff8000);
  // sxtab16 r0, r1, r2, ror #24: rotated = 0x007f0080; lo 1 - 128, hi 1 + 127
  c = run('fa21 f0b2', { 1: 0x00010001, 2: 0x80007f00 }, 0, 0, 'SXTAB16 T1');
  expectReg(c, 0, 0x0080ff81);
  // uxtab r0, r1, r2, ror #8: 0xffffffff + 0xff wraps
  c = run('fa51 f092', { 1: 0xffffffff, 2: 0xff00 }, 0, 0, 'UXTAB T1');
  expectReg(c, 0, 0xfe);
  // uxtah r0, r1, r2
  c = run('fa11 f082', { 1: 1, 2: 0x1234ffff }, 0, 0, 'UXTAH T1');
  expectReg(c, 0, 0x10000);
  // uxtab16 r0, r1, r2: each halfword adds separately (no carry between them)
  c = run('fa31 f082', { 1: 0xffff0001, 2: 0x00800080 }, 0, 0, 'UXTAB16 T1');
  expectReg(c, 0, 0x007f0081);
  // sxtb16 r0, r2, ror #8: rotated = 0x0080ff7f
  c = run('fa2f f092', { 2: 0x80ff7f00 }, 0, 0, 'SXTB16 T1');
  expectReg(c, 0, 0xff80007f);
  // uxtb16 r0, r2
  c = run('fa3f f082', { 2: 0x80ff7f00 }, 0, 0, 'UXTB16 T1');
  expectReg(c, 0, 0x00ff0000);
  // plain sxtb r0, r2 is SXTAB with Rn = 1111: the base table's SXTB T2 fixes Rn and so
  // wins in the full decoder; here the DSP table alone only has the general pattern.
  assert.equal(decode(0xfa4ff082)?.name, 'SXTAB T1');
});

test('SMLA<x><y>, SMUL<x><y>: halves, Q on accumulate overflow', () => {
  // smlabb r0, r1, r2, r3: 2^30 + 2^30 overflows
  let c = run('fb11 3002', { 1: 0x8000, 2: 0x8000, 3: 0x40000000 }, 0, 0, 'SMLA<x><y> T1');
  expectReg(c, 0, 0x80000000);
  assert.equal(c.q, 1);
  // smlatb r0, r1, r2, r3: -2 * 3 + 10
  c = run('fb11 3022', { 1: 0xfffe0000, 2: 3, 3: 10 });
  expectReg(c, 0, 4);
  assert.equal(c.q, 0);
  // smlabt r0, r1, r2, r3: 5 * 7
  c = run('fb11 3012', { 1: 5, 2: 0x00070000, 3: 0 });
  expectReg(c, 0, 35);
  // smlatt r0, r1, r2, r3: -32768 * 32767 - 1
  c = run('fb11 3032', { 1: 0x80000000, 2: 0x7fff0000, 3: 0xffffffff });
  expectReg(c, 0, 0xc0007fff);
  // smulbb r0, r1, r2: 0x8000 * 0x8000 = 2^30, no Q
  c = run('fb11 f002', { 1: 0x8000, 2: 0x8000 }, 0, 0, 'SMUL<x><y> T1');
  expectReg(c, 0, 0x40000000);
  assert.equal(c.q, 0);
  // smultt r0, r1, r2: -1 * 5
  c = run('fb11 f032', { 1: 0xffff0000, 2: 0x00050000 });
  expectReg(c, 0, 0xfffffffb);
});

test('SMLAW<y>, SMULW<y>: bits [47:16] of the 48-bit result', () => {
  // smlawb r0, r1, r2, r3: 65536 * 3 >> 16 + 5
  let c = run('fb31 3002', { 1: 0x10000, 2: 3, 3: 5 }, 0, 0, 'SMLAW<y> T1');
  expectReg(c, 0, 8);
  // smlawb: -2^31 * -32768 = 2^46, >> 16 = 2^30, + 2^30 overflows
  c = run('fb31 3002', { 1: 0x80000000, 2: 0x8000, 3: 0x40000000 });
  expectReg(c, 0, 0x80000000);
  assert.equal(c.q, 1);
  // smlawt r0, r1, r2, r3: -1 * 1 = -1, floor(-1 / 65536) = -1
  c = run('fb31 3012', { 1: 0xffffffff, 2: 0x00010000, 3: 0 });
  expectReg(c, 0, 0xffffffff);
  assert.equal(c.q, 0);
  // smulwb r0, r1, r2
  c = run('fb31 f002', { 1: 0x12345678, 2: 0x100 }, 0, 0, 'SMULW<y> T1');
  expectReg(c, 0, 0x00123456);
  // smulwt r0, r1, r2: -2^31 * -32768 >> 16 = 2^30
  c = run('fb31 f012', { 1: 0x80000000, 2: 0x80000000 });
  expectReg(c, 0, 0x40000000);
  assert.equal(c.q, 0);
});

test('SMLAD(X), SMUAD(X), SMLSD(X), SMUSD(X)', () => {
  const regs = { 1: 0x00020003, 2: 0x00040005, 3: 100 };
  expectReg(run('fb21 3002', regs, 0, 0, 'SMLAD T1'), 0, 3 * 5 + 2 * 4 + 100); // smlad
  expectReg(run('fb21 3012', regs), 0, 3 * 4 + 2 * 5 + 100); // smladx
  expectReg(run('fb21 f012', regs, 0, 0, 'SMUAD T1'), 0, 22); // smuadx
  expectReg(run('fb41 3002', regs, 0, 0, 'SMLSD T1'), 0, 15 - 8 + 100); // smlsd
  expectReg(run('fb41 3012', regs), 0, 12 - 10 + 100); // smlsdx
  expectReg(run('fb41 f002', regs, 0, 0, 'SMUSD T1'), 0, 7); // smusd
  expectReg(run('fb41 f012', regs), 0, 2); // smusdx
  // smusd r0, r1, r2: 1*1 - 3*3 = -8
  expectReg(run('fb41 f002', { 1: 0x00030001, 2: 0x00030001 }), 0, 0xfffffff8);
  // smuad r0, r1, r2: 2^30 + 2^30 overflows: Q set
  let c = run('fb21 f002', { 1: 0x80008000, 2: 0x80008000 });
  expectReg(c, 0, 0x80000000);
  assert.equal(c.q, 1);
  // smlsd r0, r1, r2, r3: 2^30 - 0 + 2^30 overflows
  c = run('fb41 3002', { 1: 0x00018000, 2: 0x00008000, 3: 0x40000000 });
  expectReg(c, 0, 0x80000000);
  assert.equal(c.q, 1);
});

test('SMMUL(R), SMMLA(R), SMMLS(R): top word and rounding', () => {
  // smmul r0, r1, r2: 2^30 * 2^30 = 2^60, top word 2^28
  expectReg(run('fb51 f002', { 1: 0x40000000, 2: 0x40000000 }, 0, 0, 'SMMUL T1'), 0, 0x10000000);
  // product 0x00000000_80000000: SMMUL truncates to 0, SMMULR rounds up to 1
  expectReg(run('fb51 f002', { 1: 0x10000, 2: 0x8000 }), 0, 0);
  expectReg(run('fb51 f012', { 1: 0x10000, 2: 0x8000 }), 0, 1);
  // product -1 = 0xffffffff_ffffffff: SMMUL gives -1, SMMULR rounds to 0
  expectReg(run('fb51 f002', { 1: 0xffffffff, 2: 1 }), 0, 0xffffffff);
  expectReg(run('fb51 f012', { 1: 0xffffffff, 2: 1 }), 0, 0);
  // product 0x7fffffff_7fffffff... : -2^31 * -2^31 = 2^62
  expectReg(run('fb51 f002', { 1: 0x80000000, 2: 0x80000000 }), 0, 0x40000000);
  // smmla r0, r1, r2, r3 and smmlar
  expectReg(run('fb51 3002', { 1: 0x40000000, 2: 0x40000000, 3: 5 }, 0, 0, 'SMMLA T1'), 0, 0x10000005);
  expectReg(run('fb51 3012', { 1: 0x10000, 2: 0x8000, 3: 7 }), 0, 8);
  // smmls r0, r1, r2, r3: (1 << 32) - 1 = 0x00000000_ffffffff; smmlsr rounds to 1
  expectReg(run('fb61 3002', { 1: 1, 2: 1, 3: 1 }, 0, 0, 'SMMLS T1'), 0, 0);
  expectReg(run('fb61 3012', { 1: 1, 2: 1, 3: 1 }), 0, 1);
  // smmls: 0 - 2^62 -> top word -2^30
  expectReg(run('fb61 3002', { 1: 0x80000000, 2: 0x80000000, 3: 0 }), 0, 0xc0000000);
  // the exact 64-bit product matters: 0x7fffffff^2 = 0x3fffffff_00000001
  expectReg(run('fb51 f002', { 1: 0x7fffffff, 2: 0x7fffffff }), 0, 0x3fffffff);
  // -0x7fffffff * 0x7fffffff = 0xc0000000_ffffffff
  expectReg(run('fb51 f002', { 1: 0x80000001, 2: 0x7fffffff }), 0, 0xc0000000);
});

test('SMLAL<x><y>, SMLALD(X), SMLSLD(X), UMAAL: 64-bit accumulation', () => {
  // smlalbb r0, r1, r2, r3 (RdLo r0, RdHi r1): 0xffffffff + 6 carries into RdHi
  let c = run('fbc2 0183', { 0: 0xffffffff, 1: 0, 2: 2, 3: 3 }, 0, 0, 'SMLAL<x><y> T1');
  expectReg(c, 0, 5);
  expectReg(c, 1, 1);
  // smlaltt r0, r1, r2, r3: -1 * 2 sign-extends into RdHi
  c = run('fbc2 01b3', { 0: 0, 1: 0, 2: 0xffff0000, 3: 0x00020000 });
  expectReg(c, 0, 0xfffffffe);
  expectReg(c, 1, 0xffffffff);
  // smlaltb: top of r2 (3) times bottom of r3 (5)
  c = run('fbc2 01a3', { 0: 0, 1: 0, 2: 0x00030007, 3: 0x00110005 });
  expectReg(c, 0, 15);
  // smlalbt: bottom of r2 (7) times top of r3 (0x11)
  c = run('fbc2 0193', { 0: 0, 1: 0, 2: 0x00030007, 3: 0x00110005 });
  expectReg(c, 0, 7 * 0x11);
  // smlald r0, r1, r2, r3: 0x7fffffff_ffffffff + 2^31 wraps the sign, no Q
  c = run('fbc2 01c3', { 0: 0xffffffff, 1: 0x7fffffff, 2: 0x80008000, 3: 0x80008000 }, 0, 0, 'SMLALD T1');
  expectReg(c, 0, 0x7fffffff);
  expectReg(c, 1, 0x80000000);
  assert.equal(c.q, 0);
  // smlaldx: 3*4 + 2*5
  c = run('fbc2 01d3', { 0: 0, 1: 0, 2: 0x00020003, 3: 0x00040005 });
  expectReg(c, 0, 22);
  // smlsld r0, r1, r2, r3: 1*1 - 3*3 = -8
  c = run('fbd2 01c3', { 0: 0, 1: 0, 2: 0x00030001, 3: 0x00030001 }, 0, 0, 'SMLSLD T1');
  expectReg(c, 0, 0xfffffff8);
  expectReg(c, 1, 0xffffffff);
  // smlsldx: 3*4 - 2*5 added to 0x00000001_fffffffe
  c = run('fbd2 01d3', { 0: 0xfffffffe, 1: 1, 2: 0x00020003, 3: 0x00040005 });
  expectReg(c, 0, 0);
  expectReg(c, 1, 2);
  // umaal r0, r1, r2, r3: (2^32-1)^2 + 2 (2^32-1) = 2^64 - 1 exactly
  c = run('fbe2 0163', { 0: 0xffffffff, 1: 0xffffffff, 2: 0xffffffff, 3: 0xffffffff }, 0, 0, 'UMAAL T1');
  expectReg(c, 0, 0xffffffff);
  expectReg(c, 1, 0xffffffff);
  c = run('fbe2 0163', { 0: 1, 1: 2, 2: 3, 3: 4 });
  expectReg(c, 0, 15);
  expectReg(c, 1, 0);
});

test('UNPREDICTABLE register choices are UNDEFINED and change nothing', () => {
  // sadd16 sp, r1, r2
  let c = run('fa91 fd02', { 1: 1, 2: 2, 13: 0x20001000 });
  assert.equal(c.undefinedCount, 1);
  expectReg(c, 13, 0x20001000);
  // smlalbb with RdLo == RdHi
  c = run('fbc2 0083', { 2: 2, 3: 3 });
  assert.equal(c.undefinedCount, 1);
  // smmls with Ra == PC (there is no SMMLS-without-accumulate)
  c = run('fb61 f002', { 1: 1, 2: 2 });
  assert.equal(c.undefinedCount, 1);
  // sxtab r0, sp, r2
  c = run('fa4d f082', { 2: 2 });
  assert.equal(c.undefinedCount, 1);
  // usada8 r0, r1, r2, sp
  c = run('fb71 d002', { 1: 1, 2: 2 });
  assert.equal(c.undefinedCount, 1);
});
