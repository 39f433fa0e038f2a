import test from 'node:test';
import assert from 'node:assert/strict';
import { CTRL_STAT, DHCSR, DBGKEY, CSW, FP_COMP_V1, getField, setField, setFlagNames, armPid, componentId, romEntryAddress, fpNumCode } from '../../src/arch/index.js';

test('fields: masks, get, set and decode/encode round trips', () => {
  assert.equal(CTRL_STAT.fields.CSYSPWRUPACK.mask, 0x80000000);
  assert.equal(CTRL_STAT.fields.TRNCNT.mask, 0x00fff000);
  assert.equal(getField(0x23000052, CSW.fields.Size), 2);
  assert.equal(getField(0x23000052, CSW.fields.AddrInc), 1);
  assert.equal(setField(0, CSW.fields.AddrInc, 2), 0x20);
  assert.equal((DHCSR.encode({ C_DEBUGEN: 1, C_HALT: 1 }) | DBGKEY) >>> 0, 0xa05f0003);
  assert.deepEqual(FP_COMP_V1.decode(0x80001235), { REPLACE: 2, COMP: 0x48d, ENABLE: 1 });
  assert.deepEqual(setFlagNames(CTRL_STAT, 0xa0).sort(), ['STICKYERR', 'WDATAERR']);
});

test('CoreSight IDs: the Cortex-M3 ROM table PIDR and CIDR as the TRM lists them', () => {
  // PID0 0xC3, PID1 0xB4, PID2 0x0B, PID3 0x00, PID4 0x04 (Cortex-M3 TRM table 7.1)
  const pid = armPid(0x4c3, 0);
  assert.equal(pid % 0x100000000, 0x000bb4c3);
  assert.equal(Math.floor(pid / 0x100000000), 0x04);
  assert.equal(componentId(0x1), 0xb105100d);
  assert.equal(romEntryAddress(0xe00ff000, 0xfff0f003), 0xe000e000);
  assert.equal(romEntryAddress(0xe00fe000, 0x00001003), 0xe00ff000);
  assert.equal(fpNumCode(0x00000260), 6);
  assert.equal(fpNumCode(0x10000080), 8);
});
