// Script access speed (issue 7): single 32-bit reads per second from a TypeScript script
// (the Target API) and from MicroPython (target.mem32 through the worker bridge), and
// block reads in MB/s from both, on sim:mps2-an385. Aim: 200,000 single reads/s.
// Run: npm run bench -- script   (or node dist/bench/script-reads.js)
//
// Each figure is measured in ROUNDS rounds of ROUND_MS; the median and the best round
// are printed with the load average, since on a shared machine a round can lose the CPU
// (the MicroPython figures need two threads on the CPU at once).
import { availableParallelism, loadavg } from 'node:os';
import { Target } from '../src/script/target.js';
import { ProbeContext } from '../src/script/probe-context.js';
import { PythonRuntime } from '../src/script/python/runtime.js';

const ADDR = 0x20000000;
const ROUND_MS = 400;
const ROUNDS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

async function tsRounds(body: () => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < ROUND_MS) n += await body();
    out.push(n / ((performance.now() - start) / 1000));
  }
  return out;
}

/** Runs `loop` (Python statements doing one unit of work per pass, `n` counting units) in rounds; units/s per round. */
async function pyRounds(py: PythonRuntime, setup: string, loop: string): Promise<number[]> {
  let text = '';
  capture = (s) => (text += s);
  const body = loop
    .split('\n')
    .map((l) => `        ${l}`)
    .join('\n');
  await py.run(
    `import time
${setup}
for r in range(${ROUNDS}):
    n = 0
    t0 = time.ticks_us()
    while time.ticks_diff(time.ticks_us(), t0) < ${ROUND_MS * 1000}:
${body}
    print('RESULT', n * 1e6 / time.ticks_diff(time.ticks_us(), t0))
`,
    'bench.py',
  );
  capture = () => {};
  return [...text.matchAll(/RESULT ([\d.e+]+)/g)].map((m) => Number(m[1]));
}
let capture: (s: string) => void = () => {};

const rows: [string, number[], string][] = [];
const loadBefore = load();
const t = await Target.open('sim:mps2-an385');
await t.halt();
rows.push([
  'TypeScript: await target.read32(a)',
  await tsRounds(async () => {
    for (let i = 0; i < 256; i++) await t.read32(ADDR + 4 * (i & 15));
    return 256;
  }),
  'reads/s',
]);
rows.push([
  'TypeScript: await target.mem32[a]',
  await tsRounds(async () => {
    for (let i = 0; i < 256; i++) await t.mem32[ADDR + 4 * (i & 15)];
    return 256;
  }),
  'reads/s',
]);
t.callSites = true;
rows.push([
  'TypeScript: target.read32 (callSites = true)',
  await tsRounds(async () => {
    for (let i = 0; i < 256; i++) await t.read32(ADDR + 4 * (i & 15));
    return 256;
  }),
  'reads/s',
]);
t.callSites = false;
rows.push(['TypeScript: target.readBlock 64 KiB', (await tsRounds(async () => (await t.readBlock(ADDR, 64 * 1024)).length)).map((b) => b / 1e6), 'MB/s']);

const py = await PythonRuntime.start(new ProbeContext(t), { output: (s) => capture(s) });
rows.push(['MicroPython: target.mem32[a] (SRAM)', await pyRounds(py, 'from target import mem32', 'for i in range(64):\n    mem32[0x20000000]\nn += 64'), 'reads/s']);
rows.push(['MicroPython: target.mem32[a] (SCB CPUID, 0xE000ED00)', await pyRounds(py, 'from target import mem32', 'for i in range(64):\n    mem32[0xE000ED00]\nn += 64'), 'reads/s']);
rows.push(['MicroPython: target.mem32[a] = v', await pyRounds(py, 'from target import mem32', 'for i in range(64):\n    mem32[0x20000000] = i\nn += 64'), 'writes/s']);
rows.push([
  'MicroPython: target.mem_read 64 KiB',
  (await pyRounds(py, 'import target\nbuf = bytearray(64 * 1024)', 'target.mem_read(buf, 0x20000000)\nn += len(buf)')).map((b) => b / 1e6),
  'MB/s',
]);
rows.push([
  'MicroPython: target.mem_write 64 KiB',
  (await pyRounds(py, 'import target\nbuf = bytes(range(256)) * 256', 'target.mem_write(0x20000000, buf)\nn += len(buf)')).map((b) => b / 1e6),
  'MB/s',
]);
await py.close();
await t.detach();

console.log(`Script access on sim:mps2-an385 (aim: 200,000 single reads/s); ${ROUNDS} rounds of ${ROUND_MS} ms, median and best round`);
console.log(`  machine: ${availableParallelism()} cores, load average ${loadBefore} before, ${load()} after`);
for (const [name, xs, unit] of rows) {
  const f = (v: number) => (unit !== 'MB/s' ? Math.round(v).toLocaleString('en') : v.toFixed(1));
  console.log(`  ${name.padEnd(56)} ${f(median(xs)).padStart(9)} ${unit.padEnd(8)} (best ${f(Math.max(...xs))})`);
}
