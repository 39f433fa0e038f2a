// The simulated ITM, TPIU and SWO pin: instrumentation packets, gating, the FIFO's
// FIFOREADY and Overflow, pacing in simulated time, the line each byte is sent on.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createBoard } from '../../../src/sim/boards/index.js';
import { attachDebug } from '../../../src/sim/debug/debug-system.js';
import { SWO_FIFO_BYTES, type SwoLine } from '../../../src/sim/debug/swo-pin.js';

const DEMCR = 0xe000edfc;
const ITM_TER = 0xe0000e00;
const ITM_TCR = 0xe0000e80;
const TPIU_ACPR = 0xe0040010;
const TPIU_SPPR = 0xe00400f0;
const TPIU_FFCR = 0xe0040304;
const stim = (port: number) => 0xe0000000 + 4 * port;

/** A board with the TPIU set for SWO NRZ at prescaler acpr + 1 and the ITM on for `ter`. */
function setup(opts: { acpr?: number; sppr?: number; ffcr?: number; ter?: number; trcena?: boolean; itmena?: boolean } = {}) {
  const board = createBoard('mps2-an385');
  const debug = attachDebug(board);
  board.reset();
  const bus = board.bus;
  if (opts.trcena ?? true) bus.write32(DEMCR, bus.read32(DEMCR) | (1 << 24));
  bus.write32(TPIU_SPPR, opts.sppr ?? 2);
  bus.write32(TPIU_ACPR, opts.acpr ?? 0);
  bus.write32(TPIU_FFCR, opts.ffcr ?? 0x100);
  bus.write32(ITM_TCR, (opts.itmena ?? true) ? 0x00010001 : 0x00010000);
  bus.write32(ITM_TER, opts.ter ?? 0xffffffff);
  const got: { byte: number; at: number; line: SwoLine }[] = [];
  debug.swo.listen((byte, line) => got.push({ byte, at: board.clock.now, line }));
  const clock = board.clock;
  /** Let simulated time pass (no code runs): due events fire. */
  const advance = (cycles: number) => {
    const end = clock.now + cycles;
    while (clock.nextDeadline() <= end) {
      clock.now = Math.max(clock.now, clock.nextDeadline());
      clock.fireDue();
    }
    clock.now = end;
  };
  return { board, debug, bus, got, advance, clock, bytes: () => got.map((g) => g.byte) };
}

test('stimulus writes become instrumentation packets: header, then the payload little-endian', () => {
  const { bus, bytes, advance } = setup();
  bus.write8(stim(0), 0x41);
  bus.write16(stim(3), 0xbeef);
  bus.write32(stim(31), 0x12345678);
  advance(10_000);
  assert.deepEqual(bytes(), [0x01, 0x41, (3 << 3) | 2, 0xef, 0xbe, (31 << 3) | 3, 0x78, 0x56, 0x34, 0x12]);
});

test('nothing is sent without TRCENA, ITMENA or the port TER bit', () => {
  for (const o of [{ trcena: false }, { itmena: false }, { ter: 0b10 }]) {
    const { bus, bytes, advance } = setup(o);
    bus.write8(stim(0), 0x41);
    advance(10_000);
    assert.deepEqual(bytes(), [], JSON.stringify(o));
    assert.equal(bus.read32(stim(0)), o.ter ? 1 : 0, 'FIFOREADY reads 0 while the ITM is off');
  }
  const { bus, bytes, advance } = setup({ ter: 0b10 });
  bus.write8(stim(1), 0x42);
  advance(10_000);
  assert.deepEqual(bytes(), [0x09, 0x42]);
});

