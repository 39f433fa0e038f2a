// The MPS2 boards: QEMU 7.2's memory map, core identification, and whole-board
// runs (UART, timer interrupts into the NVIC, sleep, semihosting exit, lockup)
// through the machine loop, in-process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { createBoard, boardNames, BoardError, type Board } from '../../../src/sim/boards/index.js';
import { BusFault } from '../../../src/sim/bus.js';
import { Machine } from '../../../src/sim/machine.js';
import { parseElf } from '../../../src/image/elf.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.resolve(here, '../../../../test/cli/fixtures');
const loadFixture = (board: Board, name: string) => board.load(parseElf(new Uint8Array(readFileSync(path.join(fixtures, name))), name));

const faults = (board: Board, addr: number) => {
  assert.throws(() => board.bus.read32(addr), BusFault, `read at 0x${addr.toString(16)} faults`);
};

const mps2Names = () => boardNames().filter((n) => n.startsWith('mps2-'));

test('the registry knows the three boards and names them in its error', () => {
  assert.deepEqual(mps2Names(), ['mps2-an385', 'mps2-an386', 'mps2-an500']);
  assert.throws(() => createBoard('stm32f4'), (e: unknown) => e instanceof BoardError && /unknown board 'stm32f4'; known boards: mps2-an385, mps2-an386, mps2-an500/.test((e as Error).message));
});

test('CPUID and NVIC as QEMU 7.2 shows them', () => {
  const cpuids: Record<string, number> = { 'mps2-an385': 0x410fc231, 'mps2-an386': 0x410fc240, 'mps2-an500': 0x411fc272 };
  for (const name of mps2Names()) {
    const b = createBoard(name);
    assert.equal(b.bus.read32(0xe000ed00), cpuids[name], `${name} CPUID`);
    assert.equal(b.bus.read32(0xe000e004), 0, `${name} ICTR: 32 interrupt lines`);
    b.bus.write8(0xe000e400, 0xff);
    assert.equal(b.bus.read8(0xe000e400), 0xff, `${name}: QEMU 7.2 keeps all 8 priority bits`);
    assert.equal(b.bus.read32(0x4002fffc), { 'mps2-an385': 0x41043850, 'mps2-an386': 0x41043860, 'mps2-an500': 0x41045000 }[name], `${name} SCC ID`);
    assert.equal(b.clock.hz, 25_000_000);
  }
});

test('AN385/AN386 memory map: RAM and mirrors, unimplemented regions, holes', () => {
  const b = createBoard('mps2-an385');
  const bus = b.bus;
  bus.write32(0x00000100, 0x11223344);
  assert.equal(bus.read32(0x00400100), 0x11223344, 'SSRAM1 mirror');
  bus.write32(0x20000200, 0x55667788);
  assert.equal(bus.read32(0x20400200), 0x55667788, 'SSRAM2/3 mirror');
  bus.write32(0x01000010, 0xdeadbeef);
  assert.equal(bus.read32(0x0100c010), 0xdeadbeef, 'block RAM mirrored 4 times');
  bus.write32(0x21fffffc, 0x12345678);
  assert.equal(bus.read32(0x21fffffc), 0x12345678, '16 MiB PSRAM');
  for (const a of [0x00800000, 0x1fff0000, 0x20800000, 0x40003000, 0x40010000, 0x40030000, 0x41000000]) {
    bus.write32(a, 0xffffffff);
    assert.equal(bus.read32(a), 0, `0x${a.toString(16)} reads as zero, ignores writes (QEMU unimplemented device)`);
  }
  assert.equal(bus.read32(0x40200050), 0x01180001, 'LAN9118 ID_REV');
  for (const a of [0x40200100, 0x41200000, 0x44000000, 0x60000000, 0xa0000000, 0xe0100000]) faults(b, a);
  // The PPB outside the SCS: left to the debug system; what remains reads 0 once filled, as on QEMU.
  faults(b, 0xe0001004);
  b.mapPpbDefaults();
  assert.equal(bus.read32(0xe0001004), 0, 'DWT_CYCCNT reads 0 without a debug system (QEMU does the same)');
  assert.equal(bus.read32(0xe00ff000), 0);
  assert.equal(bus.read32(0xe000ed00), 0x410fc231, 'the SCS is untouched');
  faults(b, 0xe0100000);
  // Bit-band alias of the peripheral region reaches the UART registers.
  bus.write32(0x42000000 + (0x40004008 - 0x40000000) * 32 + 0 * 4, 1);
  assert.equal(bus.read32(0x40004008), 1, 'UART0 CTRL.TXEN set through the bit-band alias');
});

