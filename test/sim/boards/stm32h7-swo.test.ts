// SWO on the simulated STM32H743/H750 takes the chip's path: the Cortex-M7's ITM packets
// go through the SWO trace funnel (SWTF, port 0) to the SWO unit on the debug APB, which
// sets the pin's protocol and rate; only while SWTF CTRL.ENS0 and DBGMCU_CR.TRACECLKEN are
// set. A debugger sets it up as OpenOCD's stm32h7x.cfg does: DBGMCU and the ITM through
// AP0, the funnel and the SWO unit through the APB-AP (AP2). The core TPIU at 0xE0040000
// is not on the path.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { ProbeSession } from '../../../src/probe/session.js';
import { parseElf } from '../../../src/image/elf.js';
import { connectCortexM } from '../../../src/cortexm/connect.js';
import { MemAccessPort } from '../../../src/adi/index.js';
import { createBoard } from '../../../src/sim/boards/index.js';
import { attachDebug } from '../../../src/sim/debug/debug-system.js';
import type { Stm32h7Board } from '../../../src/sim/boards/stm32h7.js';
import { readAllSwo, runSimFor } from '../../support/sim-trace.js';

const elfOf = (board: string) => `firmware/build/${board}/stm32h7-itm-demo.elf`;
const ACPR = 31; // 64 MHz (HSI) / 32 = 2 Mbaud
const DBGMCU_CR = 0x5c001004;
const DBGMCU_CR_APBD = 0xe00e1004;
const TRACECLKEN = 1 << 20;
const SWO = 0xe00e3000; // on APB-D (AP2); the core sees it at 0x5C003000
const SWTF = 0xe00e4000; // on APB-D (AP2); the core sees it at 0x5C004000
const DEMCR = 0xe000edfc;

interface TraceSetup {
  /** DBGMCU_CR.TRACECLKEN (written through AP2 at 0xE00E1004). */
  traceClock?: boolean;
  /** SWTF CTRL.ENS0 (OpenOCD writes ENS0|ENS1). */
  funnel?: boolean;
  /** The SWO unit: FFCR 0x100 and ACPR/SPPR (default ACPR, 2: NRZ); false leaves it at reset (formatter on). */
  swoUnit?: boolean | { acpr: number; sppr: number };
  /** Also (or only) the core TPIU at 0xE0040000, with its own settings. */
  coreTpiu?: { acpr: number; sppr: number };
}

/** Open the board, load the demo, set up trace as a debugger would; the core is left halted at reset. */
async function tracedBoard(board: string, setup: TraceSetup) {
  const elfPath = elfOf(board);
  const session = ProbeSession.open(`sim:${board}`);
  const wire = session.wireFor('test');
  const conn = await connectCortexM(wire);
  const { core, mem } = conn;
  const image = parseElf(new Uint8Array(readFileSync(elfPath)), elfPath);
  // Flash contents as a factory programmer leaves them (flash programming through the
  // controller has its own tests).
  session.board.load(image);
  await core.reset({ halt: true });
  const ap2 = await new MemAccessPort(conn.dap, 2, {}).init();
  if (setup.traceClock ?? true) await ap2.write32(DBGMCU_CR_APBD, (await ap2.read32(DBGMCU_CR_APBD)) | TRACECLKEN);
  if (setup.funnel ?? true) await ap2.write32(SWTF + 0x000, (await ap2.read32(SWTF)) | 3); // ENS0 | ENS1
  const unit = setup.swoUnit ?? true;
  if (unit) {
    const { acpr, sppr } = unit === true ? { acpr: ACPR, sppr: 2 } : unit;
    await ap2.write32(SWO + 0x004, 1); // CSPSR: port size 1
    await ap2.write32(SWO + 0x010, acpr); // CODR
    await ap2.write32(SWO + 0x0f0, sppr); // SPPR: 2 NRZ
    await ap2.write32(SWO + 0x304, 0x100); // FFCR: TrigIn, formatter off
  }
  if (setup.coreTpiu) {
    await mem.write32(0xe0040004, 1);
    await mem.write32(0xe0040010, setup.coreTpiu.acpr);
    await mem.write32(0xe00400f0, setup.coreTpiu.sppr);
    await mem.write32(0xe0040304, 0x100);
  }
  await mem.write32(DEMCR, (await mem.read32(DEMCR)) | (1 << 24)); // TRCENA
  await mem.write32(0xe0000fb0, 0xc5acce55); // ITM LAR
  await mem.write32(0xe0000e80, 0x00010001); // TCR: ITMENA, TraceBusID 1
  await mem.write32(0xe0000e00, 1); // TER: port 0
  const runFor = (ms: number) => runSimFor(session, ms);
  const debug = session.simWire.debug;
  let pinBytes = 0;
  debug.swo.listen(() => pinBytes++);
  return { session, core, mem, ap2, image, swo: session.simWire.swo, runFor, pinBytes: () => pinBytes };
}

