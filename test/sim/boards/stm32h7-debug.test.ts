// The STM32H7's debug port through the host ADI stack (src/adi over the simulator wire):
// DPIDR 0x6BA02477, AP0/AP1 AHB-APs and the AP2 APB-AP, DBGMCU IDCODE through AP0 at
// 0x5C001000 and through AP2 at 0xE00E1000, the APB-D ROM table, and flash programming
// by a debugger through the controller.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createBoard } from '../../../src/sim/boards/index.js';
import { attachDebug } from '../../../src/sim/debug/debug-system.js';
import { SimWire } from '../../../src/wire/sim-wire.js';
import { Dap, MemAccessPort, discoverAps, readComponent } from '../../../src/adi/index.js';
import { Stm32h7Board } from '../../../src/sim/boards/stm32h7.js';

async function open(name = 'stm32h743') {
  const b = createBoard(name) as Stm32h7Board;
  const dbg = attachDebug(b);
  b.reset();
  const dap = new Dap(new SimWire(dbg));
  await dap.connect();
  await dap.powerUp();
  const describeAddress = () => `no memory is mapped there on ${name}`;
  const ap0 = await new MemAccessPort(dap, 0, { describeAddress }).init();
  return { b, dap, ap0, describeAddress };
}

test('DPIDR, TARGETID and the three access ports OpenOCD\'s stm32h7x.cfg expects', async () => {
  const { dap } = await open();
  assert.equal(dap.dpidr, 0x6ba02477);
  const aps = await discoverAps(dap);
  assert.deepEqual(aps.map((a) => [a.apsel, a.kind, a.idr]), [[0, 'AHB-AP', 0x84770001], [1, 'AHB-AP', 0x84770001], [2, 'APB-AP', 0x54770002]]);
});

test('DBGMCU IDCODE through AP0 (system bus) and AP2 (debug APB); DBGMCU_CR written through AP2 reads back through AP0', async () => {
  const { dap, ap0, describeAddress } = await open();
  assert.equal(await ap0.read32(0x5c001000), 0x20036450);
  const ap2 = await new MemAccessPort(dap, 2, { describeAddress }).init();
  assert.equal(await ap2.read32(0xe00e1000), 0x20036450);
  await ap2.write32(0xe00e1004, 0x00700007); // D1DBGCKEN D3DBGCKEN TRACECLKEN + low-power debug
  assert.equal(await ap0.read32(0x5c001004), 0x00700007);
  const rom = await readComponent(ap2, 0xe00e0000, 1);
  assert.equal(rom.cls, 1, 'APB-D ROM table');
  assert.deepEqual(rom.children.map((c) => c.address), [0xe00e1000, 0xe00e3000, 0xe00e4000, 0xe00f5000]);
  // AP1 reaches the D3 domain only.
  const ap1 = await new MemAccessPort(dap, 1, { describeAddress }).init();
  await ap1.write32(0x38000000, 0x5eed0001);
  assert.equal(await ap0.read32(0x38000000), 0x5eed0001, 'SRAM4 seen by AP0 and AP1');
  await assert.rejects(ap1.read32(0x24000000), 'AXI SRAM is not on the D3 bus');
});

test('a debugger programs flash through the controller (halted core: SR polls end the operations)', async () => {
  const { b, ap0 } = await open();
  b.cpu.halted = true;
  const F = 0x52002000;
  await ap0.write32(F + 0x04, 0x45670123);
  await ap0.write32(F + 0x04, 0xcdef89ab);
  await ap0.write32(F + 0x0c, (3 << 8) | (1 << 2) | (1 << 7)); // erase sector 3
  let polls = 0;
  while ((await ap0.read32(F + 0x10)) & 4) assert.ok(++polls < 20);
  await ap0.write32(F + 0x14, 0x0fef0000);
  await ap0.write32(F + 0x0c, 1 << 1); // PG
  const data = new Uint8Array(256).map((_, i) => (i * 13 + 1) & 0xff);
  await ap0.writeBlock(0x08060000, data);
  while ((await ap0.read32(F + 0x10)) & 4) assert.ok(++polls < 40);
  assert.equal((await ap0.read32(F + 0x10)) & 0x006e0000, 0, 'no error flag');
  assert.deepEqual(await ap0.readBlock(0x08060000, 256), data);
  // Writing the same flash words again: OPERR, as on silicon the words cannot be rewritten.
  await ap0.writeBlock(0x08060000, new Uint8Array(32));
  while ((await ap0.read32(F + 0x10)) & 4) assert.ok(++polls < 60);
  assert.equal((await ap0.read32(F + 0x10)) & 0x00400000, 0x00400000);
});
