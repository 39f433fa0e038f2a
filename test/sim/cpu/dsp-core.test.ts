// The DSP encodings inside the whole core: decoded and executed on a Cortex-M4 board
// (mps2-an386), and UNDEFINED on the Cortex-M3 (mps2-an385), which has no DSP extension.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBoard, type Board } from '../../../src/sim/boards/index.js';

const CODE = 0x100;
const CFSR = 0xe000ed28;
const UNDEFINSTR = 1 << 16;

/** A board whose reset vector points at `halfwords` placed at CODE. */
function boardWith(name: string, halfwords: number[]): Board {
  const b = createBoard(name);
  const image = new Uint8Array(CODE + 2 * halfwords.length);
  const view = new DataView(image.buffer);
  view.setUint32(0, 0x20008000, true);
  view.setUint32(4, CODE | 1, true);
  halfwords.forEach((h, k) => view.setUint16(CODE + 2 * k, h, true));
  b.bus.load(0, image);
  b.reset();
  return b;
}

// sadd16 r0, r1, r2 ; smmulr r3, r4, r5 ; qadd r6, r7, r8 ; sel r9, r10, r11
const PROGRAM = [0xfa91, 0xf002, 0xfb54, 0xf315, 0xfa88, 0xf687, 0xfaaa, 0xf98b];

test('DSP instructions execute on the Cortex-M4 core (decoder, flags in xPSR)', () => {
  const b = boardWith('mps2-an386', PROGRAM);
  const { cpu } = b;
  cpu.r[1] = 0x7fff8000;
  cpu.r[2] = 0x00018000;
  cpu.r[4] = 0xffffffff;
  cpu.r[5] = 1;
  cpu.r[7] = 0x7fffffff;
  cpu.r[8] = 1;
  cpu.r[10] = 0x11223344;
  cpu.r[11] = 0xaabbccdd;
  for (let k = 0; k < 4; k++) cpu.step();
  assert.equal(cpu.xpsr & 0x1ff, 0, 'no exception');
  assert.equal(cpu.r[0], 0x80000000); // lanes -65536 (wraps to 0) and 32768
  assert.equal(cpu.r[3], 0); // SMMULR rounds -1 up to 0
  assert.equal(cpu.r[6], 0x7fffffff);
  assert.equal((cpu.xpsr >>> 27) & 1, 1, 'Q set by QADD');
  assert.equal((cpu.xpsr >>> 16) & 15, 0b1100, 'GE from SADD16');
  assert.equal(cpu.r[9], 0x1122ccdd); // SEL with GE = 1100: bytes 2, 3 from r10
  assert.equal(cpu.pc, CODE + 16);
});

test('DSP instructions are UNDEFINED on the Cortex-M3 core', () => {
  const b = boardWith('mps2-an385', PROGRAM);
  b.cpu.step(); // SADD16 raises UsageFault, escalated to HardFault (UsageFault disabled)
  b.cpu.step(); // the exception entry, if the core counts it as a step of its own
  assert.notEqual(b.cpu.xpsr & 0x1ff, 0, 'an exception is active');
  assert.ok(b.bus.read32(CFSR) & UNDEFINSTR, 'CFSR.UNDEFINSTR');
  assert.equal(b.cpu.r[0], 0);
});