/** The text of an ITM stream made only of 1-byte port-0 packets. */
function port0Text(bytes: number[]): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 2) {
    assert.equal(bytes[i], 0x01, `port-0 byte header at ${i}`);
    assert.ok(i + 1 < bytes.length, 'a whole packet');
    text += String.fromCharCode(bytes[i + 1]);
  }
  return text;
}

/** Capture `ms` of the demo's trace at the SWO unit's rate; halts before stopping the capture. */
async function capture(t: Awaited<ReturnType<typeof tracedBoard>>, ms: number) {
  const baud = t.session.board.clock.hz / (ACPR + 1);
  assert.equal(t.session.board.clock.hz, 64_000_000, 'HSI after reset');
  assert.equal(await t.swo.configure('uart', baud), baud);
  await t.swo.start();
  await t.core.resume();
  await t.runFor(ms);
  await t.core.halt();
  await t.swo.stop();
  const { data, reads } = await readAllSwo(t.swo);
  return { data, reads, error: reads.some((r) => r.error), overrun: reads.some((r) => r.overrun) };
}

for (const board of ['stm32h743', 'stm32h750']) {
  const skip = !existsSync(elfOf(board)) && `${elfOf(board)} not built`;

  test(`${board}: with TRACECLKEN, SWTF ENS0 and the SWO unit set up, the demo's lines arrive in order`, { skip }, async () => {
    const t = await tracedBoard(board, {});
    try {
      const { data, error, overrun } = await capture(t, 55);
      assert.ok(!error && !overrun, 'no error, no overrun');
      const text = port0Text(data);
      const lines = text.split('\n').slice(0, -1);
      assert.ok(lines.length >= 4, `at least 4 lines in 55 ms (got ${JSON.stringify(text)})`);
      assert.deepEqual(lines, lines.map((_, n) => `h7-itm: line ${n}`));
      assert.ok(text.endsWith('\n'), 'halted, the pin drained whole lines');
      assert.equal(await t.mem.read32(t.image.symbol('itm_lines')!), lines.length);
    } finally {
      await t.session.close();
    }
  });
}

const skip743 = !existsSync(elfOf('stm32h743')) && `${elfOf('stm32h743')} not built`;

for (const [what, setup] of [
  ['without DBGMCU_CR.TRACECLKEN', { traceClock: false }],
  ['without SWTF CTRL.ENS0', { funnel: false }],
] as const) {
  test(`stm32h743: ${what} nothing reaches the pin, and the firmware keeps running (FIFOREADY reads 1)`, { skip: skip743 }, async () => {
    const t = await tracedBoard('stm32h743', setup);
    try {
      const { data, error } = await capture(t, 35);
      assert.deepEqual(data, []);
      assert.equal(error, false);
      assert.equal(t.pinBytes(), 0, 'no byte left the pin in any protocol');
      assert.ok((await t.mem.read32(t.image.symbol('ticks')!)) >= 3, 'SysTick ran');
      assert.ok((await t.mem.read32(t.image.symbol('itm_lines')!)) >= 3, 'the lines were "sent": the funnel dropped them');
    } finally {
      await t.session.close();
    }
  });
}

test('stm32h743: the core TPIU at 0xE0040000 alone sends nothing; with the real path set up its settings are ignored', { skip: skip743 }, async () => {
  let t = await tracedBoard('stm32h743', { traceClock: false, funnel: false, swoUnit: false, coreTpiu: { acpr: ACPR, sppr: 2 } });
  try {
    const { data, error } = await capture(t, 25);
    assert.deepEqual(data, []);
    assert.equal(error, false);
    assert.equal(t.pinBytes(), 0);
    assert.ok((await t.mem.read32(t.image.symbol('itm_lines')!)) >= 2);
  } finally {
    await t.session.close();
  }
  // Everything enabled, the SWO unit at Manchester, CODR 0: the core TPIU's NRZ at ACPR 31
  // does not make the pin send NRZ at 2 Mbaud.
  t = await tracedBoard('stm32h743', { swoUnit: { acpr: 0, sppr: 1 }, coreTpiu: { acpr: ACPR, sppr: 2 } });
  try {
    const { data, error } = await capture(t, 25);
    assert.deepEqual(data, []);
    assert.equal(error, true, 'bytes left the pin, at the SWO unit\'s protocol and rate');
    assert.ok(t.pinBytes() > 0);
  } finally {
    await t.session.close();
  }
  // The SWO unit set up as usual, the core TPIU at other settings: the capture still decodes.
  t = await tracedBoard('stm32h743', { coreTpiu: { acpr: 63, sppr: 1 } });
  try {
    const { data, error } = await capture(t, 25);
    assert.equal(error, false);
    assert.match(port0Text(data), /^h7-itm: line 0\nh7-itm: line 1\n/);
  } finally {
    await t.session.close();
  }
});

