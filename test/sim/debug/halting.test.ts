// The halting debug registers and the FPB/DWT units, driven through the bus as the
// AHB-AP would (with the debugger flag) and as software would (without it).
import test from 'node:test';
import assert from 'node:assert/strict';
import { createBoard } from '../../../src/sim/boards/index.js';
import { attachDebug } from '../../../src/sim/debug/debug-system.js';

const DHCSR = 0xe000edf0, DCRSR = 0xe000edf4, DCRDR = 0xe000edf8, DEMCR = 0xe000edfc, DFSR = 0xe000ed30;
const KEY = 0xa05f0000;

function setup(name = 'mps2-an385') {
  const board = createBoard(name);
  const dbg = attachDebug(board);
  // a tiny program at 0x0: SP, reset vector, then `movs r0,#1; movs r0,#2; b .` at 0x100
  board.bus.write32(0, 0x20001000);
  board.bus.write32(4, 0x101);
  board.bus.write32(0x100, 0x20022001);
  board.bus.write16(0x104, 0xe7fe);
  board.reset();
  const dap = <T>(f: () => T): T => {
    dbg.master.fromDebugger = true;
    try {
      return f();
    } finally {
      dbg.master.fromDebugger = false;
    }
  };
  return { board, dbg, bus: board.bus, cpu: board.cpu, dap };
}

test('DHCSR: writes need DBGKEY; only the debugger sets C_DEBUGEN; S_RESET_ST clears on read', () => {
  const { bus, dap } = setup();
  assert.ok(bus.read32(DHCSR) & (1 << 25), 'S_RESET_ST after the reset');
  assert.equal(bus.read32(DHCSR) & (1 << 25), 0, 'cleared by the read');
  bus.write32(DHCSR, KEY | 3); // software: C_DEBUGEN ignored, and C_HALT means nothing without it
  assert.equal(bus.read32(DHCSR) & 3, 0);
  dap(() => bus.write32(DHCSR, 0x00000003)); // no key
  assert.equal(bus.read32(DHCSR) & 3, 0);
  dap(() => bus.write32(DHCSR, KEY | 3));
  const v = bus.read32(DHCSR);
  assert.equal(v & 0x00030003, 0x00030003, 'C_DEBUGEN, C_HALT, S_HALT, S_REGRDY');
  assert.equal(bus.read32(DFSR) & 1, 1, 'DFSR.HALTED');
});

test('DCRSR/DCRDR read and write core registers; C_STEP executes one instruction', () => {
  const { bus, dap, cpu } = setup();
  dap(() => bus.write32(DHCSR, KEY | 3));
  bus.write32(DCRSR, 15);
  assert.equal(bus.read32(DCRDR), 0x100);
  bus.write32(DCRDR, 0x1234);
  bus.write32(DCRSR, 0x10000 | 5);
  assert.equal(cpu.r[5], 0x1234);
  dap(() => bus.write32(DHCSR, KEY | 1 | 4)); // step
  cpu.run(1000);
  assert.ok(cpu.halted);
  assert.equal(cpu.pc, 0x102);
  assert.equal(cpu.r[0], 1);
  assert.equal(bus.read32(DFSR) & 1, 1);
});

test('FPB v1 breakpoint (REPLACE selects the halfword) halts with DFSR.BKPT; v2 on the M7', () => {
  for (const [name, comp] of [['mps2-an385', 0x80000101], ['mps2-an500', 0x00000103]] as const) {
    const { bus, dap, cpu } = setup(name);
    dap(() => bus.write32(DHCSR, KEY | 1));
    bus.write32(0xe0002008, comp); // breakpoint at 0x102
    bus.write32(0xe0002000, 3); // KEY | ENABLE
    assert.equal(bus.read32(0xe0002000) >>> 28, name === 'mps2-an500' ? 1 : 0, 'FP_CTRL.REV');
    cpu.run(1000);
    assert.ok(cpu.halted, name);
    assert.equal(cpu.pc, 0x102);
    assert.equal(bus.read32(DFSR) & 2, 2);
  }
});

