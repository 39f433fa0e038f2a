// `npm run bench [-- names...]`: runs the benchmarks and prints figures and ratios
// against the peers measured in the same run. Not a test: nothing here fails on speed.
import { benchCpu } from './cpu.js';
import { benchDebug } from './debug-throughput.js';
import { benchDap } from './dap-throughput.js';
import { printRows, type BenchRow } from './report.js';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A benchmark that is its own program (it prints its own table). */
function standalone(file: string): () => Promise<BenchRow[]> {
  return async () => {
    spawnSync(process.execPath, [fileURLToPath(new URL(file, import.meta.url))], { stdio: 'inherit' });
    return [];
  };
}

const benches: Record<string, { title: string; run: () => Promise<BenchRow[]> }> = {
  cpu: { title: 'Simulated CPU (issue 2)', run: benchCpu },
  debug: { title: 'Debug path through the simulated SW-DP (issue 3)', run: () => benchDebug() },
  dap: { title: 'CMSIS-DAP device (issue 6)', run: benchDap },
  gdb: { title: 'GDB server against QEMU gdbstub (issue 4)', run: standalone('./gdb-bench.js') },
  script: { title: 'Scripting reads (issue 7)', run: standalone('./script-reads.js') },
  probe: { title: 'CMSIS-DAP host wire over TCP vs the direct simulator wire (issue 8)', run: standalone('./probe-tcp.js') },
  flash: { title: 'tsprobe flash: 1 MiB into sim:stm32h743, direct and over TCP', run: standalone('./flash.js') },
  'gdb-flash': { title: 'STM32H7 flash driver and gdb load of 1 MiB into sim:stm32h743 flash', run: standalone('./gdb-flash-load.js') },
  'gdb-crc': { title: 'qCRC (compare-sections): host bulk reads vs the CRC routine on the target, direct and over TCP', run: standalone('./gdb-crc.js') },
};

const wanted = process.argv.slice(2);
for (const [name, b] of Object.entries(benches)) {
  if (wanted.length && !wanted.includes(name)) continue;
  printRows(b.title, await b.run());
}
