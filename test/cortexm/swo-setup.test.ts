// SWO rates: the TPIU prescaler for a baud rate from the trace clock (within 3%, at most
// 8192), the default rate, and stimulus port lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSwoBaud, parsePorts, swoPrescaler } from '../../src/cortexm/swo.js';

test('swoPrescaler: exact and near rates, refusals with the reason', () => {
  assert.deepEqual(swoPrescaler(64_000_000, 2_000_000), { prescaler: 32, baud: 2_000_000 });
  assert.deepEqual(swoPrescaler(25_000_000, 1_923_076), { prescaler: 13, baud: 1_923_077 });
  assert.deepEqual(swoPrescaler(72_000_000, 2_250_000), { prescaler: 32, baud: 2_250_000 });
  assert.throws(() => swoPrescaler(25_000_000, 2_000_000), /2000000 baud cannot be made from a 25000000 Hz trace clock \(nearest: 1923077 baud with prescaler 13\)/);
  assert.throws(() => swoPrescaler(25_000_000, 123), /123 baud is below what a 25000000 Hz trace clock makes \(the TPIU divides by at most 8192: 3052 baud or more\)/);
  assert.throws(() => swoPrescaler(25_000_000, 0), /must be positive/);
});

test('defaultSwoBaud: the fastest exact rate up to 2 Mbaud', () => {
  assert.equal(defaultSwoBaud(64_000_000), 2_000_000);
  assert.equal(defaultSwoBaud(25_000_000), 1_923_076);
  assert.equal(defaultSwoBaud(400_000_000), 2_000_000);
  assert.equal(defaultSwoBaud(1_000_000), 1_000_000);
});

test('parsePorts: lists and all; bad ports named', () => {
  assert.equal(parsePorts('0'), 1);
  assert.equal(parsePorts('0, 1,31'), 0x80000003);
  assert.equal(parsePorts('all'), 0xffffffff);
  assert.throws(() => parsePorts('32'), /stimulus port '32' is not a number from 0 to 31/);
  assert.throws(() => parsePorts('0,,1'), /stimulus port '' is not/);
});
