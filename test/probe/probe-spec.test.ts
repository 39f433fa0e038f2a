// --probe and --frequency parsing, and how openTarget chooses between them and --target.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProbeSpec, ProbeSpecError } from '../../src/probe/probe-spec.js';
import { openTarget, parseFrequency, ProbeOpenError } from '../../src/probe/open-target.js';

test('parseProbeSpec: tcp, usb with and without serial, bare serial; errors name the forms', () => {
  assert.deepEqual(parseProbeSpec('tcp://127.0.0.1:4441'), { kind: 'tcp', host: '127.0.0.1', port: 4441 });
  assert.deepEqual(parseProbeSpec('tcp://[::1]:5000'), { kind: 'tcp', host: '::1', port: 5000 });
  assert.deepEqual(parseProbeSpec('TCP://pi.local:4441/'), { kind: 'tcp', host: 'pi.local', port: 4441 });
  assert.deepEqual(parseProbeSpec('usb:0d28:0204'), { kind: 'usb', vendorId: 0x0d28, productId: 0x0204 });
  assert.deepEqual(parseProbeSpec('usb:2E8A:c:E6614C311B5D'), { kind: 'usb', vendorId: 0x2e8a, productId: 0x000c, serial: 'E6614C311B5D' });
  assert.deepEqual(parseProbeSpec(' 0240000034544e45 '), { kind: 'serial', serial: '0240000034544e45' });
  assert.throws(() => parseProbeSpec('tcp://host:0'), /not a TCP port/);
  assert.throws(() => parseProbeSpec('tcp://host'), /expected tcp:\/\/HOST:PORT/);
  assert.throws(() => parseProbeSpec('usb:12345:1'), /usb:VID:PID\[:SERIAL\]/);
  assert.throws(() => parseProbeSpec('sim:mps2-an385'), /--target/);
  assert.throws(() => parseProbeSpec(''), ProbeSpecError);
  assert.throws(() => parseProbeSpec('a b'), /tcp:\/\/HOST:PORT, usb:VID:PID/);
});

test('parseFrequency: Hz, k, M', () => {
  assert.equal(parseFrequency('4000000'), 4_000_000);
  assert.equal(parseFrequency('4M'), 4_000_000);
  assert.equal(parseFrequency('500k'), 500_000);
  assert.equal(parseFrequency('1.5MHz'), 1_500_000);
  assert.throws(() => parseFrequency('fast'), /--frequency fast: expected a clock in Hz/);
  assert.throws(() => parseFrequency('0'), ProbeOpenError);
});

test('openTarget: --target alone is the simulator; both --probe and --target is an error; no USB probe means the default board', async () => {
  const s = await openTarget({ target: 'sim:mps2-an386' });
  assert.equal(s.description, 'sim:mps2-an386');
  assert.equal(s.simulated, true);
  await s.close();
  await assert.rejects(openTarget({ target: 'sim:mps2-an385', probe: 'tcp://127.0.0.1:1' }), /name two targets/);
  await assert.rejects(openTarget({ target: 'sim:nope' }), (e: Error) => e instanceof ProbeOpenError && /unknown simulated board/.test(e.message));
  // This machine has no USB probes (and not even the USB packages): the simulated default,
  // the STM32H743 that `npm start` runs the demo on.
  const d = await openTarget({});
  assert.equal(d.description, 'sim:stm32h743');
  await d.close();
});