test('each byte takes 10 * (ACPR + 1) cycles; TCR.BUSY until the last has left', () => {
  const acpr = 11;
  const { bus, got, advance, clock } = setup({ acpr });
  const t0 = clock.now;
  bus.write32(stim(1), 0xaabbccdd);
  assert.ok(bus.read32(ITM_TCR) & (1 << 23), 'BUSY');
  advance(10 * (acpr + 1) - 1);
  assert.equal(got.length, 0, 'the first byte is not out before its 10 bit times');
  advance(1);
  assert.equal(got.length, 1);
  advance(10_000);
  assert.deepEqual(
    got.map((g) => g.at - t0),
    [1, 2, 3, 4, 5].map((k) => k * 10 * (acpr + 1)),
  );
  assert.deepEqual(got[0].line, { mode: 'uart', baud: 25_000_000 / 12 });
  assert.equal(bus.read32(ITM_TCR) & (1 << 23), 0, 'not BUSY once empty');
});

test('FIFOREADY goes 0 when the FIFO is full; a write then is dropped and an Overflow packet follows', () => {
  const { bus, bytes, advance } = setup({ acpr: 99 });
  let accepted = 0;
  while (bus.read32(stim(2)) & 1) {
    bus.write32(stim(2), accepted);
    accepted++;
  }
  assert.equal(accepted, Math.floor((SWO_FIFO_BYTES - 5) / 5) + 1);
  bus.write32(stim(2), 0xdead); // dropped
  advance(1000); // one byte out: room for the Overflow packet, not for another word
  assert.equal(bus.read32(stim(2)) & 1, 0);
  advance(100_000);
  assert.equal(bus.read32(stim(2)) & 1, 1);
  bus.write8(stim(0), 0x21);
  advance(100_000);
  const expect: number[] = [];
  for (let i = 0; i < accepted; i++) expect.push(0x13, i, 0, 0, 0);
  expect.push(0x70, 0x01, 0x21);
  assert.deepEqual(bytes(), expect);
});

test('a firmware-like poll loop is throttled to the pin rate, and keeps the pin busy', () => {
  const acpr = 4;
  const perByte = 10 * (acpr + 1);
  const { bus, got, clock } = setup({ acpr });
  const t0 = clock.now;
  for (let i = 0; i < 100; i++) {
    while (!(bus.read32(stim(0)) & 1)) {
      clock.now += 3; // the spin loop's cycles; bytes retire as the port is polled
      clock.fireDue();
    }
    bus.write8(stim(0), i);
    assert.ok(got.length * perByte <= clock.now - t0, 'no byte out before its time');
  }
  while (bus.read32(ITM_TCR) & (1 << 23)) clock.now += 1;
  assert.equal(got.length, 200);
  assert.deepEqual(got.filter((_, k) => k % 2 === 1).map((g) => g.byte), [...Array(100).keys()]);
  assert.equal(clock.now - t0, 200 * perByte, 'the last byte left exactly 200 byte times after the first write');
});

test('SPPR 0 (parallel port) and the formatter on send nothing on SWO; SPPR 1 is Manchester', () => {
  for (const o of [{ sppr: 0 }, { ffcr: 0x102 }]) {
    const { bus, bytes, advance } = setup(o);
    bus.write8(stim(0), 0x41);
    advance(10_000);
    assert.deepEqual(bytes(), [], JSON.stringify(o));
  }
  const { bus, got, advance } = setup({ sppr: 1, acpr: 24 });
  bus.write8(stim(0), 0x41);
  advance(10_000);
  assert.deepEqual(got[0].line, { mode: 'manchester', baud: 1_000_000 });
});

test('a reset empties the FIFO; unsubscribed listeners hear nothing', () => {
  const { board, debug, bus, bytes, advance } = setup({ acpr: 99 });
  bus.write32(stim(0), 1);
  board.reset();
  advance(100_000);
  assert.deepEqual(bytes(), []);
  assert.equal(bus.read32(ITM_TCR) & (1 << 23), 0);
  const more: number[] = [];
  const off = debug.swo.listen((b) => more.push(b));
  bus.write8(stim(0), 7);
  advance(100_000);
  off();
  bus.write8(stim(0), 8);
  advance(100_000);
  assert.deepEqual(more, [0x01, 7]);
});
