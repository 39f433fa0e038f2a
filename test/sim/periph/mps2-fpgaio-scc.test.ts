// MPS2 FPGA IO (LEDs, buttons, counters from simulated time) and SCC registers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock } from '../../../src/sim/clock.js';
import { Mps2FpgaIo } from '../../../src/sim/periph/mps2-fpgaio.js';
import { Mps2Scc } from '../../../src/sim/periph/mps2-scc.js';

test('FPGA IO: LEDs report changes, buttons read the host state, counters follow simulated time', () => {
  const clock = new Clock(25_000_000);
  const io = new Mps2FpgaIo('FPGAIO', clock);
  io.reset();
  const leds: number[] = [];
  io.onLeds = (l) => leds.push(l);
  io.write(0x00, 4, 0xff); // only 2 LEDs on MPS2
  io.write(0x00, 4, 0x03); // no change, no callback
  io.write(0x00, 4, 0x01);
  assert.deepEqual(leds, [3, 1]);
  assert.equal(io.read(0x00, 4), 1);
  io.buttons = 2;
  assert.equal(io.read(0x08, 4), 2);
  clock.now = 25_000_000 * 2 + 12_500_000; // 2.5 s
  assert.equal(io.read(0x10, 4), 2, 'CLK1HZ');
  assert.equal(io.read(0x14, 4), 250, 'CLK100HZ');
  // COUNTER counts PSCNTR wraps; PRESCALE 9: one count per 10 cycles.
  io.write(0x1c, 4, 9);
  io.write(0x18, 4, 0);
  io.write(0x20, 4, 9);
  clock.now += 100;
  assert.equal(io.read(0x18, 4), 10);
  clock.now += 5;
  assert.equal(io.read(0x18, 4), 10);
  assert.equal(io.read(0x20, 4), 4);
});

test('SCC: identification as QEMU 7.2 resets it, read-only IDs, configuration handshake', () => {
  const scc = new Mps2Scc('SCC', 0x41043850);
  assert.equal(scc.read(0xffc, 4), 0x41043850);
  assert.equal(scc.read(0xff8, 4), 0x00200008);
  assert.equal(scc.read(0x010, 4), 0x2, 'CFG4');
  assert.equal(scc.read(0x100, 4), 0xffff0001, 'DLL');
  assert.equal(scc.read(0x0a8, 4), 0x00100000, 'CFGCTRL');
  scc.write(0xffc, 4, 0);
  assert.equal(scc.read(0xffc, 4), 0x41043850);
  scc.write(0x000, 4, 0x5);
  assert.equal(scc.read(0x000, 4), 0x5);
  scc.write(0x0a8, 4, 0x80000000);
  assert.equal(scc.read(0x0ac, 4), 1, 'CFGSTAT.DONE');
  scc.reset();
  assert.equal(scc.read(0x000, 4), 0);
});