test('stm32h743: SWTF and the SWO unit through AP2 and at 0x5C004000/0x5C003000 from the core: same registers, ID kept', async () => {
  const session = ProbeSession.open('sim:stm32h743');
  try {
    const conn = await connectCortexM(session.wireFor('test'));
    const { mem } = conn;
    const ap2 = await new MemAccessPort(conn.dap, 2, {}).init();
    // Identity: SWO part 0x914 DEVTYPE 0x11, SWTF part 0x908 DEVTYPE 0x12 (CoreSight class).
    const part = async (base: number) => ((await ap2.read32(base + 0xfe0)) & 0xff) | (((await ap2.read32(base + 0xfe4)) & 0xf) << 8);
    assert.equal(await part(SWO), 0x914);
    assert.equal(await ap2.read32(SWO + 0xfcc), 0x11);
    assert.equal((await ap2.read32(SWO + 0xff4)) >>> 4, 0x9);
    assert.equal(await part(SWTF), 0x908);
    assert.equal(await ap2.read32(SWTF + 0xfcc), 0x12);
    assert.equal(await mem.read32(0x5c004fe0), 0x08, 'ID registers in the core view too');
    // Reset values: SWTF CTRL hold time 3, no port enabled; SWO unit Manchester, CODR 0.
    assert.equal(await ap2.read32(SWTF), 0x300);
    assert.equal(await ap2.read32(SWO + 0x0f0), 1);
    // The funnel written from AP2 reads back from the core and the other way round.
    await ap2.write32(SWTF, 0x303);
    assert.equal(await mem.read32(0x5c004000), 0x303);
    await mem.write32(0x5c004000, 0x301);
    assert.equal(await ap2.read32(SWTF), 0x301);
    await mem.write32(0x5c004004, 0x2a); // PRIORITY: plain storage
    assert.equal(await ap2.read32(SWTF + 0x004), 0x2a);
    // The SWO unit from the core.
    await mem.write32(0x5c003010, 99);
    await mem.write32(0x5c0030f0, 2);
    assert.equal(await ap2.read32(SWO + 0x010), 99);
    assert.equal(await ap2.read32(SWO + 0x0f0), 2);
    const b = session.board as Stm32h7Board;
    assert.equal(b.swoUnit.acpr, 99);
    // A system reset keeps the debug-domain trace set-up.
    await conn.core.reset({ halt: true });
    assert.equal(await ap2.read32(SWTF), 0x301);
    assert.equal(await ap2.read32(SWO + 0x010), 99);
  } finally {
    await session.close();
  }
});

test('stm32h743: the gate follows ENS0 and TRACECLKEN; closed, FIFOREADY reads 1 and packets are dropped', () => {
  const b = createBoard('stm32h743') as Stm32h7Board;
  const debug = attachDebug(b);
  b.reset();
  const bus = b.bus;
  const got: number[] = [];
  debug.swo.listen((byte) => got.push(byte));
  bus.write32(DEMCR, bus.read32(DEMCR) | (1 << 24));
  bus.write32(0x5c0030f0, 2);
  bus.write32(0x5c003304, 0x100);
  bus.write32(0xe0000e80, 1);
  bus.write32(0xe0000e00, 1);
  const send = (c: number) => {
    b.cpu.halted = true; // halted: the pin drains at once
    assert.equal(bus.read32(0xe0000000) & 1, 1, 'FIFOREADY');
    bus.write8(0xe0000000, c);
    debug.swo.sync();
  };
  assert.equal(debug.swo.connected, false, 'closed after reset');
  for (let i = 0; i < 40; i++) send(0x30); // more than the FIFO holds: no overflow either
  assert.deepEqual(got, []);
  bus.write32(DBGMCU_CR, TRACECLKEN);
  assert.equal(debug.swo.connected, false, 'the trace clock alone');
  send(0x31);
  bus.write32(DBGMCU_CR, 0);
  bus.write32(0x5c004000, 1);
  assert.equal(debug.swo.connected, false, 'ENS0 alone');
  send(0x32);
  bus.write32(DBGMCU_CR, TRACECLKEN);
  assert.equal(debug.swo.connected, true);
  send(0x33);
  assert.deepEqual(got, [0x01, 0x33]);
  bus.write32(0x5c004000, 2); // ENS1 only: the core's port is closed again
  send(0x34);
  assert.deepEqual(got, [0x01, 0x33]);
});
