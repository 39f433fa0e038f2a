// The simulator's DebugWire: DAP_Transfer semantics over the simulated SW-DP.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createBoard } from '../../src/sim/boards/index.js';
import { attachDebug } from '../../src/sim/debug/debug-system.js';
import { SimWire } from '../../src/wire/sim-wire.js';
import { ones, bitsFromValue } from '../../src/wire/debug-wire.js';

async function connected(opts: Parameters<typeof attachDebug>[1] = {}) {
  const board = createBoard('mps2-an385');
  const wire = new SimWire(attachDebug(board, opts));
  await wire.swjSequence(56, ones(56));
  await wire.swjSequence(16, bitsFromValue(0xe79e, 16));
  await wire.swjSequence(60, ones(60));
  await wire.swjSequence(8, new Uint8Array([0]));
  return { board, wire };
}

test('before the JTAG-to-SWD switch nothing answers', async () => {
  const wire = new SimWire(attachDebug(createBoard('mps2-an385')));
  const r = await wire.transfer([{ ap: false, read: true, addr: 0 }]);
  assert.deepEqual(r, { completed: 0, ack: 'no-ack', reads: [] });
});

test('reads return their own values: the posted AP read is collected through RDBUFF', async () => {
  const { board, wire } = await connected();
  board.bus.write32(0x20000000, 0xaabbccdd);
  board.bus.write32(0x20000004, 0x11223344);
  const r = await wire.transfer([
    { ap: false, read: true, addr: 0x0 },
    { ap: false, read: false, addr: 0x4, value: 0x50000000 },
    { ap: true, read: false, addr: 0x0, value: 0x03000012 },
    { ap: true, read: false, addr: 0x4, value: 0x20000000 },
    { ap: true, read: true, addr: 0xc },
    { ap: true, read: true, addr: 0xc },
    { ap: true, read: true, addr: 0x4 },
    { ap: false, read: true, addr: 0x4 },
  ]);
  assert.equal(r.ack, 'ok');
  assert.equal(r.completed, 8);
  assert.equal(r.reads[0], 0x5ba02477);
  assert.deepEqual(r.reads.slice(1, 4), [0xaabbccdd, 0x11223344, 0x20000008]);
  assert.equal(r.reads[4] >>> 28, 0xf);
  const blk = await wire.transferBlock({ ap: true, read: true, addr: 0xc }, 2);
  assert.equal(blk.ack, 'ok');
  assert.equal(blk.completed, 2);
});

test('a batch stops at the first FAULT and says how far it got', async () => {
  const { wire } = await connected();
  const r = await wire.transfer([
    { ap: false, read: true, addr: 0x0 },
    { ap: true, read: true, addr: 0xc }, // not powered up: STICKYERR
    { ap: false, read: true, addr: 0x0 },
  ]);
  assert.equal(r.ack, 'fault');
  assert.equal(r.completed, 1, 'the AP read never delivered its value');
  assert.equal(r.reads.length, 1);
});

test('WAIT is retried by the wire up to waitRetries, then reported', async () => {
  const { wire } = await connected({ ap: { busyPolls: 3 } });
  await wire.transfer([{ ap: false, read: true, addr: 0 }, { ap: false, read: false, addr: 0x4, value: 0x50000000 }]);
  wire.configure({ waitRetries: 1 });
  const r = await wire.transfer([{ ap: true, read: false, addr: 0xc, value: 1 }, { ap: true, read: true, addr: 0x0 }]);
  assert.equal(r.ack, 'wait');
  assert.equal(r.completed, 1);
  wire.configure({ waitRetries: 8 });
  const ok = await wire.transfer([{ ap: true, read: true, addr: 0x0 }]);
  assert.equal(ok.ack, 'ok');
});
