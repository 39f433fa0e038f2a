// Flash programming speed on the simulated STM32H743, two ways:
// (a) the STM32H7 flash driver directly through the whole simulated SWD stack (MEM-AP,
//     SW-DP, SimWire, the flash controller model): erase + program of 1 MiB, in process;
// (b) gdb-multiarch `load` of a 1 MiB ELF into flash through `tsprobe gdb --target
//     sim:stm32h743` (qXfer:memory-map, vFlashErase/Write/Done), timed inside gdb.
//
//   node dist/bench/gdb-flash-load.js
//
// Not a test: figures only. The machine is shared: compare figures of the same run.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDataElf } from './gdb-elf-writer.js';
import { ProbeSession } from '../src/probe/session.js';
import { connectCortexM } from '../src/cortexm/connect.js';
import { detectTarget } from '../src/targets/registry.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SIZE = 1 << 20;
const BASE = 0x08000000;
const REPEATS = 3;

function image(): Uint8Array {
  const d = new Uint8Array(SIZE);
  let x = 0x2468ace1;
  for (let i = 0; i < d.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    d[i] = x >>> 24;
  }
  return d;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
const mbps = (s: number) => (SIZE / 1e6 / s).toFixed(2);

async function direct(data: Uint8Array): Promise<void> {
  const session = ProbeSession.open('sim:stm32h743');
  try {
    const conn = await connectCortexM(session.wireFor('bench'));
    await conn.core.halt();
    const flash = (await detectTarget(conn)).flash!;
    const erase: number[] = [];
    const program: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      let t = performance.now();
      await flash.erase(BASE, SIZE);
      erase.push((performance.now() - t) / 1000);
      t = performance.now();
      await flash.program(BASE, data);
      await flash.done();
      program.push((performance.now() - t) / 1000);
    }
    console.log(`driver, in process (SimWire): erase 1 MiB ${(median(erase) * 1000).toFixed(1)} ms, program 1 MiB ${(median(program) * 1000).toFixed(0)} ms = ${mbps(median(program))} MB/s (first ${mbps(program[0]!)} MB/s), median of ${REPEATS}`);
  } finally {
    await session.close();
  }
}

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => res(p));
    });
  });
}

async function viaGdb(data: Uint8Array): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tsprobe-flash-bench-'));
  const port = await freePort();
  const server = spawn(process.execPath, [join(ROOT, 'dist/src/cli/main.js'), 'gdb', '--target', 'sim:stm32h743', '--port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  server.stderr!.on('data', (d) => (err += d));
  try {
    await new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`tsprobe gdb did not start:\n${err}`)), 15000);
      const check = setInterval(() => {
        if (/listening on/.test(err)) {
          clearInterval(check);
          clearTimeout(timer);
          res();
        }
      }, 50);
    });
    const elf = join(dir, 'flash-1mib.elf');
    writeFileSync(elf, makeDataElf(BASE, data));
    const lines = ['set pagination off', 'set confirm off', 'python import time', `target extended-remote 127.0.0.1:${port}`];
    for (let i = 0; i < REPEATS; i++) lines.push('python t0 = time.time()', `load ${elf}`, 'python print("@@load %.6f" % (time.time() - t0))');
    lines.push(`compare-sections`);
    const script = join(dir, 'load.gdb');
    writeFileSync(script, lines.join('\n'));
    const out = await new Promise<string>((res) => {
      const child = spawn('gdb-multiarch', ['-nx', '-batch', '-x', script, elf], { stdio: ['ignore', 'pipe', 'pipe'] });
      let o = '';
      child.stdout.on('data', (d) => (o += d));
      child.stderr.on('data', (d) => (o += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 180000);
      child.on('close', () => {
        clearTimeout(timer);
        res(o);
      });
    });
    const times = [...out.matchAll(/@@load ([0-9.]+)/g)].map((m) => parseFloat(m[1]!));
    if (times.length < REPEATS || !/matched/.test(out)) throw new Error(`gdb run incomplete:\n${out.slice(-2000)}`);
    console.log(`gdb-multiarch load of 1 MiB into flash via tsprobe gdb: ${(median(times) * 1000).toFixed(0)} ms = ${mbps(median(times))} MB/s (first ${mbps(times[0]!)} MB/s), median of ${REPEATS}; compare-sections matched`);
  } finally {
    server.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 500));
    server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

const data = image();
await direct(data);
await viaGdb(data);
