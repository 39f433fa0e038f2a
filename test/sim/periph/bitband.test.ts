// Bit-band alias: word n of the alias is bit (n & 7) of byte (n >> 3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bus } from '../../../src/sim/bus.js';
import { mapBitBand } from '../../../src/sim/bitband.js';

test('reads and writes single bits of SRAM through the alias', () => {
  const bus = new Bus();
  bus.mapMemory('sram', 0x20000000, 0x100000);
  mapBitBand(bus, 0x22000000, 0x20000000);
  bus.write32(0x20000010, 0x80000001);
  const alias = (addr: number, bit: number) => 0x22000000 + (addr - 0x20000000) * 32 + bit * 4;
  assert.equal(bus.read32(alias(0x20000010, 0)), 1);
  assert.equal(bus.read32(alias(0x20000010, 1)), 0);
  assert.equal(bus.read32(alias(0x20000013, 7)), 1); // bit 31 of the word
  bus.write32(alias(0x20000012, 3), 1); // set bit 19
  assert.equal(bus.read32(0x20000010), 0x80080001);
  bus.write8(alias(0x20000010, 0), 0x10); // bit 0 of the value is 0: clear
  assert.equal(bus.read32(0x20000010), 0x80080000);
  assert.equal(bus.read16(alias(0x20000012, 3)), 1);
  // The last alias word maps to the last bit of the 1 MiB region.
  bus.write32(0x23fffffc, 1);
  assert.equal(bus.read8(0x200fffff), 0x80);
});
