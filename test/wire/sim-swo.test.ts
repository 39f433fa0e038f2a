// SWO end to end on the simulator: a debugger loads itm-demo.elf through the AHB-AP, sets
// up the TPIU (NRZ, ACPR 11: 25 MHz / 12 = 2.083 Mbaud, formatter off) and the ITM, and
// captures the trace through the wire's SwoCapture while the board runs in the background.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { ProbeSession } from '../../src/probe/session.js';
import { parseElf } from '../../src/image/elf.js';
import { connectCortexM } from '../../src/cortexm/connect.js';
import { SIM_SWO_BUFFER_SIZE, SimSwoCapture } from '../../src/wire/sim-swo.js';
import { readAllSwo, runSimFor } from '../support/sim-trace.js';

const elfOf = (board: string) => `firmware/build/${board}/itm-demo.elf`;
const elfPath = elfOf('mps2-an385');
const skip = !existsSync(elfPath) && `${elfPath} not built`;
const ACPR = 11;
const BAUD = 25_000_000 / (ACPR + 1);

/** Software-source packets of an ITM byte stream (all this firmware sends), plus overflows. */
function decodeItm(bytes: Uint8Array): { port: number; value: number; size: number }[] {
  const out: { port: number; value: number; size: number }[] = [];
  for (let i = 0; i < bytes.length; ) {
    const h = bytes[i++];
    if (h === 0x70) {
      out.push({ port: -1, value: 0, size: 0 });
      continue;
    }
    assert.ok((h & 3) !== 0 && (h & 4) === 0, `software-source header expected, got 0x${h.toString(16)} at ${i - 1}`);
    const size = [0, 1, 2, 4][h & 3];
    assert.ok(i + size <= bytes.length, 'a whole packet');
    let value = 0;
    for (let k = 0; k < size; k++) value |= bytes[i + k] << (8 * k);
    i += size;
    out.push({ port: h >>> 3, value: value >>> 0, size });
  }
  return out;
}

/** Open the board, load the image and set up trace as a debugger would; the core is left halted at reset. */
async function tracedBoard(opts: { tpiu?: boolean; board?: string; bufferSize?: number } = {}) {
  const board = opts.board ?? 'mps2-an385';
  const elfPath = elfOf(board);
  const session = ProbeSession.open(`sim:${board}`);
  const wire = session.wireFor('test');
  const { core, mem } = await connectCortexM(wire);
  const image = parseElf(new Uint8Array(readFileSync(elfPath)), elfPath);
  await core.reset({ halt: true });
  for (const c of image.loadChunks()) await mem.writeBlock(c.addr, c.data);
  await core.reset({ halt: true });
  await mem.write32(0xe000edfc, (await mem.read32(0xe000edfc)) | (1 << 24)); // DEMCR.TRCENA
  if (opts.tpiu ?? true) {
    await mem.write32(0xe0040004, 1); // CSPSR: port size 1
    await mem.write32(0xe0040010, ACPR);
    await mem.write32(0xe00400f0, 2); // SPPR: SWO NRZ
    await mem.write32(0xe0040304, 0x100); // FFCR: TrigIn, formatter off
  }
  await mem.write32(0xe0000fb0, 0xc5acce55); // ITM LAR
  await mem.write32(0xe0000e80, 0x00010001); // TCR: ITMENA, TraceBusID 1
  await mem.write32(0xe0000e00, 3); // TER: ports 0 and 1
  const runFor = (ms: number) => runSimFor(session, ms);
  const swo = opts.bufferSize ? new SimSwoCapture(session.simWire.debug.swo, opts.bufferSize) : wire.swo!;
  return { session, core, mem, image, swo, runFor };
}

test('the simulator wire has an SWO capture on the board pin', { skip }, async () => {
  const session = ProbeSession.open('sim:mps2-an385');
  try {
    const swo = session.simWire.swo;
    assert.ok(swo instanceof SimSwoCapture);
    assert.equal(session.simWire.swo, swo, 'one per wire');
    assert.deepEqual(swo.modes, ['uart', 'manchester']);
    assert.equal(swo.bufferSize, SIM_SWO_BUFFER_SIZE);
    assert.equal(await swo.configure('uart', 115200), 115200);
    assert.equal(await swo.configure('uart', 0), 0);
    assert.equal(await swo.configure('uart', 200e6), 0);
    const r = await swo.read(100);
    assert.deepEqual({ ...r, data: [...r.data] }, { data: [], active: false, pending: 0, overrun: false, error: false });
  } finally {
    await session.close();
  }
});