test('DWT: a write watchpoint sets MATCHED and halts after the access; MATCHED clears on read; CYCCNT counts', () => {
  const { board, bus, dap, cpu } = setup();
  // str r0, [r1] ; b .   at 0x100 with r1 = 0x20000010
  bus.write16(0x100, 0x6008);
  bus.write16(0x102, 0xe7fe);
  board.reset();
  cpu.r[1] = 0x20000010;
  cpu.r[0] = 7;
  dap(() => bus.write32(DHCSR, KEY | 1));
  bus.write32(DEMCR, 1 << 24); // TRCENA
  bus.write32(0xe0001020, 0x20000010);
  bus.write32(0xe0001024, 2); // 4 bytes
  bus.write32(0xe0001028, 6); // write
  bus.write32(0xe0001000, 1); // CYCCNTENA
  cpu.run(1000);
  assert.ok(cpu.halted);
  assert.equal(cpu.pc, 0x102, 'stopped after the store');
  assert.equal(bus.read32(0x20000010), 7);
  assert.equal(bus.read32(DFSR) & 4, 4, 'DWTTRAP');
  assert.ok(bus.read32(0xe0001028) & (1 << 24), 'MATCHED');
  assert.equal(bus.read32(0xe0001028) & (1 << 24), 0, 'cleared by the read');
  assert.ok(bus.read32(0xe0001004) >= 1, 'CYCCNT counted');
});

test('vector catch: VC_CORERESET halts at the reset vector, VC_HARDERR on a HardFault', () => {
  const { board, bus, dap, cpu } = setup();
  dap(() => bus.write32(DHCSR, KEY | 1));
  bus.write32(DEMCR, 1 | (1 << 10));
  board.reset();
  assert.ok(cpu.halted);
  assert.equal(cpu.pc, 0x100);
  assert.equal(bus.read32(DFSR) & 8, 8, 'VCATCH');
  // make the program fault: udf at 0x100, HardFault handler at 0x200
  bus.write16(0x100, 0xde00);
  bus.write32(12, 0x201);
  bus.write16(0x200, 0xe7fe);
  bus.write32(DFSR, 0x1f);
  dap(() => bus.write32(DHCSR, KEY | 1)); // resume
  cpu.run(1000);
  assert.ok(cpu.halted);
  assert.equal(cpu.pc, 0x200);
  assert.equal(cpu.ipsr, 3);
  assert.equal(bus.read32(DFSR) & 8, 8);
});

test('BKPT halts when C_DEBUGEN is set; ROM table and component IDs are on the bus', () => {
  const { board, bus, dap, cpu } = setup('mps2-an386');
  bus.write16(0x100, 0xbe05);
  board.reset();
  dap(() => bus.write32(DHCSR, KEY | 1));
  cpu.run(1000);
  assert.ok(cpu.halted);
  assert.equal(cpu.pc, 0x100, 'the PC stays at the BKPT');
  assert.equal(bus.read32(DFSR) & 2, 2);
  assert.equal(bus.read32(0xe00ff000), 0xfff0f003);
  assert.equal(bus.read32(0xe00fffe0), 0xc4, 'Cortex-M4 ROM table PID0');
  assert.equal(bus.read32(0xe00ffff4), 0x10, 'class 1: ROM table');
  assert.equal(bus.read32(0xe0040ff4), 0x90, 'TPIU is a CoreSight component');
});

test('DWT PC match halts before the instruction with DWTTRAP; the nRST pin resets into VC_CORERESET', () => {
  const { dbg, bus, dap, cpu } = setup();
  dap(() => bus.write32(DHCSR, KEY | 1));
  bus.write32(DEMCR, 1 << 24);
  bus.write32(0xe0001020, 0x104);
  bus.write32(0xe0001024, 0);
  bus.write32(0xe0001028, 4); // PC match
  cpu.run(1000);
  assert.ok(cpu.halted);
  assert.equal(cpu.pc, 0x104);
  assert.equal(bus.read32(DFSR) & 4, 4);
  bus.write32(DEMCR, (1 << 24) | 1);
  dbg.setNrst(true);
  dbg.setNrst(false);
  assert.ok(cpu.halted);
  assert.equal(cpu.pc, 0x100, 'halted at the reset vector');
  assert.ok(bus.read32(DHCSR) & (1 << 25), 'S_RESET_ST');
});