test('AN500 memory map: RAM at 0x60000000, no block RAM or PSRAM at 0x21000000, ethernet moved', () => {
  const b = createBoard('mps2-an500');
  const bus = b.bus;
  bus.write32(0x60fffffc, 0xcafef00d);
  assert.equal(bus.read32(0x60fffffc), 0xcafef00d);
  bus.write32(0x01000000, 1);
  assert.equal(bus.read32(0x01000000), 0, 'block RAM is unimplemented on AN500');
  bus.write32(0x21000000, 1);
  assert.equal(bus.read32(0x21000000), 0, 'PSRAM window is unimplemented on AN500');
  assert.equal(bus.read32(0xa0000050), 0x01180001, 'LAN9118 at 0xA0000000');
  faults(b, 0x40200000);
  bus.write32(0x20000000, 0);
  bus.write32(0x22000000 + 4 * 3, 1);
  assert.equal(bus.read32(0x20000000), 8, 'QEMU gives the AN500 bit-banding too');
});

test('loading refuses segments outside memory, with a message naming the board', () => {
  const b = createBoard('mps2-an385');
  const image = parseElf(new Uint8Array(readFileSync(path.join(fixtures, 'probe.elf'))), 'probe.elf');
  const moved = { ...image, file: 'moved.elf', loadChunks: () => [{ addr: 0x44000000, data: new Uint8Array(4) }] };
  assert.throws(() => b.load(moved), /moved\.elf: a segment loads at 0x44000000-0x44000003, which reaches unmapped space on mps2-an385/);
});

test('a firmware run: timer interrupts wake WFI, simulated time is skipped while asleep', async () => {
  for (const name of mps2Names()) {
    const b = createBoard(name);
    let uart = '';
    b.uarts[0].output = (c) => (uart += String.fromCharCode(c));
    loadFixture(b, 'timer-irq.elf');
    b.reset();
    const t0 = performance.now();
    const stop = await new Machine(b).run();
    const ms = performance.now() - t0;
    assert.deepEqual(stop.kind === 'exit' && stop.status, 0, `${name}: ${JSON.stringify(stop)}`);
    assert.equal(uart, 'tick 1\ntick 2\ntick 3\ntick 4\ntick 5\ntimer done\n');
    // Five 10 ms periods of 250001 cycles; the core slept through almost all of them.
    assert.ok(b.clock.now >= 5 * 250_001 && b.clock.now < 5 * 250_001 + 20_000, `${name}: ${b.clock.now} cycles`);
    assert.ok(ms < 2000, `${name}: took ${ms} ms of host time`);
  }
});

test('--realtime paces simulated time to the wall clock', async () => {
  const b = createBoard('mps2-an385');
  loadFixture(b, 'timer-irq.elf');
  b.reset();
  const t0 = performance.now();
  const stop = await new Machine(b, { realtime: true }).run();
  const ms = performance.now() - t0;
  assert.equal(stop.kind, 'exit');
  assert.ok(ms >= 45 && ms < 1500, `50 ms of simulated time took ${ms.toFixed(1)} ms`);

  // A busy core (B .) is held back to the wall clock too: 100 ms of cycles.
  const busy = createBoard('mps2-an385');
  busy.bus.write32(0, 0x20001000);
  busy.bus.write32(4, 0x101);
  busy.bus.write16(0x100, 0xe7fe);
  busy.reset();
  const t1 = performance.now();
  assert.deepEqual(await new Machine(busy, { realtime: true, maxCycles: 2_500_000 }).run(), { kind: 'limit', cycles: 2_500_000 });
  const busyMs = performance.now() - t1;
  assert.ok(busyMs >= 90 && busyMs < 2000, `100 ms of busy simulated time took ${busyMs.toFixed(1)} ms`);
});

test('UART RX from the host wakes a polling firmware; stop() ends a run', async () => {
  const b = createBoard('mps2-an386');
  let uart = '';
  b.uarts[0].output = (c) => (uart += String.fromCharCode(c));
  loadFixture(b, 'uart-echo.elf');
  b.reset();
  const m = new Machine(b, { sliceCycles: 100_000 });
  const done = m.run();
  setTimeout(() => b.uarts[0].input(new TextEncoder().encode('abc\nquit\n')), 20);
  const stop = await done;
  assert.deepEqual(stop.kind === 'exit' && stop.status, 0);
  assert.equal(uart, 'echo ready\nABC\nbye\n');

  const b2 = createBoard('mps2-an386');
  loadFixture(b2, 'uart-echo.elf');
  b2.reset();
  const m2 = new Machine(b2, { sliceCycles: 100_000 });
  const run2 = m2.run();
  setTimeout(() => m2.stop('test over'), 20);
  assert.deepEqual(await run2, { kind: 'stopped', reason: 'test over' });
});

test('a core asleep with nothing to wake it ends the run with a message; max cycles bound a run', async () => {
  const b = createBoard('mps2-an385');
  // Vector table, then WFI; B . at 0x100.
  b.bus.write32(0, 0x20001000);
  b.bus.write32(4, 0x101);
  b.bus.write16(0x100, 0xbf30);
  b.bus.write16(0x102, 0xe7fd); // B 0x100 (back to the WFI)
  b.reset();
  const stop = await new Machine(b).run();
  assert.equal(stop.kind, 'idle');
  assert.match((stop as { message: string }).message, /sleeps \(WFI\/WFE at 0x0000010[02]\) with nothing left to wake it/);

  const b2 = createBoard('mps2-an385');
  b2.bus.write32(0, 0x20001000);
  b2.bus.write32(4, 0x101);
  b2.bus.write16(0x100, 0xe7fe); // B .
  b2.reset();
  assert.deepEqual(await new Machine(b2, { maxCycles: 50_000 }).run(), { kind: 'limit', cycles: 50_000 });
});

