// FlashLoader (gdb's vFlash* calls) and programImage (the CLI's) on the STM32H743
// simulation: writes merged whatever the packet boundaries, only touched sectors
// erased, RAM segments written, verification that catches a wrong byte, and segments
// that are neither flash nor RAM refused.
import test from 'node:test';
import assert from 'node:assert/strict';
import { ProbeSession } from '../../src/probe/session.js';
import { connectCortexM } from '../../src/cortexm/connect.js';
import { detectTarget, FlashError, FlashLoader, programImage, type FlashDriver } from '../../src/targets/index.js';
import { mergeWrites } from '../../src/targets/flash-loader.js';
import { seededBytes } from '../support/patterns.js';


async function open() {
  const session = ProbeSession.open('sim:stm32h743');
  const conn = await connectCortexM(session.wireFor('test'));
  await conn.core.halt();
  const info = await detectTarget(conn);
  return { session, conn, info, flash: info.flash! };
}

test('mergeWrites: packets split anywhere join into whole units; later writes win; whole erased units are not programmed', () => {
  const a = seededBytes(100, 1);
  const runs = mergeWrites(
    [
      { address: 0x1005, data: a.subarray(0, 37) },
      { address: 0x1005 + 37, data: a.subarray(37) },
      { address: 0x1010, data: Uint8Array.of(0xaa) }, // overlaps, later: wins
      { address: 0x1100, data: Uint8Array.of(1, 2) }, // after a gap of whole units: its own run
    ],
    32,
  );
  assert.deepEqual(runs.map((r) => [r.address, r.data.length]), [[0x1000, 128], [0x1100, 32]]);
  const expect = new Uint8Array(128).fill(0xff);
  expect.set(a, 5);
  expect[0x10] = 0xaa;
  assert.deepEqual(runs[0]!.data, expect);
  assert.deepEqual([...runs[1]!.data.subarray(0, 3)], [1, 2, 0xff]);
  // A write that starts in the last (partial) unit of the previous one joins it.
  const two = mergeWrites([{ address: 0, data: new Uint8Array(40) }, { address: 50, data: new Uint8Array(4) }], 32);
  assert.deepEqual(two.map((r) => [r.address, r.data.length]), [[0, 64]]);
});

test('FlashLoader: gdb-sized unaligned packets over both banks program at done(); abort drops what is pending', async () => {
  const { session, conn, flash } = await open();
  try {
    const data = seededBytes(300_000, 5);
    const base = 0x080d0003;
    const loader = new FlashLoader(flash);
    await loader.erase(0x080c0000, 0x80000);
    for (let off = 0; off < data.length; off += 4093) await loader.write(base + off, data.subarray(off, off + 4093));
    assert.equal(loader.pending, data.length);
    await loader.done();
    assert.equal(loader.erasedBytes, 0x80000);
    assert.deepEqual(await conn.mem.readBlock(base, data.length), data);
    assert.equal((await conn.mem.read32(0x5200200c)) & 1, 1, 'bank 1 locked');
    assert.equal((await conn.mem.read32(0x5200210c)) & 1, 1, 'bank 2 locked');

    const second = new FlashLoader(flash);
    await second.erase(0x08000000, 32);
    await second.write(0x08000000, seededBytes(64, 6));
    await second.abort();
    assert.equal(await conn.mem.read32(0x08000000), 0xffffffff, 'nothing programmed after abort');
    assert.equal((await conn.mem.read32(0x5200200c)) & 1, 1, 'locked after abort');

    await assert.rejects(new FlashLoader(flash).write(0x24000000, new Uint8Array(4)), /not inside the flash of STM32H7 flash/);
  } finally {
    await session.close();
  }
});

test('programImage: erases only the sectors touched, programs flash, writes RAM, verifies', async () => {
  const { session, conn, info, flash } = await open();
  try {
    // Something in sector 3 that must survive (the image does not touch it).
    await flash.program(0x08060000, Uint8Array.of(1, 2, 3, 4));
    await flash.done();
    const code = seededBytes(0x20010, 1); // sector 0 and the start of sector 1
    const tail = seededBytes(1000, 2); // in bank 2
    const ram = seededBytes(4096, 3);
    const phases = new Set<string>();
    const r = await programImage(conn.mem, flash, [
      { address: 0x08000000, data: code },
      { address: 0x08100100, data: tail },
      { address: 0x24000000, data: ram },
    ], { verify: true, memoryMap: info.memoryMap, progress: (p) => phases.add(p) });
    assert.deepEqual(r, { erasedBytes: 3 * 0x20000, programmedBytes: 0x20020 + 1024, verifiedBytes: code.length + tail.length + ram.length });
    assert.deepEqual([...phases].sort(), ['erase', 'program', 'verify']);
    assert.deepEqual(await conn.mem.readBlock(0x08000000, code.length), code);
    assert.deepEqual(await conn.mem.readBlock(0x08100100, tail.length), tail);
    assert.deepEqual(await conn.mem.readBlock(0x24000000, ram.length), ram);
    assert.deepEqual([...(await conn.mem.readBlock(0x08060000, 4))], [1, 2, 3, 4]);

    // eraseAll: the whole flash goes.
    const all = await programImage(conn.mem, flash, [{ address: 0x08000000, data: code.subarray(0, 64) }], { eraseAll: true, verify: true });
    assert.equal(all.erasedBytes, 2 * 1024 * 1024);
    assert.equal(await conn.mem.read32(0x08060000), 0xffffffff);
  } finally {
    await session.close();
  }
});

test('programImage refuses segments outside flash and RAM, and verify names the first wrong byte', async () => {
  const { session, conn, info, flash } = await open();
  try {
    await assert.rejects(
      programImage(conn.mem, flash, [{ address: 0x60000000, data: new Uint8Array(16) }], { memoryMap: info.memoryMap }),
      (e: unknown) => e instanceof FlashError && /segment at 0x60000000 \(16 bytes\) is neither flash nor RAM/.test(e.message) && /AXI SRAM/.test(e.message),
    );
    // A driver that flips one bit of what it programs: verification finds it.
    const lying: FlashDriver = {
      name: flash.name,
      regions: flash.regions,
      erase: (a, l, p) => flash.erase(a, l, p),
      eraseMass: (p) => flash.eraseMass(p),
      done: () => flash.done(),
      program: (a, d, p) => {
        const copy = d.slice();
        copy[100]! ^= 0x10;
        return flash.program(a, copy, p);
      },
    };
    const data = seededBytes(256, 4);
    await assert.rejects(programImage(conn.mem, lying, [{ address: 0x08020000, data }], { verify: true }), (e: unknown) => {
      assert.ok(e instanceof FlashError);
      assert.equal(e.address, 0x08020064);
      assert.match(e.message, /verify failed at 0x08020064: wrote 0x[0-9a-f]{2}, read back 0x[0-9a-f]{2}/);
      return true;
    });
  } finally {
    await session.close();
  }
});