test('nRST held: the core does not run; VC_CORERESET set during the hold catches it at the release (connect under reset)', () => {
  const { dbg, bus, dap, cpu, board } = setup();
  dap(() => bus.write32(DHCSR, KEY | 1)); // C_DEBUGEN, running
  bus.write32(DEMCR, 1 << 24); // no vector catch yet
  dbg.setNrst(true);
  const at = board.clock.now;
  cpu.run(10_000);
  assert.equal(board.clock.now, at, 'no time passes while the core is held in reset');
  assert.equal(cpu.pc, 0x100, 'still at the reset vector');
  assert.ok(!cpu.halted);
  bus.write32(DEMCR, (1 << 24) | 1); // VC_CORERESET, written under reset
  dbg.setNrst(false);
  assert.ok(cpu.halted, 'caught at the release');
  assert.equal(cpu.pc, 0x100);
  assert.equal(bus.read32(DFSR) & 8, 8, 'DFSR.VCATCH');
  // Without a catch, the release lets it run.
  bus.write32(DEMCR, 1 << 24);
  dbg.setNrst(true);
  dbg.setNrst(false);
  cpu.run(100);
  assert.ok(!cpu.halted);
  assert.notEqual(cpu.pc, 0x100, 'ran from the reset vector');
});

test('AIRCR.VECTRESET resets the core (even halted) into VC_CORERESET; EDBGRQ halts with DFSR.EXTERNAL', () => {
  const { dbg, bus, dap, cpu } = setup();
  dap(() => bus.write32(DHCSR, KEY | 3));
  cpu.r[0] = 0x55;
  bus.write32(DEMCR, 1);
  bus.read32(DHCSR); // clear S_RESET_ST
  dap(() => bus.write32(0xe000ed0c, 0x05fa0001)); // VECTKEY | VECTRESET
  cpu.run(10);
  assert.ok(cpu.halted);
  assert.equal(cpu.pc, 0x100);
  assert.equal(cpu.r[0], 0, 'registers reset');
  assert.ok(bus.read32(DHCSR) & (1 << 25));
  bus.write32(DFSR, 0x1f);
  dap(() => bus.write32(DHCSR, KEY | 1));
  cpu.run(10);
  dbg.externalDebugRequest();
  assert.ok(cpu.halted);
  assert.equal(bus.read32(DFSR), 0x10);
});

test('FPB v1 flash patch: a REPLACE=00 comparator makes the core run the remap table word instead', () => {
  const { board, bus, cpu } = setup();
  bus.write32(0x20000100, 0x20082007); // remap table word 0: movs r0,#7 ; movs r0,#8
  bus.write32(0xe0002004, 0x20000100); // FP_REMAP
  bus.write32(0xe0002008, 0x00000101); // FP_COMP0: word 0x100, REPLACE 00 (remap), enabled
  bus.write32(0xe0002000, 3);
  assert.equal(bus.read32(0xe0002004), 0x20000100 | 0, 'RMPSPT (bit 29) set, REMAP kept');
  assert.equal(bus.read32(0x100), 0x20082007, 'reads of the patched word see the replacement');
  board.reset();
  cpu.run(2);
  assert.equal(cpu.r[0], 8);
  bus.write32(0xe0002000, 2); // KEY, ENABLE = 0: the patch is lifted
  assert.equal(bus.read32(0x100), 0x20022001);
  board.reset();
  cpu.run(2);
  assert.equal(cpu.r[0], 2);
});