for (const board of ['mps2-an385', 'mps2-an386', 'mps2-an500']) {
  test(`itm-demo lines and port-1 words arrive in order through the capture on ${board}`, { skip: !existsSync(elfOf(board)) && `${elfOf(board)} not built` }, async () => {
    const { session, core, mem, image, swo, runFor } = await tracedBoard({ board });
    try {
      assert.equal(session.board.clock.hz, 25_000_000, 'ACPR 11 gives BAUD');
      assert.equal(await swo.configure('uart', Math.round(BAUD)), Math.round(BAUD));
      await swo.start();
      await core.resume();
      await runFor(55);
      // Halted, the trace port drains its FIFO (the ITM queues whole packets): a stop
      // while the core runs could cut the packet on the pin.
      await core.halt();
      await swo.stop();
      const { data, reads } = await readAllSwo(swo);
      assert.ok(reads.every((r) => !r.overrun && !r.error), 'no overrun, no error');
      assert.equal(reads.at(-1)!.active, false);
      const packets = decodeItm(Uint8Array.from(data));
      const text = Buffer.from(packets.filter((p) => p.port === 0).map((p) => p.value)).toString('latin1');
      const words = packets.filter((p) => p.port === 1);
      assert.ok(packets.every((p) => (p.port === 0 && p.size === 1) || (p.port === 1 && p.size === 4)), 'byte writes on port 0, words on port 1');
      const lines = text.split('\n').slice(0, -1);
      assert.ok(lines.length >= 4, `at least 4 lines in 55 ms (got ${JSON.stringify(text)})`);
      assert.deepEqual(lines, lines.map((_, n) => `itm-demo: line ${n}`));
      assert.deepEqual(words.map((w) => w.value), lines.map((_, n) => n * n));
      // each word N*N follows line N's newline
      let done = 0;
      for (const p of packets) {
        if (p.port === 1) assert.equal(p.value, (done - 1) * (done - 1));
        else if (p.value === 0x0a) done++;
      }
      assert.ok((await mem.read32(image.symbol('itm_lines')!)) >= lines.length);
    } finally {
      await session.close();
    }
  });
}

test('a capture at a 10% wrong baud or in the wrong mode sees errors and keeps nothing', { skip }, async () => {
  const { session, core, swo, runFor } = await tracedBoard();
  try {
    await swo.configure('uart', Math.round(BAUD * 1.1));
    await swo.start();
    await core.resume();
    await runFor(25);
    let r = await swo.read(1024);
    assert.equal(r.error, true);
    assert.equal(r.data.length, 0);
    assert.equal(r.pending, 0);
    assert.equal(r.active, true);
    await swo.stop();
    await swo.configure('manchester', Math.round(BAUD));
    await swo.start();
    await runFor(25);
    r = await swo.read(1024);
    assert.equal(r.error, true);
    assert.equal(r.data.length, 0);
    await swo.stop();
    await swo.configure('uart', Math.round(BAUD * 1.02)); // within 3%: fine
    await swo.start();
    await runFor(25);
    r = await swo.read(1024);
    assert.equal(r.error, false);
    assert.ok(r.data.length > 0);
  } finally {
    await session.close();
  }
});

test('reading too rarely overruns the buffer; the flag is reported once', { skip }, async () => {
  const { session, core, swo, runFor } = await tracedBoard({ bufferSize: 8192 });
  try {
    await swo.configure('uart', Math.round(BAUD));
    await swo.start();
    await core.resume();
    // about 41 bytes every 10 ms: 8192 bytes take some 2 s of simulated time
    await runFor(2500);
    let r = await swo.read(16);
    assert.equal(r.overrun, true);
    assert.equal(r.data.length, 16);
    assert.equal(r.pending, 8192 - 16);
    r = await swo.read(0);
    assert.equal(r.overrun, false, 'reported once');
    assert.equal(r.data.length, 0);
  } finally {
    await session.close();
  }
});

test('with the TPIU left at its reset settings (formatter on) nothing reaches the capture', { skip }, async () => {
  const { session, core, swo, runFor } = await tracedBoard({ tpiu: false });
  try {
    await swo.configure('uart', Math.round(BAUD));
    await swo.start();
    await core.resume();
    await runFor(25);
    const r = await swo.read(1024);
    assert.equal(r.data.length, 0);
    assert.equal(r.error, false, 'formatter frames are not modelled: the pin stays idle');
  } finally {
    await session.close();
  }
});
