// The ADI layer over the simulator wire: batching, SELECT caching, WAIT retries,
// sticky error recovery, memory blocks across 1 KiB, packed transfers, discovery.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createBoard } from '../../src/sim/boards/index.js';
import { attachDebug } from '../../src/sim/debug/debug-system.js';
import { SimWire } from '../../src/wire/sim-wire.js';
import { Dap, MemAccessPort, MemoryAccessError, discoverAps, readComponent, findComponents } from '../../src/adi/index.js';

async function open(board = 'mps2-an385', opts: Parameters<typeof attachDebug>[1] = {}) {
  const b = createBoard(board);
  const wire = new SimWire(attachDebug(b, opts));
  const dap = new Dap(wire);
  await dap.connect();
  await dap.powerUp();
  const mem = await new MemAccessPort(dap, 0, { describeAddress: () => `no memory is mapped there on ${board}` }).init();
  return { b, wire, dap, mem };
}

test('connect from the power-on JTAG state, power up, discover the AHB-AP', async () => {
  const { dap } = await open();
  assert.equal(dap.dpidr, 0x5ba02477);
  const aps = await discoverAps(dap);
  assert.deepEqual(aps.map((a) => [a.apsel, a.kind, a.idr]), [[0, 'AHB-AP', 0x24770011]]);
});

test('connect wakes a DP from dormant state', async () => {
  const b = createBoard('mps2-an386');
  const dbg = attachDebug(b);
  dbg.dp.mode = 'dormant';
  const dap = new Dap(new SimWire(dbg));
  assert.equal(await dap.connect(), 0x5ba02477);
});

test('a batch is one round trip and SELECT is written only when it changes', async () => {
  const { wire, dap } = await open();
  const before = { ...wire.stats };
  const b = dap.batch();
  const r = [b.apRead(0, 0xfc), b.apRead(0, 0xf8), b.apRead(0, 0xf4), b.apRead(0, 0x00)];
  await b.run();
  assert.equal(wire.stats.batches - before.batches, 1);
  assert.equal(r[0].value, 0x24770011);
  assert.equal(r[1].value, 0xe00ff003);
  // 0xFC/0xF8/0xF4 share bank 0xF: one SELECT; then bank 0: a second one; + RDBUFF
  assert.equal(b.ops.filter((o) => o.what.includes('SELECT')).length, 2);
});

test('memory: 8/16/32-bit accesses, blocks across 1 KiB boundaries, unaligned edges', async () => {
  const { b, mem } = await open();
  const data = new Uint8Array(5000).map((_, i) => (i * 7 + 3) & 0xff);
  await mem.writeBlock(0x200003f1, data);
  assert.deepEqual(b.bus.read8(0x200003f1), data[0]);
  const back = await mem.readBlock(0x200003f1, data.length);
  assert.deepEqual(back, data);
  await mem.write16(0x20000002, 0xbeef);
  await mem.write8(0x20000001, 0x5a);
  assert.equal(await mem.read32(0x20000000), 0xbeef5a00 >>> 0);
  assert.equal(await mem.read16(0x20000002), 0xbeef);
  assert.equal(await mem.read8(0x20000003), 0xbe);
  // A Node Buffer at an odd offset of a larger pool (its slice() shares memory).
  const pool = Buffer.alloc(64, 0xee);
  const view = pool.subarray(3, 3 + 16);
  for (let i = 0; i < 16; i++) view[i] = i + 1;
  await mem.writeBlock(0x20000100, view);
  assert.deepEqual(await mem.readBlock(0x20000100, 16), Uint8Array.from(view));
});

test('packed 8- and 16-bit transfers where the AP has them (Cortex-M7), single ones elsewhere', async () => {
  for (const board of ['mps2-an500', 'mps2-an385']) {
    const { b, mem } = await open(board);
    for (let i = 0; i < 16; i++) b.bus.write8(0x20000100 + i, 0x10 + i);
    assert.equal(mem.packedSupported, board === 'mps2-an500');
    assert.deepEqual(await mem.readNarrow(1, 0x20000101, 6), [0x11, 0x12, 0x13, 0x14, 0x15, 0x16]);
    assert.deepEqual(await mem.readNarrow(2, 0x20000100, 3), [0x1110, 0x1312, 0x1514]);
  }
});

test('a bus fault becomes a clear error, and the next access works (sticky flags cleared)', async () => {
  const { mem } = await open();
  await assert.rejects(mem.read32(0x70000000), (e: unknown) => {
    assert.ok(e instanceof MemoryAccessError);
    assert.equal(e.message, 'read at 0x70000000 failed: bus fault (CTRL/STAT.STICKYERR) - no memory is mapped there on mps2-an385');
    return true;
  });
  // a block running off the end of mapped space: the error names the first unmapped word
  await assert.rejects(mem.readBlock(0x23fffff0, 64), /^MemoryAccessError: read at 0x24000000 failed: bus fault/);
  await mem.write32(0x20000000, 1);
  assert.equal(await mem.read32(0x20000000), 1);
  // A write is acknowledged before it is done: the fault must still be reported by the
  // write itself (single and block), and leave nothing sticky for the next access.
  await assert.rejects(mem.write32(0x70000000, 5), /^MemoryAccessError: write at 0x70000000 failed: bus fault/);
  assert.equal(await mem.read32(0x20000000), 1);
  await assert.rejects(mem.writeBlock(0x70000000, new Uint8Array(4)), /^MemoryAccessError: write at 0x70000000 failed: bus fault/);
  assert.equal(await mem.read32(0x20000000), 1);
});

test('WAIT: retried by the ADI layer (raising the wire retries) up to its limit, then ABORT and an error', async () => {
  const { mem, dap } = await open('mps2-an385', { ap: { busyPolls: 20 } });
  dap.setWaitRetries(0);
  await mem.write32(0x20000000, 0x1234);
  assert.equal(await mem.read32(0x20000000), 0x1234);
  assert.ok(dap.wireWaitRetries >= 20);
  const slow = await open('mps2-an385', { ap: { busyPolls: 1_000_000 } });
  slow.dap.setWaitRetries(0);
  // The write is accepted, but it never completes: the RDBUFF read that confirms it keeps getting WAIT.
  await assert.rejects(slow.mem.write32(0x20000000, 1), (e: unknown) => e instanceof MemoryAccessError && e.transferError?.ack === 'wait' && /^write at 0x20000000 failed: .*kept answering WAIT/.test(e.message));
  await assert.rejects(slow.mem.read32(0x20000000), (e: unknown) => e instanceof MemoryAccessError && e.transferError?.ack === 'wait' && /kept answering WAIT/.test(e.message));
});

test('ROM table walk finds SCS, DWT, FPB, ITM (and the M7 two-level layout)', async () => {
  for (const [board, parts] of [['mps2-an386', ['Cortex-M4 ROM table', 'Cortex-M4/M7 SCS', 'DWT', 'FPB (v1)', 'ITM', 'Cortex-M4 TPIU']], ['mps2-an500', ['Cortex-M7 processor ROM table', 'Cortex-M7 PPB ROM table', 'Cortex-M4/M7 SCS', 'DWT', 'FPB (v2)', 'ITM']], ['mps2-an385', ['Cortex-M3 ROM table', 'Cortex-M3 SCS', 'FPB (v1)', 'Cortex-M3 TPIU']]] as const) {
    const { mem } = await open(board);
    const tree = await readComponent(mem, mem.base & ~0xfff);
    const names = findComponents(tree, () => true).map((c) => c.name);
    for (const p of parts) assert.ok(names.includes(p), `${board}: ${p} in ${names.join(', ')}`);
  }
});