test('monitor mode: BKPT with MON_EN takes DebugMonitor (return address: the BKPT); MON_STEP steps; MON_PEND pends', () => {
  const { board, bus, cpu } = setup();
  // 0x100: movs r0,#1 ; bkpt #1 ; movs r0,#2 ; b .    DebugMonitor handler at 0x200: b .
  bus.write16(0x100, 0x2001);
  bus.write16(0x102, 0xbe01);
  bus.write16(0x104, 0x2002);
  bus.write16(0x106, 0xe7fe);
  bus.write32(12 * 4, 0x201);
  bus.write16(0x200, 0xe7fe);
  board.reset();
  bus.write32(DEMCR, 1 << 16); // MON_EN
  cpu.run(10);
  assert.equal(cpu.ipsr, 12, 'in the DebugMonitor handler');
  assert.equal(bus.read32(DFSR) & 2, 2, 'DFSR.BKPT');
  assert.equal(bus.read32(cpu.readCoreReg(13) + 24), 0x102, 'stacked return address: the BKPT');
  assert.ok(!cpu.halted);
  // without MON_EN the BKPT escalates to HardFault (a handler at 0x300)
  bus.write32(12, 0x301);
  bus.write16(0x300, 0xe7fe);
  board.reset();
  bus.write32(DEMCR, 0);
  cpu.run(10);
  assert.equal(cpu.ipsr, 3);
  // MON_PEND pends the exception; reading DEMCR shows it
  board.reset();
  bus.write16(0x102, 0x2003); // movs r0,#3 instead of the BKPT
  bus.write32(DEMCR, (1 << 16) | (1 << 17));
  assert.ok(bus.read32(DEMCR) & (1 << 17));
  cpu.run(1);
  assert.equal(cpu.ipsr, 12);
  // MON_STEP: a handler that returns (bx lr) makes the core run one instruction, then DebugMonitor again
  bus.write16(0x200, 0x4770); // bx lr
  board.reset();
  bus.write32(DFSR, 0x1f);
  bus.write32(DEMCR, (1 << 16) | (1 << 18)); // MON_EN | MON_STEP
  // cpu.step() runs an instruction or an exception entry/return: record where Thread code stands
  const trace: string[] = [];
  for (let i = 0; i < 6; i++) {
    cpu.step();
    trace.push(`${cpu.ipsr}:${cpu.pc.toString(16)}`);
  }
  assert.deepEqual(trace, ['12:200', '0:102', '12:200', '0:104', '12:200', '0:106'], 'one Thread instruction per DebugMonitor entry');
  assert.equal(bus.read32(DFSR) & 1, 1, 'DFSR.HALTED for monitor steps');
});

test('a halt request wakes a core sleeping in WFI; it resumes after the WFI', () => {
  const { board, bus, dap, cpu } = setup();
  bus.write16(0x100, 0xbf30); // wfi
  bus.write16(0x102, 0x2009); // movs r0,#9
  bus.write16(0x104, 0xe7fe);
  board.reset();
  cpu.run(100);
  assert.ok(cpu.sleeping);
  assert.ok(bus.read32(DHCSR) & (1 << 18), 'S_SLEEP');
  dap(() => bus.write32(DHCSR, KEY | 3));
  assert.ok(cpu.halted);
  assert.ok(!cpu.sleeping);
  assert.equal(bus.read32(DHCSR) & (1 << 18), 0);
  dap(() => bus.write32(DHCSR, KEY | 1));
  cpu.run(10);
  assert.equal(cpu.r[0], 9);
});

test('a halt request ends lockup: S_LOCKUP reads 1 while locked up and 0 once halted', () => {
  const board = createBoard('mps2-an385');
  const dbg = attachDebug(board);
  board.reset(); // empty memory: no usable vector table, the core locks up
  const cpu = board.cpu;
  cpu.run(100);
  assert.ok(cpu.lockedUp, 'locked up without a vector table');
  const S_LOCKUP = 1 << 19, S_HALT = 1 << 17;
  assert.ok(board.bus.read32(DHCSR) & S_LOCKUP);
  dbg.master.fromDebugger = true;
  board.bus.write32(DHCSR, KEY | 3);
  dbg.master.fromDebugger = false;
  cpu.run(100);
  const v = board.bus.read32(DHCSR);
  assert.equal(v & S_LOCKUP, 0, 'S_LOCKUP clears in Debug state');
  assert.ok(v & S_HALT);
  assert.equal(cpu.lockedUp, false);
});
