// The System Control Space as firmware and debuggers see it through the bus: SCB, NVIC,
// SysTick registers, identification, and the pluggable debug register block.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AccessSize, Device } from '../../../src/sim/bus.js';
import { machine, thumb, M4 } from '../cpu/harness.js';

const rd = (m: ReturnType<typeof machine>, a: number): number => m.bus.read32(a);
const wr = (m: ReturnType<typeof machine>, a: number, v: number): void => m.bus.write32(a, v);

test('CPUID, CCR reset value, AIRCR key and PRIGROUP, ICTR, SCS identification', () => {
  const m = machine();
  assert.equal(rd(m, 0xe000ed00), 0x412fc231);
  assert.equal(machine(M4).bus.read32(0xe000ed00), 0x410fc241);
  assert.equal(rd(m, 0xe000ed14), 0x200); // STKALIGN
  assert.equal(rd(m, 0xe000ed0c), 0xfa050000);
  wr(m, 0xe000ed0c, 0x05fa0300);
  assert.equal(rd(m, 0xe000ed0c), 0xfa050300);
  wr(m, 0xe000ed0c, 0x00000500); // no key: ignored
  assert.equal(rd(m, 0xe000ed0c), 0xfa050300);
  assert.equal(rd(m, 0xe000e004), 0); // 32 interrupt lines: INTLINESNUM 0
  assert.deepEqual([0xff0, 0xff4, 0xff8, 0xffc].map((o) => m.bus.read32(0xe000e000 + o)), [0x0d, 0xe0, 0x05, 0xb1]);
});

test('VTOR keeps bits [31:7]; the vector table moves with it', () => {
  const m = machine();
  wr(m, 0xe000ed08, 0x20000123);
  assert.equal(rd(m, 0xe000ed08), 0x20000100);
});

test('priority registers: byte access, only the implemented bits (3 here) stick', () => {
  const m = machine();
  m.bus.write8(0xe000e403, 0xff); // IPR: IRQ3
  assert.equal(rd(m, 0xe000e400), 0xe0000000);
  m.bus.write8(0xe000ed23, 0x45); // SHPR3 byte 3: SysTick
  m.bus.write8(0xe000ed22, 0x80); // PendSV
  assert.equal(rd(m, 0xe000ed20), 0x40800000);
  assert.equal(m.cpu.nvic.priority[15], 0x40);
  wr(m, 0xe000ed1c, 0xffffffff); // SHPR2: only SVCall exists
  assert.equal(rd(m, 0xe000ed1c), 0xe0000000);
});

test('NVIC enable, pending and active bits; STIR; ICSR VECTPENDING and ISRPENDING', () => {
  const m = machine();
  wr(m, 0xe000e100, 0x00000011); // enable IRQ0, IRQ4
  assert.equal(rd(m, 0xe000e100), 0x11);
  wr(m, 0xe000e180, 0x00000001); // disable IRQ0
  assert.equal(rd(m, 0xe000e180), 0x10);
  wr(m, 0xe000ef00, 4); // STIR: pend IRQ4
  assert.equal(rd(m, 0xe000e200), 0x10);
  const icsr = rd(m, 0xe000ed04);
  assert.equal((icsr >>> 12) & 0x1ff, 20, 'VECTPENDING = 16 + 4');
  assert.equal((icsr >>> 22) & 1, 1, 'ISRPENDING');
  wr(m, 0xe000e280, 0x10); // clear pending
  assert.equal(rd(m, 0xe000e200), 0);
});

