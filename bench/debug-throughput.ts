// Throughput of the whole debug path, in-process with the simulator: memory reads and
// writes of 1 MiB through cortexm/adi -> DebugWire -> simulated SW-DP -> AHB-AP, and
// halt-step-read-registers round trips. Run: node dist/bench/debug-throughput.js
// (or `npm run bench -- debug`). Aims: 50 MB/s and 20,000 steps/s.
import { readFileSync } from 'node:fs';
import { ProbeSession } from '../src/probe/session.js';
import { parseElf } from '../src/image/elf.js';
import { connectCortexM } from '../src/cortexm/connect.js';
import { BASE_REGISTER_NAMES } from '../src/cortexm/registers.js';
import type { BenchRow } from './report.js';

export async function benchDebug(board = 'mps2-an385'): Promise<BenchRow[]> {
  const session = ProbeSession.open(`sim:${board}`);
  try {
    const { core, mem } = await connectCortexM(session.wireFor('bench'));
    const elf = parseElf(new Uint8Array(readFileSync(`firmware/build/${board}/demo.elf`)));
    await core.reset({ halt: true });
    for (const c of elf.loadChunks()) await mem.writeBlock(c.addr, c.data);
    await core.reset({ halt: true });

    const size = 1 << 20;
    const data = new Uint8Array(size).map((_, i) => (i * 31) & 0xff);
    const base = 0x20100000; // SSRAM2/3 on all MPS2 boards, clear of the demo's data (bottom) and stack (top)
    // Warm the JIT up with six full passes, then take the median of five (steady state).
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const writes: number[] = [];
    const reads: number[] = [];
    for (let pass = 0; pass < 11; pass++) {
      let t = performance.now();
      await mem.writeBlock(base, data);
      const w = performance.now() - t;
      t = performance.now();
      const back = await mem.readBlock(base, size);
      const r = performance.now() - t;
      for (let i = 0; i < size; i += 4093) if (back[i] !== data[i]) throw new Error(`read back differs at +${i}`);
      if (pass >= 6) {
        writes.push(w);
        reads.push(r);
      }
    }
    const writeMs = median(writes);
    const readMs = median(reads);
    const steps = 5000;
    for (let i = 0; i < 2000; i++) {
      await core.step(); // warm-up
      await core.readRegisters(BASE_REGISTER_NAMES);
    }
    const t = performance.now();
    for (let i = 0; i < steps; i++) {
      await core.step();
      await core.readRegisters(BASE_REGISTER_NAMES);
    }
    const stepMs = performance.now() - t;

    return [
      { name: `memory write 1 MiB (${board})`, unit: 'MB/s', ours: size / 1e6 / (writeMs / 1000), higherIsBetter: true, note: 'aim 50' },
      { name: `memory read 1 MiB (${board})`, unit: 'MB/s', ours: size / 1e6 / (readMs / 1000), higherIsBetter: true, note: 'aim 50' },
      { name: `step + read ${BASE_REGISTER_NAMES.length} registers (${board})`, unit: 'steps/s', ours: steps / (stepMs / 1000), higherIsBetter: true, note: 'aim 20000' },
    ];
  } finally {
    await session.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printRows } = await import('./report.js');
  printRows('Debug path (issue 3)', await benchDebug(process.argv[2]));
}
