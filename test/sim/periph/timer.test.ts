// CMSDK APB timer and dual timer: counting simulated cycles, reload, interrupts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock } from '../../../src/sim/clock.js';
import { CmsdkApbTimer } from '../../../src/sim/periph/cmsdk-apb-timer.js';
import { CmsdkApbDualTimer } from '../../../src/sim/periph/cmsdk-apb-dualtimer.js';

const CTRL = 0, VALUE = 4, RELOAD = 8, INT = 0xc;

function setup() {
  const clock = new Clock(25_000_000);
  const irqs: number[] = []; // cycle counts at which the line rose
  let level = false;
  const timer = new CmsdkApbTimer('T0', clock, (l) => {
    if (l && !level) irqs.push(clock.now);
    level = l;
  });
  timer.reset();
  // Step like the machine loop: jump to each event, fire it.
  const runTo = (t: number) => {
    while (clock.nextDeadline() <= t) {
      clock.now = clock.nextDeadline();
      clock.fireDue();
    }
    clock.now = t;
  };
  return { clock, timer, irqs, runTo, level: () => level };
}

test('counts down from RELOAD with period RELOAD + 1 and interrupts at 0', () => {
  const { timer, irqs, runTo, level } = setup();
  timer.write(RELOAD, 4, 99); // also loads VALUE
  assert.equal(timer.read(VALUE, 4), 99);
  timer.write(CTRL, 4, 1 | 8); // enable + interrupt enable
  runTo(10);
  assert.equal(timer.read(VALUE, 4), 89);
  runTo(99);
  assert.equal(timer.read(VALUE, 4), 0);
  assert.deepEqual(irqs, [99]);
  assert.equal(timer.read(INT, 4), 1);
  runTo(100);
  assert.equal(timer.read(VALUE, 4), 99, 'reloaded one tick after reaching 0');
  timer.write(INT, 4, 1);
  assert.equal(level(), false);
  runTo(999);
  // Zero crossings at 99, 199, ..., 999; the line stays high until cleared, so
  // after the clear above it rose once more, at 199.
  assert.deepEqual(irqs, [99, 199]);
  assert.equal(timer.read(VALUE, 4), 0);
  runTo(1000);
  assert.equal(timer.read(VALUE, 4), 99);
});

test('no interrupt status while IRQEN is clear; VALUE still counts; stopping freezes it', () => {
  const { timer, irqs, runTo } = setup();
  timer.write(RELOAD, 4, 1000);
  timer.write(CTRL, 4, 1);
  runTo(2500);
  assert.equal(timer.read(INT, 4), 0);
  assert.deepEqual(irqs, []);
  // 1000 ticks to 0 (t=1000), then period 1001: t=2001 -> 0, t=2500 -> 1000 - 498.
  assert.equal(timer.read(VALUE, 4), 502);
  timer.write(CTRL, 4, 0);
  runTo(5000);
  assert.equal(timer.read(VALUE, 4), 502);
  timer.write(VALUE, 4, 5);
  timer.write(CTRL, 4, 9);
  runTo(5005);
  assert.deepEqual(irqs, [5005]);
});

test('RELOAD = 0 makes a one-shot that stops at 0', () => {
  const { timer, irqs, runTo, clock } = setup();
  timer.write(VALUE, 4, 50);
  timer.write(CTRL, 4, 9);
  runTo(1000);
  assert.deepEqual(irqs, [50]);
  assert.equal(timer.read(VALUE, 4), 0);
  assert.equal(clock.nextDeadline(), Infinity, 'nothing left scheduled');
  assert.equal(timer.read(0xfe0, 4), 0x22);
});

test('dual timer: periodic and free-running counters, prescaler, combined interrupt', () => {
  const clock = new Clock(25_000_000);
  let level = false;
  const dt = new CmsdkApbDualTimer('DT', clock, (l) => (level = l));
  dt.reset();
  assert.equal(dt.read(0x04, 4), 0xffffffff);
  assert.equal(dt.read(0x08, 4), 0x20);
  dt.write(0x00, 4, 9); // LOAD
  dt.write(0x08, 4, 0x80 | 0x40 | 0x20 | 0x02); // enable, periodic, int enable, 32-bit
  clock.now = 9;
  clock.fireDue();
  assert.equal(dt.read(0x10, 4), 1, 'RIS');
  assert.equal(dt.read(0x14, 4), 1, 'MIS');
  assert.equal(level, true);
  dt.write(0x0c, 4, 1); // INTCLR
  assert.equal(level, false);
  clock.now = 10;
  assert.equal(dt.read(0x04, 4), 9, 'reloaded from LOAD');
  // Timer 2: free-running 16-bit with /16 prescale.
  dt.write(0x28, 4, 0x80 | 0x04); // enable, prescale /16, 16-bit, free-running, no int
  dt.write(0x20, 4, 100);
  clock.now += 160;
  assert.equal(dt.read(0x24, 4), 90);
  assert.equal(dt.read(0xfe0, 4), 0x23);
});
