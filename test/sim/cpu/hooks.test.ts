// The core's hooks for the debug unit and the board: debugHook (halt before an instruction),
// bkptHook (semihosting / debug halt on BKPT), watchHook (data accesses), and the
// semihosting exit request.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StopReason } from '../../../src/sim/cpu/cpu.js';
import { machine, thumb, CODE, RAM } from './harness.js';

const ADDS_R0_1 = 0x3001; // adds r0, #1
const B_BACK = 0xe7fd; // b .-2 (back to the adds)

test('debugHook sees every instruction address and halts before the one it returns true for', () => {
  const m = machine();
  m.load(thumb(ADDS_R0_1, B_BACK));
  const seen: number[] = [];
  m.cpu.debugHook = (pc) => {
    seen.push(pc);
    return seen.length === 5;
  };
  assert.equal(m.cpu.run(100), StopReason.Halted);
  assert.deepEqual(seen, [CODE, CODE + 2, CODE, CODE + 2, CODE]);
  assert.equal(m.cpu.r[0], 2, 'the fifth instruction did not execute');
  assert.equal(m.cpu.pc, CODE);
  // resuming: clear halted and the hook, the core continues from the same place
  m.cpu.halted = false;
  m.cpu.debugHook = null;
  m.cpu.run(4);
  assert.equal(m.cpu.r[0], 4);
});

test('debugHook is called at the first instruction of a handler after an exception entry', () => {
  const m = machine();
  m.vector(11, 0x400);
  m.bus.load(0x400, new Uint8Array([0xfe, 0xe7])); // b .
  m.load(thumb(0xdf00)); // svc #0
  const seen: [number, number][] = [];
  m.cpu.debugHook = (pc) => {
    seen.push([pc, m.cpu.ipsr]);
    return seen.length === 2;
  };
  m.cpu.run(10);
  assert.deepEqual(seen, [
    [CODE, 0],
    [0x400, 11],
  ]);
});

test('BKPT: a hook that handles it (semihosting) continues after it; none means HardFault DEBUGEVT', () => {
  const m = machine();
  m.load(thumb(0xbeab, ADDS_R0_1, B_BACK)); // bkpt 0xab ; adds ; b
  const imms: number[] = [];
  m.cpu.bkptHook = (imm) => {
    imms.push(imm);
    return true;
  };
  m.cpu.step();
  assert.deepEqual(imms, [0xab]);
  assert.equal(m.cpu.pc, CODE + 2);

  m.cpu.bkptHook = (imm) => {
    // a debugger halts on it: the PC stays at the BKPT
    m.cpu.halted = imm === 1;
    return imm === 1;
  };
  m.load(thumb(0xbe01));
  assert.equal(m.cpu.step(), StopReason.Halted);
  assert.equal(m.cpu.pc, CODE);

  m.vector(3, 0x400);
  m.bus.load(0x400, new Uint8Array([0xfe, 0xe7]));
  m.cpu.bkptHook = null;
  m.cpu.halted = false; // debug state survives a core reset; the debugger resumes
  m.load(thumb(0xbe07));
  m.cpu.step();
  assert.equal(m.cpu.ipsr, 3);
  assert.equal(m.bus.read32(0xe000ed2c) >>> 0, 0x80000000, 'HFSR.DEBUGEVT');
});

test('watchHook reports every data access of an instruction with address, size, direction and value', () => {
  const m = machine();
  m.load(thumb(0x6001, 0x8842, 0xbf00)); // str r1, [r0] ; ldrh r2, [r0, #2] ; nop
  m.cpu.r[0] = RAM + 0x40;
  m.cpu.r[1] = 0xdeadbeef;
  const log: string[] = [];
  m.cpu.watchHook = (addr, size, write, value) => void log.push(`${write ? 'w' : 'r'}${size} ${addr.toString(16)} ${value.toString(16)}`);
  m.cpu.run(3);
  assert.deepEqual(log, [`w4 ${(RAM + 0x40).toString(16)} deadbeef`, `r2 ${(RAM + 0x42).toString(16)} dead`]);
  assert.equal(m.cpu.r[2], 0xdead);
});

test('a semihosting exit request stops run() with StopReason.Exit', () => {
  const m = machine();
  m.load(thumb(0xbeab, B_BACK));
  m.cpu.bkptHook = () => {
    m.cpu.exitCode = 3;
    m.cpu.exitRequested = true;
    m.cpu.attention = true;
    return true;
  };
  assert.equal(m.cpu.run(100), StopReason.Exit);
  assert.equal(m.cpu.exitCode, 3);
  assert.equal(m.cpu.step(), StopReason.Exit, 'and stays stopped');
});

test('unprivileged SCS access: precise BusFault, handler returns; accesses from outside still reach the SCS', () => {
  const m = machine();
  // BusFault handler: skip the faulting 16-bit LDR and return (ldr r0,[sp,#24]; adds r0,#2;
  // str r0,[sp,#24]; bx lr)
  m.load(thumb(0x2001, 0xf3808814, 0xf3bf8f6f, 0xf64e5100, 0xf2ce0100, 0x680a, 0xe7fe));
  m.bus.load(0x200, Uint8Array.of(0x06, 0x98, 0x02, 0x30, 0x06, 0x90, 0x70, 0x47));
  m.vector(5, 0x200);
  m.bus.write32(0xe000ed24, 1 << 17); // SHCSR.BUSFAULTENA
  // drop privilege, read CPUID unprivileged (a precise BusFault), return to the `b .`
  m.steps(12);
  assert.equal(m.cpu.readCoreReg(16) & 0x1ff, 0, 'back in Thread mode');
  assert.equal(m.cpu.pc, CODE + 0x14, 'at the b . after the faulting load');
  assert.ok(m.bus.read32(0xe000ed28) & (1 << 9), 'CFSR.PRECISERR');
  // Unprivileged Thread code is current; an access from outside (the AHB-AP) is not a core
  // access and must reach the SCS.
  assert.equal(m.bus.read32(0xe000ed00), 0x412fc231);
});
