// Pure helpers of the Cortex-M adapter (the adapter itself is tested with real gdb in
// gdb-integration.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coveringRange } from '../../src/gdb/cortexm-target.js';
import { TargetError } from '../../src/gdb/target.js';

test('watch ranges become the smallest aligned power-of-two comparator range', () => {
  assert.deepEqual(coveringRange(0x20000004, 4), { base: 0x20000004, size: 4 });
  assert.deepEqual(coveringRange(0x20000005, 1), { base: 0x20000005, size: 1 });
  assert.deepEqual(coveringRange(0x20000006, 4), { base: 0x20000000, size: 16 }); // crosses a word
  assert.deepEqual(coveringRange(0x20000010, 12), { base: 0x20000010, size: 16 });
  assert.deepEqual(coveringRange(0x2000001c, 8), { base: 0x20000000, size: 64 });
  assert.deepEqual(coveringRange(0xfffffffc, 4), { base: 0xfffffffc, size: 4 });
  assert.throws(() => coveringRange(0x20007ff0, 0x20), TargetError);
});
