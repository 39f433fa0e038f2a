// DebugWire.transferBlocks over the CMSIS-DAP TCP wire (set-ups kept in flight behind
// blocks) against the simulator's own wire on an identical board: the same steps, with
// a block that faults part-way and a set-up that meets the sticky error, answer the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDapServer } from '../../dap/harness.js';
import { CmsisDapWire, TcpDapTransport } from '../../../src/wire/cmsis-dap/index.js';
import { connectCortexM } from '../../../src/cortexm/connect.js';
import type { BlockStep, DebugWire } from '../../../src/wire/debug-wire.js';

const CSW_WORD_INC = 0x23000012;
const DRW = { ap: true, addr: 0xc };

function steps(read: boolean, tars: number[], count: number, seed = 1, independent = false): BlockStep[] {
  return tars.map((tar, k) => ({
    independent,
    setup: [
      { ap: false, read: false, addr: 0x8, value: 0 },
      { ap: true, read: false, addr: 0x0, value: CSW_WORD_INC },
      { ap: true, read: false, addr: 0x4, value: tar },
    ].slice(k === 0 || independent ? 0 : 2),
    req: { ...DRW, read },
    count,
    data: read ? undefined : Uint32Array.from({ length: count }, (_, i) => Math.imul(i + 1000 * k, 2654435761 + seed) >>> 0),
  }));
}

/** Run steps, record what they answered in `out`, then clear the sticky flags for the next ones. */
async function runSteps(wire: DebugWire, s: BlockStep[], out: unknown[]): Promise<void> {
  const r = await wire.transferBlocks!(s);
  out.push({ done: r.done, ack: r.ack, failedIn: r.failedIn, words: r.words, data: Array.from(r.data) });
  await wire.transfer([{ ap: false, read: false, addr: 0x0, value: 0x1e }]); // ABORT: clear sticky flags
}

/** Independent steps: each writes SELECT, CSW and TAR, at most `per` words (one probe packet each). */
async function independentScenario(wire: DebugWire, per: (read: boolean) => number) {
  const conn = await connectCortexM(wire);
  await conn.core.halt();
  const out: unknown[] = [];
  const run = (s: BlockStep[]) => runSteps(wire, s, out);
  const w = per(false);
  const r = per(true);
  await run(steps(false, Array.from({ length: 24 }, (_, k) => 0x20000000 + 4 * w * k), w, 3, true));
  await run(steps(true, Array.from({ length: 24 }, (_, k) => 0x20000000 + 4 * r * k), r, 1, true));
  await run(steps(true, [0x20000000, 0x20000400, 0xf0000000, 0x20000800, 0x20000c00], r, 1, true)); // a step that faults, steps after it
  await run(steps(false, [0x20003000, 0xf0000000, 0x20004000], w, 9, true));
  out.push(Array.from(await conn.mem.readWords(0x20000000, 0x1400)));
  return out;
}

async function scenario(wire: DebugWire) {
  const conn = await connectCortexM(wire);
  await conn.core.halt();
  const out: unknown[] = [];
  const run = (s: BlockStep[]) => runSteps(wire, s, out);
  await run(steps(false, [0x20000000, 0x20001000, 0x20002000], 1024));
  await run(steps(true, [0x20000f00, 0x20001000, 0x20002000], 300)); // the first wraps at 4 KiB
  await run(steps(true, [0x20000000, 0xf0000000, 0x20002000], 64)); // the second block faults at once
  await run(steps(false, [0x20003000, 0xf0000000, 0x20004000], 64, 7)); // a write block that faults
  out.push(Array.from(await conn.mem.readWords(0x20000000, 0x1400)));
  return out;
}

for (const flavour of [{ packetSize: 512, packetCount: 4 }, { packetSize: 64, packetCount: 1 }, { packetSize: 65535, packetCount: 2 }]) {
  test(`transferBlocks over TCP (${flavour.packetSize} x${flavour.packetCount}) answers as the simulator wire does`, async () => {
    const viaTcp = await startDapServer({ config: { ...flavour, flavour: flavour.packetSize <= 64 ? 'v1' : 'v2' }, loop: false });
    const direct = await startDapServer({ loop: false });
    try {
      const wire = await CmsisDapWire.open(() => TcpDapTransport.open('127.0.0.1', viaTcp.port));
      const before = wire.stats.packets;
      const a = await scenario(wire);
      const used = wire.stats.packets - before;
      await wire.close();
      const b = await scenario(direct.session.wireFor('direct'));
      assert.deepEqual(a, b);
      assert.deepEqual(a.slice(0, 4).map((r) => { const x = r as { done: number; ack: string; failedIn?: string; words: number }; return [x.done, x.ack, x.failedIn, x.words]; }), [
        [3, 'ok', undefined, 3072],
        [3, 'ok', undefined, 900],
        [1, 'fault', 'block', 64],
        [1, 'fault', 'block', 65], // the failing write itself was acknowledged OK
      ]);
      assert.ok(used > 0);

      // Independent steps: one DAP_Transfer each, many in flight.
      const wire2 = await CmsisDapWire.open(() => TcpDapTransport.open('127.0.0.1', viaTcp.port));
      const per = (read: boolean) => wire2.blockStepWords(read, 3);
      const p0 = wire2.stats.packets;
      const c = await independentScenario(wire2, per);
      const packets = wire2.stats.packets - p0;
      await wire2.close();
      const d = await independentScenario(direct.session.wireFor('direct2'), per);
      assert.deepEqual(c, d);
      assert.deepEqual(c.slice(0, 4).map((x) => { const y = x as { done: number; ack: string; failedIn?: string }; return [y.done, y.ack, y.failedIn]; }), [
        [24, 'ok', undefined],
        [24, 'ok', undefined],
        [2, 'fault', 'block'],
        [1, 'fault', 'block'],
      ]);
      assert.ok(packets > 0);
    } finally {
      await viaTcp.close();
      await direct.close();
    }
  });
}
