// Several tasks using one MEM-AP at once (tsprobe serve: a script polling memory while gdb
// reads; RTT and run-state polling): each operation runs alone on the DAP, so cached
// SELECT/CSW/TAR stay true. Before, two reads of the same word interleaved at their awaits
// and the second, planned with TAR "already right", read the next word (1000 of 1500
// reads wrong here). Through the simulator wire and through a CMSIS-DAP probe over TCP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeSession } from '../../src/probe/session.js';
import { connectCortexM } from '../../src/cortexm/connect.js';
import { CmsisDapWire, TcpDapTransport } from '../../src/wire/cmsis-dap/index.js';
import type { DebugWire } from '../../src/wire/debug-wire.js';
import { startDapServer } from '../dap/harness.js';

async function scenario(wire: DebugWire): Promise<void> {
  const { mem, core } = await connectCortexM(wire);
  await core.halt();
  const A = 0x20000000;
  await mem.writeWords(A, Uint32Array.of(0x11111111, 0x22222222, 0x33333333, 0x44444444));
  const wrong: string[] = [];
  const singles = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const v = await mem.read32(A);
      if (v !== 0x11111111) wrong.push(`read32 0x${v.toString(16)}`);
    }
  };
  const blocks = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const w = await mem.readWords(A, 4);
      if (w.join() !== [0x11111111, 0x22222222, 0x33333333, 0x44444444].join()) wrong.push(`readWords ${[...w].map((x) => x.toString(16))}`);
    }
  };
  const writes = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await mem.write32(A + 0x100, i);
      const b = await mem.readBlock(A + 0x101, 2); // bytes 1 and 2 of the word just written
      if (b[0] !== ((i >>> 8) & 0xff) || b[1] !== ((i >>> 16) & 0xff)) wrong.push(`readBlock ${[...b]} after writing ${i}`);
    }
  };
  await Promise.all([singles(300), singles(300), blocks(100), writes(100), core.status()]);
  assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} wrong results`);
}

test('concurrent MEM-AP operations on the simulator wire each see their own addresses', async () => {
  const session = ProbeSession.open('sim:mps2-an385');
  try {
    await scenario(session.wireFor('test'));
  } finally {
    await session.close();
  }
});

test('concurrent MEM-AP operations through a CMSIS-DAP probe over TCP each see their own addresses', async () => {
  const srv = await startDapServer({ loop: false });
  const wire = await CmsisDapWire.open(() => TcpDapTransport.open('127.0.0.1', srv.port));
  try {
    await scenario(wire);
  } finally {
    await wire.close();
    await srv.close();
  }
});
