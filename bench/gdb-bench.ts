// GDB server benchmark: gdb-multiarch as the client, against tsprobe's server on the
// simulated mps2-an385 and against QEMU's built-in gdbstub on the same machine, in the
// same run. Times (a) `load` of a 1 MiB image, (b) `dump binary memory` of 1 MiB,
// (c) 2000 `stepi`, (d) 200 break/continue round trips, and prints tsprobe/QEMU ratios.
//
//   node dist/bench/gdb-bench.js [--only tsprobe|qemu]
//
// Each stub runs as its own process (as a user would run it); times are measured inside
// gdb with its Python so that gdb's start-up and connection are not counted. Each phase
// runs 3 times; the ratios use the medians (tsprobe's first run includes V8 warm-up,
// shown in brackets). The machine is shared: compare figures from the same run only.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDataElf } from './gdb-elf-writer.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FIRMWARE = join(ROOT, 'firmware/build/mps2-an385/demo.elf');
const IMAGE_BASE = 0x20000000;
const IMAGE_SIZE = 1 << 20;
const LOOP_ADDR = 0x20200000; // `adds r0,#1; b .-2`, outside the loaded image
const STEPS = 2000;
const ROUND_TRIPS = 200;

interface Stub {
  name: string;
  start(port: number): ChildProcess;
}

const STUBS: Stub[] = [
  {
    name: 'tsprobe',
    start: (port) =>
      spawn(process.execPath, [join(ROOT, 'dist/src/cli/main.js'), 'gdb', '--target', 'sim:mps2-an385', '--port', String(port), '--load', FIRMWARE, ...(process.env.TSPROBE_PACKET_SIZE ? ['--packet-size', process.env.TSPROBE_PACKET_SIZE] : [])], {
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
  },
  {
    name: 'qemu',
    start: (port) =>
      spawn('qemu-system-arm', ['-M', 'mps2-an385', '-nographic', '-semihosting', '-S', '-gdb', `tcp:127.0.0.1:${port}`, '-kernel', FIRMWARE], {
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
  },
];

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => res(p));
    });
  });
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise<boolean>((res) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        res(true);
      });
      s.on('error', () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on port ${port} after ${ms} ms`);
}

/** Each phase runs REPEATS times in the same gdb session; we report the first and the median. */
const REPEATS = 3;

function gdbScript(port: number, image: string, dump: string): string {
  const timed = (label: string, cmd: string) =>
    [`python t0 = time.time()`, cmd, `python print("@@%s %.6f" % ("${label}", time.time() - t0))`].join('\n');
  const lines = ['set pagination off', 'set confirm off', 'python import time', `target remote 127.0.0.1:${port}`];
  for (let i = 0; i < REPEATS; i++) lines.push(timed('load', `load ${image}`));
  for (let i = 0; i < REPEATS; i++) lines.push(timed('dump', `dump binary memory ${dump} 0x${IMAGE_BASE.toString(16)} 0x${(IMAGE_BASE + IMAGE_SIZE).toString(16)}`));
  lines.push(`set {int}0x${LOOP_ADDR.toString(16)} = 0xe7fd3001`, `set $pc = 0x${(LOOP_ADDR | 1).toString(16)}`);
  for (let i = 0; i < REPEATS; i++) lines.push(timed('stepi', `stepi ${STEPS}`));
  lines.push(`break *0x${LOOP_ADDR.toString(16)}`);
  for (let i = 0; i < REPEATS; i++) lines.push(timed('breakcont', `python\nfor i in range(${ROUND_TRIPS}): gdb.execute("continue", to_string=True)\nend`));
  lines.push('python print("@@pc", gdb.parse_and_eval("$pc"))', 'kill');
  return lines.join('\n');
}

interface Times {
  first: number;
  median: number;
}

async function runGdb(script: string, timeoutMs: number): Promise<string> {
  return new Promise((res) => {
    const child = spawn('gdb-multiarch', ['-nx', '-batch', '-x', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', () => {
      clearTimeout(timer);
      res(out);
    });
  });
}

async function benchStub(stub: Stub, dir: string, image: string): Promise<Record<string, Times>> {
  const port = await freePort();
  const proc = stub.start(port);
  try {
    await waitForPort(port, 10000);
    // QEMU accepts one connection and our probe used it: give it a moment to re-listen.
    await new Promise((r) => setTimeout(r, 200));
    const scriptPath = join(dir, `${stub.name}.gdb`);
    writeFileSync(scriptPath, gdbScript(port, image, join(dir, `${stub.name}.dump`)));
    const out = await runGdb(scriptPath, 300000);
    const runs: Record<string, number[]> = {};
    for (const m of out.matchAll(/@@(\w+) ([0-9.]+)/g)) (runs[m[1]!] ??= []).push(parseFloat(m[2]!));
    const times: Record<string, Times> = {};
    for (const [k, v] of Object.entries(runs)) times[k] = { first: v[0]!, median: [...v].sort((a, b) => a - b)[v.length >> 1]! };
    if (Object.keys(times).length < 4) throw new Error(`${stub.name}: gdb run incomplete:\n${out.slice(-2000)}`);
    return times;
  } finally {
    // SIGINT first: tsprobe then lists the packets it answered as unsupported.
    proc.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 500));
    proc.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'tsprobe-gdb-bench-'));
  try {
    const data = new Uint8Array(IMAGE_SIZE);
    let x = 0x12345678;
    for (let i = 0; i < data.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      data[i] = x >>> 24;
    }
    const image = join(dir, 'image-1mib.elf');
    writeFileSync(image, makeDataElf(IMAGE_BASE, data));
    const results = new Map<string, Record<string, Times>>();
    for (const stub of STUBS) {
      if (only && stub.name !== only) continue;
      const t = await benchStub(stub, dir, image);
      results.set(stub.name, t);
      const ms = (x: Times) => `${(x.median * 1000).toFixed(0)} ms (first ${(x.first * 1000).toFixed(0)})`;
      console.log(
        `${stub.name.padEnd(8)} load 1 MiB ${ms(t.load!)}, dump 1 MiB ${ms(t.dump!)}, ${STEPS} stepi ${ms(t.stepi!)} = ${(STEPS / t.stepi!.median).toFixed(0)}/s, ` +
          `${ROUND_TRIPS} break/continue ${ms(t.breakcont!)} = ${(ROUND_TRIPS / t.breakcont!.median).toFixed(0)}/s`,
      );
    }
    const a = results.get('tsprobe');
    const b = results.get('qemu');
    if (a && b) {
      console.log(`ratios tsprobe/QEMU of the median of ${REPEATS} runs (first run in brackets); <= 1.0: tsprobe as fast or faster; machine load average ${loadavg()[0].toFixed(1)}`);
      for (const k of ['load', 'dump', 'stepi', 'breakcont']) console.log(`  ${k.padEnd(10)} ${(a[k]!.median / b[k]!.median).toFixed(2)}  (${(a[k]!.first / b[k]!.first).toFixed(2)})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
