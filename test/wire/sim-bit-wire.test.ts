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
