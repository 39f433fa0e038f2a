// SimWire's block path (SwDp.apRun, MemAp.readRun/writeRun) against single packets: the
// same block done as DAP_TransferBlock and as a batch of that many single transfers on two
// identical boards must answer the same and leave DP, AP and memory in the same state.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createBoard } from '../../src/sim/boards/index.js';
import { BusFault } from '../../src/sim/bus.js';
import { attachDebug } from '../../src/sim/debug/debug-system.js';
import { SimWire } from '../../src/wire/sim-wire.js';
import { ones, bitsFromValue, type TransferRequest } from '../../src/wire/debug-wire.js';

const DEV = 0x70000000; // a test device: words read back what was written, offsets from 0x800 fault

async function connected(board: 'mps2-an385' | 'mps2-an500' = 'mps2-an385') {
  const b = createBoard(board);
  const store = new Uint32Array(0x400);
  b.bus.mapDevice('test device', DEV, 0x1000, {
    read(off: number) {
      if (off >= 0x800) throw new BusFault(DEV + off, false, 4);
      return store[off >>> 2] ^ 0x5a5a5a5a;
    },
    write(off: number, _size: number, v: number) {
      if (off >= 0x800) throw new BusFault(DEV + off, true, 4);
      store[off >>> 2] = v;
    },
  });
  for (let i = 0; i < 0x10000; i++) b.bus.write32(0x20000000 + 4 * i, Math.imul(i, 2654435761) >>> 0);
  const wire = new SimWire(attachDebug(b));
  await wire.swjSequence(56, ones(56));
  await wire.swjSequence(16, bitsFromValue(0xe79e, 16));
  await wire.swjSequence(60, ones(60));
  await wire.swjSequence(8, new Uint8Array([0]));
  const up = await wire.transfer([
    { ap: false, read: true, addr: 0x0 },
    { ap: false, read: false, addr: 0x4, value: 0x50000000 },
    { ap: false, read: true, addr: 0x4 },
  ]);
  assert.equal(up.ack, 'ok');
  return { board: b, wire };
}

/** CSW and TAR, then the block both ways; returns both results and the state after. */
async function both(csw: number, tar: number, read: boolean, count: number, board: 'mps2-an385' | 'mps2-an500' = 'mps2-an385') {
  const results = [];
  let fastPackets = 0;
  for (const mode of ['block', 'batch', 'single'] as const) {
    const { board: b, wire } = await connected(board);
    const setup = await wire.transfer([
      { ap: false, read: false, addr: 0x8, value: 0 },
      { ap: true, read: false, addr: 0x0, value: csw },
      { ap: true, read: false, addr: 0x4, value: tar },
    ]);
    assert.equal(setup.ack, 'ok');
    const data = Uint32Array.from({ length: count }, (_, i) => (0x1000 + i * 0x01010101) >>> 0);
    let res: { completed: number; ack: string; data: number[] };
    if (mode === 'block') {
      const dp = wire.debug.dp;
      const run = dp.apRun.bind(dp);
      dp.apRun = (...args: Parameters<typeof run>) => {
        const n = run(...args);
        fastPackets += n;
        return n;
      };
      const r = await wire.transferBlock({ ap: true, read, addr: 0xc }, count, read ? undefined : data);
      res = { completed: r.completed, ack: r.ack, data: read ? Array.from(r.data.subarray(0, r.completed)) : [] };
    } else {
      // 'single': the reference, every transfer a packet of its own (no run path in the DP)
      if (mode === 'single') wire.debug.dp.apRun = () => 0;
      const batch: TransferRequest[] = Array.from({ length: count }, (_, i) => (read ? { ap: true, read: true, addr: 0xc } : { ap: true, read: false, addr: 0xc, value: data[i] }));
      const r = await wire.transfer(batch);
      res = { completed: r.completed, ack: r.ack, data: read ? r.reads : [] };
    }
    // The state after: CTRL/STAT (sticky flags), then clear them and read TAR and RDBUFF.
    const cs = (await wire.transfer([{ ap: false, read: true, addr: 0x4 }])).reads[0];
    await wire.transfer([{ ap: false, read: false, addr: 0x0, value: 0x1e }]);
    const after = await wire.transfer([{ ap: false, read: true, addr: 0xc }, { ap: true, read: true, addr: 0x4 }, { ap: true, read: true, addr: 0x0 }]);
    const mem = Array.from({ length: 0x500 }, (_, i) => b.bus.read32(0x20000000 + 4 * i));
    const dev = Array.from({ length: 0x200 }, (_, i) => b.bus.read32(DEV + 4 * i));
    results.push({ res, cs, after: after.reads, mem, dev, stats: wire.stats.transfers });
  }
  const [blk, batched, single] = results;
  for (const [name, r] of [['block', blk], ['batch', batched]] as const) {
    assert.deepEqual(r.res, single.res, `${name}: answer`);
    assert.equal(r.cs.toString(16), single.cs.toString(16), `${name}: CTRL/STAT`);
    assert.deepEqual(r.after, single.after, `${name}: RDBUFF, TAR, CSW after`);
    assert.deepEqual(r.mem, single.mem, `${name}: RAM`);
    assert.deepEqual(r.dev, single.dev, `${name}: device`);
  }
  return { ...blk.res, fastPackets };
}