test('ICSR: PENDSVSET/CLR, PENDSTSET/CLR, VECTACTIVE and RETTOBASE in a handler', () => {
  const m = machine();
  wr(m, 0xe000ed04, 1 << 28);
  assert.equal(rd(m, 0xe000ed04) & (1 << 28), 1 << 28);
  wr(m, 0xe000ed04, 1 << 27);
  assert.equal(rd(m, 0xe000ed04) & (1 << 28), 0);
  wr(m, 0xe000ed04, 1 << 26);
  assert.equal(m.cpu.nvic.pending[15], 1);
  wr(m, 0xe000ed04, 1 << 25);
  assert.equal(m.cpu.nvic.pending[15], 0);

  m.vector(14, 0x400);
  m.bus.load(0x400, new Uint8Array([0xfe, 0xe7]));
  m.load(thumb(0xbf00));
  wr(m, 0xe000ed04, 1 << 28);
  m.cpu.step();
  const icsr = rd(m, 0xe000ed04);
  assert.equal(icsr & 0x1ff, 14, 'VECTACTIVE');
  assert.equal((icsr >>> 11) & 1, 1, 'RETTOBASE');
  assert.equal(rd(m, 0xe000ed24) & (1 << 10), 1 << 10, 'SHCSR.PENDSVACT');
});

test('CFSR sub-registers are byte/halfword accessible and write-one-to-clear', () => {
  const m = machine();
  m.cpu.scb.cfsr = 0x02000982;
  assert.equal(m.bus.read8(0xe000ed28), 0x82); // MMFSR
  assert.equal(m.bus.read8(0xe000ed29), 0x09); // BFSR
  assert.equal(m.bus.read16(0xe000ed2a), 0x0200); // UFSR
  m.bus.write8(0xe000ed29, 0x01);
  assert.equal(rd(m, 0xe000ed28), 0x02000882);
  m.bus.write16(0xe000ed2a, 0x0200);
  assert.equal(rd(m, 0xe000ed28), 0x00000882);
});

test('SysTick: CVR counts simulated cycles down from RVR; COUNTFLAG set on wrap and cleared by reading', () => {
  const m = machine();
  m.load(thumb(0xe7fe)); // b .
  wr(m, 0xe000e014, 99);
  wr(m, 0xe000e018, 1234); // any write clears the counter
  assert.equal(rd(m, 0xe000e018), 0);
  wr(m, 0xe000e010, 5); // ENABLE | CLKSOURCE, no interrupt
  m.cpu.run(1); // the first tick loads RVR
  assert.equal(rd(m, 0xe000e018), 99);
  m.cpu.run(40);
  assert.equal(rd(m, 0xe000e018), 59);
  assert.equal(rd(m, 0xe000e010) & (1 << 16), 0);
  m.cpu.run(59); // reaches 0
  assert.equal(rd(m, 0xe000e018), 0);
  assert.equal(rd(m, 0xe000e010) & (1 << 16), 1 << 16);
  assert.equal(rd(m, 0xe000e010) & (1 << 16), 0, 'COUNTFLAG clears on read');
  m.cpu.run(1);
  assert.equal(rd(m, 0xe000e018), 99, 'reload');
  wr(m, 0xe000e010, 0); // stop: the value holds
  m.cpu.run(50);
  assert.equal(rd(m, 0xe000e018), 99);
  assert.equal(m.cpu.nvic.pending[15], 0, 'no TICKINT, no interrupt');
});

test('the debug registers (0xE000EDF0-0xE000EEFF) go to the pluggable device', () => {
  const m = machine();
  assert.equal(rd(m, 0xe000edf0), 0, 'RAZ without a debug unit');
  const seen: string[] = [];
  const dev: Device = {
    read: (off: number, size: AccessSize) => {
      seen.push(`r ${off.toString(16)} ${size}`);
      return 0x1234;
    },
    write: (off: number, size: AccessSize, v: number) => void seen.push(`w ${off.toString(16)} ${size} ${v.toString(16)}`),
  };
  m.cpu.scs.debugRegisters = dev;
  assert.equal(rd(m, 0xe000edf0), 0x1234);
  wr(m, 0xe000edfc, 0x01000000);
  assert.deepEqual(seen, ['r df0 4', 'w dfc 4 1000000']);
});
