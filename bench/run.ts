// `npm run bench [-- names...]`: runs the benchmarks and prints figures and ratios
// against the peers measured in the same run. Not a test: nothing here fails on speed.
import { benchCpu } from './cpu.js';
import { benchDap } from './dap-throughput.js';
import { printRows, type BenchRow } from './report.js';

const benches: Record<string, { title: string; run: () => Promise<BenchRow[]> }> = {
  cpu: { title: 'Simulated CPU (issue 2)', run: benchCpu },
  dap: { title: 'CMSIS-DAP device (issue 6)', run: benchDap },
};

const wanted = process.argv.slice(2);
for (const [name, b] of Object.entries(benches)) {
  if (wanted.length && !wanted.includes(name)) continue;
  printRows(b.title, await b.run());
}