const WORD_INC = 0x23000012; // word size, single increment
const WORD_NOINC = 0x23000002;
const BYTE_INC = 0x23000010;

test('block reads match single packets: RAM, across the 4 KiB TAR wrap, no increment, bytes', async () => {
  const r = await both(WORD_INC, 0x20000100, true, 200);
  assert.equal(r.ack, 'ok');
  assert.equal(r.completed, 200);
  assert.equal(r.fastPackets, 200, 'the block path did the reads');
  await both(WORD_INC, 0x20000f00, true, 0x100); // wraps to 0x20000000
  await both(WORD_INC, 0x20000f02, true, 0x80); // unaligned TAR: word lanes
  await both(WORD_NOINC, 0x20000040, true, 16);
  await both(BYTE_INC, 0x20000041, true, 10);
  await both(WORD_INC, 0x20000f00, true, 0x100, 'mps2-an500'); // 1 KiB wrap on the M7
});

test('block reads match single packets when the AP faults: at once and part-way', async () => {
  const first = await both(WORD_INC, DEV + 0x800, true, 8);
  assert.equal(first.ack, 'fault');
  assert.equal(first.completed, 0);
  const mid = await both(WORD_INC, DEV + 0x7f0, true, 8);
  assert.equal(mid.ack, 'fault');
  assert.equal(mid.completed, 4);
  assert.equal(mid.fastPackets, 5, 'the block path stopped after the failed read');
  const last = await both(WORD_INC, DEV + 0x7f0, true, 5);
  assert.equal(last.ack, 'fault');
  assert.equal(last.completed, 4);
});

test('block writes match single packets: RAM with the wrap, a device that faults part-way', async () => {
  const r = await both(WORD_INC, 0x20000f80, false, 0x40);
  assert.equal(r.ack, 'ok');
  assert.equal(r.fastPackets, 0x40, 'the block path did the writes');
  await both(WORD_NOINC, 0x20000010, false, 8);
  await both(BYTE_INC, 0x20000013, false, 9);
  const f = await both(WORD_INC, DEV + 0x7f8, false, 6);
  assert.equal(f.ack, 'fault');
  assert.equal(f.completed, 3); // the failing write was acknowledged OK; the next one FAULTs
});

test('mixed batches (a pending AP read before a run, DP reads after, a fault part-way) match single packets', async () => {
  const batchOf = (tar: number): TransferRequest[] => [
    { ap: false, read: false, addr: 0x8, value: 0 },
    { ap: true, read: false, addr: 0x0, value: WORD_INC },
    { ap: true, read: false, addr: 0x4, value: tar },
    { ap: true, read: true, addr: 0x0 }, // CSW: pending when the run starts
    ...Array.from({ length: 12 }, () => ({ ap: true, read: true, addr: 0xc })),
    { ap: false, read: true, addr: 0x4 },
    { ap: true, read: false, addr: 0x4, value: tar },
    ...Array.from({ length: 6 }, (_, i) => ({ ap: true, read: false, addr: 0xc, value: 0x100 + i })),
    { ap: true, read: true, addr: 0x4 },
  ];
  for (const tar of [0x20000100, DEV + 0x7f0, DEV + 0x7e0, DEV + 0x800]) {
    const answers = [];
    for (const fast of [true, false]) {
      const { wire } = await connected();
      if (!fast) wire.debug.dp.apRun = () => 0;
      const r = await wire.transfer(batchOf(tar));
      const cs = (await wire.transfer([{ ap: false, read: true, addr: 0x4 }])).reads[0];
      answers.push({ r, cs });
    }
    assert.deepEqual(answers[0], answers[1], `TAR ${tar.toString(16)}`);
  }
});
