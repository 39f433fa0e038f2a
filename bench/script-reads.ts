// Script access speed (issue 7): single 32-bit reads per second from a TypeScript script
// (the Target API) and from MicroPython (target.mem32 through the worker bridge), and
// block reads in MB/s from both, on sim:mps2-an385. Aim: 200,000 single reads/s.
// Run: node dist/bench/script-reads.js
import { Target } from '../src/script/target.js';
import { ProbeContext } from '../src/script/probe-context.js';
import { PythonRuntime } from '../src/script/python/runtime.js';

const ADDR = 0x20000000;
const MS = 1000;

async function tsReads(t: Target): Promise<number> {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < MS) {
    for (let i = 0; i < 256; i++) await t.read32(ADDR + 4 * (i & 15));
    n += 256;
  }
  return n / ((performance.now() - start) / 1000);
}

async function tsBlock(t: Target): Promise<number> {
  let bytes = 0;
  const start = performance.now();
  while (performance.now() - start < MS) {
    bytes += (await t.readBlock(ADDR, 64 * 1024)).length;
  }
  return bytes / ((performance.now() - start) / 1000) / 1e6;
}

async function pyFigure(py: PythonRuntime, code: string): Promise<number> {
  let text = '';
  const saved = py;
  void saved;
  const out = await new Promise<string>((resolve, reject) => {
    py.run(code, 'bench.py').then(() => resolve(text), reject);
    // output arrives through the runtime's output callback
    capture = (s) => (text += s);
  });
  return Number(/RESULT ([\d.]+)/.exec(out)?.[1] ?? NaN);
}
let capture: (s: string) => void = () => {};

const t = await Target.open('sim:mps2-an385');
await t.halt();
const rows: [string, string][] = [];
const ts1 = await tsReads(t);
rows.push(['TypeScript: target.read32', `${Math.round(ts1).toLocaleString('en')} reads/s`]);
t.callSites = true;
const ts2 = await tsReads(t);
t.callSites = false;
rows.push(['TypeScript: target.read32 (callSites = true)', `${Math.round(ts2).toLocaleString('en')} reads/s`]);
rows.push(['TypeScript: target.readBlock 64 KiB', `${(await tsBlock(t)).toFixed(1)} MB/s`]);

const py = await PythonRuntime.start(new ProbeContext(t), { output: (s) => capture(s) });
const pyReads = await pyFigure(
  py,
  `import time
from target import mem32
n = 0
t0 = time.ticks_ms()
while time.ticks_diff(time.ticks_ms(), t0) < ${MS}:
    for i in range(64):
        mem32[0x20000000]
    n += 64
print('RESULT', n * 1000 / time.ticks_diff(time.ticks_ms(), t0))
`,
);
rows.push(['MicroPython: target.mem32[a]', `${Math.round(pyReads).toLocaleString('en')} reads/s`]);
const pyBlock = await pyFigure(
  py,
  `import time, target
buf = bytearray(64 * 1024)
n = 0
t0 = time.ticks_ms()
while time.ticks_diff(time.ticks_ms(), t0) < ${MS}:
    target.mem_read(buf, 0x20000000)
    n += len(buf)
print('RESULT', n / 1000 / time.ticks_diff(time.ticks_ms(), t0))
`,
);
rows.push(['MicroPython: target.mem_read 64 KiB', `${pyBlock.toFixed(1)} MB/s`]);
await py.close();
await t.detach();

console.log('Script access on sim:mps2-an385 (aim: 200,000 single reads/s)');
for (const [k, v] of rows) console.log(`  ${k.padEnd(56)} ${v}`);
