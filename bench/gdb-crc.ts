// qCRC (gdb's compare-sections) of 1 MiB and smaller ranges of sim:stm32h743 flash,
// computed from bulk reads on the host versus by the CRC routine on the target's CPU
// (CortexMTarget.crc32 with crcOnTarget 'reads' / 'target'), on the direct in-process
// simulator wire and through the CMSIS-DAP host wire over TCP to a `tsprobe dap`
// process. The figures behind the rule in cortexm-target.ts (crcPlan): reads on the
// in-process simulator; through a probe 'auto' measures both once and takes the faster.
//
//   node dist/bench/gdb-crc.js      (or npm run bench -- gdb-crc)
//
// Medians of 5 runs after one warm-up. The machine is shared: compare within one run.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CmsisDapWire, TcpDapTransport } from '../src/wire/cmsis-dap/index.js';
import { connectCortexM, type Connection } from '../src/cortexm/connect.js';
import { CRC_ON_TARGET_MIN, createGdbTarget } from '../src/gdb/cortexm-target.js';
import { gdbCrc32 } from '../src/gdb/crc32.js';
import { ProbeSession } from '../src/probe/session.js';
import { startTsprobe } from '../test/support/tsprobe-server.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'dist/src/cli/main.js');
const BASE = 0x08000000; // flash bank 1 (as it is: erased); what compare-sections usually covers
const SIZES = [1024, 4096, 16384, 65536, 1 << 20];
const REPEATS = 5;

/** ms per qCRC of each size, host reads vs the routine; checks both against the data. */
async function measure(conn: Connection, where: string): Promise<string[]> {
  const host = (await createGdbTarget(conn, { where, crcOnTarget: 'reads' })).target;
  const routine = (await createGdbTarget(conn, { where, crcOnTarget: 'target' })).target;
  await host.halt();
  const data = await conn.mem.readBlock(BASE, 1 << 20);
  const rows: string[] = [];
  for (const size of SIZES) {
    const want = gdbCrc32(data.subarray(0, size));
    const time = async (t: typeof host) => {
      const ms: number[] = [];
      for (let i = 0; i <= REPEATS; i++) {
        const t0 = performance.now();
        const crc = await t.crc32(BASE, size);
        if (i) ms.push(performance.now() - t0);
        if (crc !== want) throw new Error(`${where}: wrong CRC for ${size} bytes`);
      }
      return ms.sort((a, b) => a - b)[ms.length >> 1]!;
    };
    const h = await time(host);
    const r = await time(routine);
    const kib = size / 1024;
    rows.push(`${where.padEnd(34)} ${`${kib} KiB`.padStart(9)}  host reads ${h.toFixed(2).padStart(8)} ms  routine ${r.toFixed(2).padStart(8)} ms  routine/host ${(r / h).toFixed(2)}`);
  }
  if (routine.crcStats.host !== 0) throw new Error(`${where}: the routine fell back to reads ${routine.crcStats.host} times`);
  // What 'auto' decides here (through a probe it measures on its first long qCRC).
  const lines: string[] = [];
  const auto = (await createGdbTarget(conn, { where, log: (l) => lines.push(l) })).target;
  const t0 = performance.now();
  if ((await auto.crc32(BASE, 1 << 20)) !== gdbCrc32(data)) throw new Error(`${where}: wrong CRC in 'auto'`);
  const ms = performance.now() - t0;
  const measured = lines.find((l) => l.startsWith('qCRC measured')) ?? 'no measurement (in-process simulator: reads)';
  rows.push(`${where.padEnd(34)} auto, 1 MiB: ${ms.toFixed(1)} ms, ${auto.crcStats.target ? 'the routine' : 'reads'}; ${measured}`);
  return rows;
}

async function main(): Promise<void> {
  console.log(`qCRC of sim:stm32h743 flash (medians of ${REPEATS}); 'auto': reads on the in-process simulator; through a probe, measured once, never the routine below ${CRC_ON_TARGET_MIN} bytes`);
  const session = ProbeSession.open('sim:stm32h743');
  try {
    const conn = await connectCortexM(session.wireFor('gdb'));
    for (const r of await measure(conn, 'direct (in-process sim wire)')) console.log(r);
  } finally {
    await session.close();
  }
  const dap = await startTsprobe(['dap', '--target', 'sim:stm32h743', '--port', '0', '-q'], { env: { ...process.env, TSPROBE_NO_USB_SCAN: '1' } });
  try {
    const wire = await CmsisDapWire.open(() => TcpDapTransport.open('127.0.0.1', dap.port));
    try {
      const conn = await connectCortexM(wire);
      for (const r of await measure(conn, `--probe tcp:// (tsprobe dap, ${wire.packetSize} B)`)) console.log(r);
    } finally {
      await wire.close();
    }
  } finally {
    await dap.stop();
  }
}

await main();
