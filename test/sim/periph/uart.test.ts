// CMSDK APB UART: register behaviour as QEMU 7.2 models it, and host input pacing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock } from '../../../src/sim/clock.js';
import { CmsdkApbUart } from '../../../src/sim/periph/cmsdk-apb-uart.js';

const DATA = 0, STATE = 4, CTRL = 8, INT = 0xc, BAUDDIV = 0x10;

function setup() {
  const clock = new Clock(25_000_000);
  const levels = { tx: false, rx: false, txo: false, rxo: false };
  const uart = new CmsdkApbUart('UART0', clock, {
    tx: (l) => (levels.tx = l), rx: (l) => (levels.rx = l), txOverrun: (l) => (levels.txo = l), rxOverrun: (l) => (levels.rxo = l),
  });
  const out: number[] = [];
  uart.output = (b) => out.push(b);
  uart.reset();
  // Advance simulated time and fire due events, as the machine loop does.
  const advance = (cycles: number) => {
    clock.now += cycles;
    clock.fireDue();
  };
  return { clock, uart, out, levels, advance };
}

test('transmits when TX is enabled, with the TX interrupt when enabled', () => {
  const { uart, out, levels } = setup();
  uart.write(DATA, 4, 0x41); // TX disabled: stays in the buffer (as QEMU)
  assert.deepEqual(out, []);
  assert.equal(uart.read(STATE, 4) & 1, 1, 'TX full');
  uart.write(DATA, 4, 0x42);
  assert.equal(uart.read(STATE, 4) & 4, 4, 'TX overrun');
  uart.write(STATE, 4, 4); // W1C
  assert.equal(uart.read(STATE, 4) & 4, 0);

  const u = setup();
  u.uart.write(BAUDDIV, 4, 16);
  u.uart.write(CTRL, 4, 1 | 4); // TX enable + TX interrupt enable
  for (const c of 'hi\n') u.uart.write(DATA, 1, c.charCodeAt(0));
  assert.equal(String.fromCharCode(...u.out), 'hi\n');
  assert.equal(u.uart.read(STATE, 4) & 1, 0, 'TX buffer empty again');
  assert.equal(u.uart.read(INT, 4) & 1, 1, 'TX interrupt pending');
  assert.equal(u.levels.tx, true);
  u.uart.write(INT, 4, 1); // INTCLEAR
  assert.equal(u.levels.tx, false);
  assert.equal(u.uart.read(BAUDDIV, 4), 16);
  assert.equal(levels.tx, false);
});

test('host input enters RX one byte at a time, paced by the baud divider', () => {
  const { uart, levels, advance } = setup();
  uart.input([0x61, 0x62]);
  advance(10_000);
  assert.equal(uart.read(STATE, 4) & 2, 0, 'RX disabled: nothing received yet');
  uart.write(BAUDDIV, 4, 100);
  uart.write(CTRL, 4, 2 | 8); // RX enable + RX interrupt enable
  advance(999);
  assert.equal(uart.read(STATE, 4) & 2, 0, 'one character takes 10 bit times');
  advance(1);
  assert.equal(uart.read(STATE, 4) & 2, 2, 'RX full');
  assert.equal(levels.rx, true);
  assert.equal(uart.read(DATA, 4), 0x61);
  assert.equal(uart.read(STATE, 4) & 2, 0);
  uart.write(INT, 4, 2);
  assert.equal(levels.rx, false);
  advance(1000);
  assert.equal(uart.read(DATA, 4), 0x62);
  assert.equal(uart.inputBacklog, 0);
});

test('overrun interrupts follow STATE and CTRL, and the ID registers read as CMSDK', () => {
  const { uart, levels } = setup();
  uart.write(CTRL, 4, 0x10); // TX overrun interrupt enable, TX disabled
  uart.write(DATA, 4, 1);
  uart.write(DATA, 4, 2); // overrun
  assert.equal(uart.read(INT, 4) & 4, 4);
  assert.equal(levels.txo, true);
  uart.write(INT, 4, 4); // clearing the interrupt clears the overrun
  assert.equal(uart.read(STATE, 4) & 4, 0);
  assert.equal(levels.txo, false);
  assert.equal(uart.read(0xfe0, 4), 0x21);
  assert.equal(uart.read(0xfd0, 4), 0x04);
  assert.equal(uart.read(0xff0, 4), 0x0d);
  assert.equal(uart.read(0xffc, 4), 0xb1);
});
