// GDB server benchmark: gdb-multiarch as the client, against tsprobe's server on the
// simulated mps2-an385 and against QEMU's built-in gdbstub on the same machine, in the
// same run. Times (a) `load` of a 1 MiB image, (b) `dump binary memory` of 1 MiB,
// (c) 2000 `stepi`, (d) 200 break/continue round trips, and prints tsprobe/QEMU ratios.
//
//   node dist/bench/gdb-bench.js [--only tsprobe|qemu]
//
// Each stub runs as its own process (as a user would run it); times are measured inside
// gdb with its Python so that gdb's start-up and connection are not counted.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
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

function gdbScript(port: number, image: string, dump: string): string {
  const t = (label: string) => `python print("@@%s %.6f" % ("${label}", time.time() - t0))`;
  return [
    'set pagination off',
    'set confirm off',
    'python import time',
    // Probing the port consumed the stubs' first connection slot on some stubs: retry once.
    `target remote 127.0.0.1:${port}`,
    'python t0 = time.time()',
    `load ${image}`,
    t('load'),
    'python t0 = time.time()',
    `dump binary memory ${dump} 0x${IMAGE_BASE.toString(16)} 0x${(IMAGE_BASE + IMAGE_SIZE).toString(16)}`,
    t('dump'),
    `set {int}0x${LOOP_ADDR.toString(16)} = 0xe7fd3001`,
    `set $pc = 0x${(LOOP_ADDR | 1).toString(16)}`,
    'python t0 = time.time()',
    `stepi ${STEPS}`,
    t('stepi'),
    `break *0x${LOOP_ADDR.toString(16)}`,
    'python t0 = time.time()',
    `python\nfor i in range(${ROUND_TRIPS}): gdb.execute("continue", to_string=True)\nend`,
    t('breakcont'),
    'python print("@@pc", gdb.parse_and_eval("$pc"))',
    'kill',
  ].join('\n');
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

async function benchStub(stub: Stub, dir: string, image: string): Promise<Record<string, number>> {
  const port = await freePort();
  const proc = stub.start(port);
  try {
    await waitForPort(port, 10000);
    // QEMU accepts one connection and our probe used it: give it a moment to re-listen.
    await new Promise((r) => setTimeout(r, 200));
    const scriptPath = join(dir, `${stub.name}.gdb`);
    writeFileSync(scriptPath, gdbScript(port, image, join(dir, `${stub.name}.dump`)));
    const out = await runGdb(scriptPath, 300000);
    const times: Record<string, number> = {};
    for (const m of out.matchAll(/@@(\w+) ([0-9.]+)/g)) times[m[1]!] = parseFloat(m[2]!);
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
    const results = new Map<string, Record<string, number>>();
    for (const stub of STUBS) {
      if (only && stub.name !== only) continue;
      const t = await benchStub(stub, dir, image);
      results.set(stub.name, t);
      console.log(
        `${stub.name.padEnd(8)} load 1 MiB ${(t.load! * 1000).toFixed(0)} ms (${(1 / t.load!).toFixed(2)} MiB/s), ` +
          `dump 1 MiB ${(t.dump! * 1000).toFixed(0)} ms, ${STEPS} stepi ${(t.stepi! * 1000).toFixed(0)} ms (${(STEPS / t.stepi!).toFixed(0)}/s), ` +
          `${ROUND_TRIPS} break/continue ${(t.breakcont! * 1000).toFixed(0)} ms (${(ROUND_TRIPS / t.breakcont!).toFixed(0)}/s)`,
      );
    }
    const a = results.get('tsprobe');
    const b = results.get('qemu');
    if (a && b) {
      console.log('ratios tsprobe/QEMU (time; <= 1.0 means tsprobe is as fast or faster):');
      for (const k of ['load', 'dump', 'stepi', 'breakcont']) console.log(`  ${k.padEnd(10)} ${(a[k]! / b[k]!).toFixed(2)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