test('SYSRESETREQ resets the board and restores the loaded image, as QEMU does', () => {
  const b = createBoard('mps2-an385');
  loadFixture(b, 'probe.elf');
  const first = b.bus.read32(0x100);
  b.reset();
  b.bus.write32(0x100, ~first >>> 0); // the firmware scribbles over its own code
  b.uarts[0].write(8, 4, 3);
  b.cpu.pc = 0x1000; // somewhere else
  b.bus.write32(0xe000ed0c, 0x05fa0004); // AIRCR: VECTKEY | SYSRESETREQ
  b.cpu.step(); // the core performs the reset request before its next instruction
  assert.equal(b.bus.read32(0x100), first, 'image restored');
  assert.equal(b.uarts[0].read(8, 4), 0, 'UART reset');
  assert.equal(b.cpu.pc, b.bus.read32(4) & ~1, 'core back at the reset vector');
});

test('watchdog: its interrupt is the NMI; left uncleared with RESEN it resets the system', async () => {
  const b = createBoard('mps2-an385');
  let uart = '';
  b.uarts[0].output = (c) => (uart += String.fromCharCode(c));
  loadFixture(b, 'watchdog.elf');
  b.reset();
  const stop = await new Machine(b).run();
  assert.deepEqual(stop.kind === 'exit' && stop.status, 0, JSON.stringify(stop));
  assert.equal(uart, 'watchdog pid0 00000024 lock 00000000 locked load ffffffff\nthree NMIs\n');

  // Reset: a core spinning with the watchdog armed (INTEN | RESEN) and nobody clearing it.
  const b2 = createBoard('mps2-an385');
  b2.bus.write32(0, 0x20001000);
  b2.bus.write32(4, 0x101);
  b2.bus.write32(8, 0x111); // NMI handler: B . as well
  b2.bus.write16(0x100, 0xe7fe);
  b2.bus.write16(0x110, 0xe7fe);
  b2.reset();
  b2.bus.write32(0x40008000, 1000); // LOAD
  b2.bus.write32(0x40008008, 3);
  let resets = 0;
  const hook = b2.cpu.onSysResetReq!;
  b2.cpu.onSysResetReq = () => {
    resets++;
    hook();
  };
  await new Machine(b2, { maxCycles: 1500 }).run();
  assert.equal(resets, 0, 'first expiry: NMI only');
  assert.equal(b2.cpu.ipsr, 2, 'in the NMI handler');
  await new Machine(b2, { maxCycles: 1000 }).run();
  assert.equal(resets, 1, 'second expiry with the interrupt uncleared: system reset');
  assert.equal(b2.bus.read32(0x40008008), 0, 'the watchdog itself was reset');
  assert.equal(b2.cpu.ipsr, 0);
});

test('a core asleep waiting for UART input costs no simulated time and no spinning until a byte arrives', async () => {
  const b = createBoard('mps2-an385');
  let uart = '';
  b.uarts[0].output = (c) => (uart += String.fromCharCode(c));
  loadFixture(b, 'uart-irq-echo.elf');
  b.reset();
  let slices = 0;
  const m = new Machine(b, { inputOpen: () => true, onSlice: () => slices++ });
  const done = m.run();
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(uart, 'irq echo ready\n');
  assert.ok(b.cpu.sleeping, 'asleep in WFI');
  const cycles = b.clock.now;
  const slicesAsleep = slices;
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(b.clock.now, cycles, 'simulated time stands still while nothing can happen');
  assert.equal(slices, slicesAsleep, 'and the loop is not spinning');
  b.uarts[0].input(new TextEncoder().encode('abc\nquit\n'));
  m.kick();
  const stop = await done;
  assert.deepEqual(stop.kind === 'exit' && stop.status, 0);
  assert.equal(uart, 'irq echo ready\ncba\nbye\n');
});

test('a halted core (debugger) parks the loop until it is resumed and kicked', async () => {
  const b = createBoard('mps2-an385');
  let uart = '';
  b.uarts[0].output = (c) => (uart += String.fromCharCode(c));
  loadFixture(b, 'timer-irq.elf');
  b.reset();
  b.cpu.halted = true;
  const m = new Machine(b);
  const done = m.run();
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(b.clock.now, 0, 'nothing ran while halted');
  assert.ok(m.isRunning);
  b.cpu.halted = false;
  m.kick();
  const stop = await done;
  assert.deepEqual(stop.kind === 'exit' && stop.status, 0);
  assert.match(uart, /timer done\n$/);
});
