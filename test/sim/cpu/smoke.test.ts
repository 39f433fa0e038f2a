import { test } from 'node:test';
import assert from 'node:assert/strict';
import { machine, thumb, CODE } from './harness.js';

test('reset loads SP and PC from the vector table; xPSR as QEMU shows it', () => {
  const m = machine();
  assert.equal(m.cpu.r[13], 0x20008000);
  assert.equal(m.cpu.pc, CODE);
  assert.equal(m.cpu.xpsr, 0x41000000);
  assert.equal(m.cpu.r[14], 0xffffffff);
});

test('a small loop: movs, adds, subs, bne', () => {
  const m = machine();
  // movs r0,#0 ; movs r1,#10 ; loop: adds r0,r0,r1 ; subs r1,#1 ; bne loop ; b .
  m.load(thumb(0x2000, 0x210a, 0x1840, 0x3901, 0xd1fc, 0xe7fe));
  m.steps(2 + 3 * 10 + 1);
  assert.equal(m.cpu.r[0], 55);
  assert.equal(m.cpu.r[1], 0);
  assert.equal(m.cpu.z, 1);
});
