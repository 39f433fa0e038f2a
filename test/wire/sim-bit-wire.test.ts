// The whole stack over the bit-level wire: every DP/AP transfer becomes an SWD packet
// clocked through the simulated pins. The answers must equal those of the
// register-level SimWire, which takes the shortcut.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { ProbeSession } from '../../src/probe/session.js';
import { SimBitWire } from '../../src/wire/sim-bit-wire.js';
import type { DebugWire } from '../../src/wire/debug-wire.js';
import { connectCortexM } from '../../src/cortexm/connect.js';
import { readComponent, formatComponentTree } from '../../src/adi/rom-table.js';
import { parseElf } from '../../src/image/elf.js';

/** The bit wire, waking the session's run loop after each call as the session's own wires do. */
function bitWire(session: ProbeSession): SimBitWire & DebugWire {
  const w = new SimBitWire(session.debug.swj, `bits:${session.description}`, (a) => session.debug.setNrst(a));
  for (const k of ['transfer', 'transferBlock', 'swjSequence', 'swdSequence', 'setReset'] as const) {
    const f = (w[k] as (...a: unknown[]) => Promise<unknown>).bind(w);
    (w as unknown as Record<string, unknown>)[k] = async (...a: unknown[]) => {
      const r = await f(...a);
      session.wake();
      return r;
    };
  }
  return w;
}

test('connect, ROM table, memory and a breakpoint over SWD packets clocked bit by bit', { skip: !existsSync('firmware/build/mps2-an386/demo.elf') }, async () => {
  const a = ProbeSession.open('sim:mps2-an386');
  const b = ProbeSession.open('sim:mps2-an386');
  try {
    const wire = bitWire(a);
    const viaBits = await connectCortexM(wire);
    const viaRegs = await connectCortexM(b.wireFor('test'));
    assert.equal(viaBits.dap.dpidr, viaRegs.dap.dpidr);
    const treeBits = formatComponentTree(await readComponent(viaBits.mem, viaBits.mem.base & ~0xfff));
    const treeRegs = formatComponentTree(await readComponent(viaRegs.mem, viaRegs.mem.base & ~0xfff));
    assert.deepEqual(treeBits, treeRegs);
    assert.ok(wire.cycles > 5000, `${wire.cycles} clock cycles`);

    const data = new Uint8Array(3000).map((_, i) => (i * 13) & 0xff);
    await viaBits.mem.writeBlock(0x20000401, data);
    assert.deepEqual(await viaBits.mem.readBlock(0x20000401, data.length), data);
    await assert.rejects(viaBits.mem.read32(0x70000000), /bus fault \(CTRL\/STAT.STICKYERR\)/);

    const elf = parseElf(new Uint8Array(readFileSync('firmware/build/mps2-an386/demo.elf')));
    const core = viaBits.core;
    await core.reset({ halt: true });
    for (const c of elf.loadChunks()) await viaBits.mem.writeBlock(c.addr, c.data);
    await core.reset({ halt: true });
    const main = elf.symbol('main')! & ~1;
    await core.breakpoints.add(main);
    await core.resume();
    await core.waitForHalt();
    assert.equal((await core.haltReason()).kind, 'breakpoint');
    assert.equal(await core.readRegister('pc'), main);
    await core.step();
    assert.notEqual(await core.readRegister('pc'), main);
  } finally {
    await a.close();
    await b.close();
  }
});

test('random transfer sequences: the bit-level and register-level paths agree on every acknowledge and value', async () => {
  const { createBoard } = await import('../../src/sim/boards/index.js');
  const { attachDebug } = await import('../../src/sim/debug/debug-system.js');
  const { SimWire } = await import('../../src/wire/sim-wire.js');
  const { ones, bitsFromValue } = await import('../../src/wire/debug-wire.js');
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const make = () => {
    const board = createBoard('mps2-an500');
    const dbg = attachDebug(board, { ap: { busyPolls: 1 } });
    return { board, dbg };
  };
  const A = make();
  const B = make();
  const regs = new SimWire(A.dbg);
  const bits = new SimBitWire(B.dbg.swj);
  const reconnect = async () => {
    for (const w of [regs, bits]) {
      await w.swjSequence(60, ones(60));
      await w.swjSequence(8, new Uint8Array([0]));
      assert.equal((await w.transfer([{ ap: false, read: true, addr: 0 }])).ack, 'ok');
    }
  };
  for (const w of [regs, bits]) {
    w.configure({ waitRetries: 0 });
    await w.swjSequence(56, ones(56));
    await w.swjSequence(16, bitsFromValue(0xe79e, 16));
  }
  await reconnect();
  const seen = new Map<string, number>();
  // TAR values that hit RAM, unmapped space and the debug registers; CSW sizes and modes
  const tars = [0x20000000, 0x20000ffc, 0x70000000, 0xe000edf0, 0x00000000, 0x20000002];
  for (let i = 0; i < 3000; i++) {
    const kind = rnd(12);
    let t: { ap: boolean; read: boolean; addr: number; value?: number };
    if (kind === 0) t = { ap: false, read: false, addr: 0x4, value: 0x50000000 | (rnd(4) === 0 ? 1 : 0) };
    else if (kind === 1) t = { ap: false, read: false, addr: 0x0, value: 0x1e };
    else if (kind === 2) t = { ap: false, read: true, addr: [0, 4, 8, 0xc][rnd(4)] };
    else if (kind === 3) t = { ap: true, read: false, addr: 0x0, value: 0x03000000 | (rnd(3) << 4) | rnd(3) };
    else if (kind === 4) t = { ap: true, read: false, addr: 0x4, value: tars[rnd(tars.length)] };
    else if (kind === 5) t = { ap: false, read: false, addr: 0x8, value: rnd(8) === 0 ? 0x0f000000 : rnd(4) === 0 ? 0xf0 : 0 };
    else if (kind < 9) t = { ap: true, read: true, addr: [0x0, 0x4, 0xc, 0xc][rnd(4)] };
    else t = { ap: true, read: false, addr: 0xc, value: (rnd(0x10000) * 0x10001) >>> 0 };
    const ra = await regs.transfer([t]);
    const rb = await bits.transfer([t]);
    assert.deepEqual(rb, ra, `transfer ${i}: ${JSON.stringify(t)}`);
    // the host knows when it turned overrun detection on: data phases on WAIT/FAULT from then on
    if (!t.ap && !t.read && t.addr === 0x4 && ra.ack === 'ok') bits.dataPhase = (t.value! & 1) === 1;
    const k = `${t.ap ? 'AP' : 'DP'}${t.read ? 'R' : 'W'} ${ra.ack}`;
    seen.set(k, (seen.get(k) ?? 0) + 1);
    if (ra.ack === 'no-ack') await reconnect();
  }
  // the sequence exercised the interesting outcomes, not just one of them
  for (const k of ['APR ok', 'APW ok', 'DPR ok', 'APR fault', 'APW fault', 'APR wait']) assert.ok((seen.get(k) ?? 0) > 0, `${k} in ${[...seen].join(', ')}`);
  assert.deepEqual(B.board.bus.read32(0x20000000), A.board.bus.read32(0x20000000));
  assert.equal(B.dbg.dp.ctrlStat, A.dbg.dp.ctrlStat);
});
