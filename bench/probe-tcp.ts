// The CMSIS-DAP host wire over TCP (issue 8): gdb-multiarch `load` and `dump` of 1 MiB
// through `tsprobe gdb --probe tcp://...` (a `tsprobe dap` process serving the simulated
// board) versus `tsprobe gdb --target sim:...` on the direct simulator wire, same run; and
// the DAP packets per second the host wire sends (1 MiB block reads; single-transfer
// round trips).
//
//   node dist/bench/probe-tcp.js   (DAP_PACKET_SIZE=N: a CMSIS-DAP packet size other than `tsprobe dap`'s default)
//
// Both servers run side by side and the rounds alternate: a gdb session on the direct
// server, then one through the probe (each: an untimed load and dump, then 3 timed of
// each, medians), so both see the same machine; a drifting machine speed (other jobs on
// a shared host) moves both. Ratios are per round; their median and range are printed.
// Aim: over TCP at least half the direct throughput. BENCH_ROUNDS (default 7).
// TSPROBE_DAP_PACKET_SIZE=0: the host keeps the advertised 1 KiB packets (no tsprobe
// packet-size extension), as with any other CMSIS-DAP server.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDataElf } from './gdb-elf-writer.js';
import { CmsisDapWire, TcpDapTransport } from '../src/wire/cmsis-dap/index.js';
import { connectCortexM } from '../src/cortexm/connect.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'dist/src/cli/main.js');
const BASE = 0x20000000;
const SIZE = 1 << 20;
const REPEATS = 3;
/** Untimed load+dump pairs at the start of each gdb session. */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const ENV = { ...process.env, TSPROBE_NO_USB_SCAN: '1' };

/** Start a tsprobe server on port 0 and read the port it prints. */
function start(args: string[]): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, [CLI, ...args, '--port', '0'], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`tsprobe ${args.join(' ')} did not start:\n${text}`)), 15000);
    const look = (d: Buffer) => {
      text += d.toString();
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        res({ proc, port: Number(m[1]) });
      }
    };
    proc.stdout!.on('data', look);
    proc.stderr!.on('data', look);
  });
}

async function stop(p: ChildProcess): Promise<void> {
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGINT');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
  p.kill('SIGKILL');
}

/** User + system CPU of a process so far, in ms (Linux /proc; NaN elsewhere). */
function cpuMs(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, USER_HZ 100
  } catch {
    return NaN;
  }
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];

function gdb(port: number, image: string, dump: string): Promise<Record<string, number>> {
  const timed = (label: string, cmd: string) => [`python t0 = time.time()`, cmd, `python print("@@%s %.6f" % ("${label}", time.time() - t0))`];
  const lines = ['set pagination off', 'set confirm off', 'python import time', `target extended-remote 127.0.0.1:${port}`, 'monitor halt'];
  const dumpCmd = `dump binary memory ${dump} 0x${BASE.toString(16)} 0x${(BASE + SIZE).toString(16)}`;
  // Untimed rounds first: both tsprobe processes reach steady state (JIT, first major GCs
  // of the simulator's start-up garbage), which takes longer over TCP (two processes, more code).
  for (let i = 0; i < WARMUP; i++) lines.push(`load ${image}`, dumpCmd);
  for (let i = 0; i < REPEATS; i++) lines.push(...timed('load', `load ${image}`));
  for (let i = 0; i < REPEATS; i++) lines.push(...timed('dump', dumpCmd));
  lines.push('detach');
  const script = `${dump}.gdb`;
  writeFileSync(script, lines.join('\n'));
  return new Promise((res, rej) => {
    const child = spawn('gdb-multiarch', ['-nx', '-batch', '-x', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('close', () => {
      clearTimeout(timer);
      const runs: Record<string, number[]> = {};
      for (const m of out.matchAll(/@@(\w+) ([0-9.]+)/g)) (runs[m[1]] ??= []).push(parseFloat(m[2]));
      if (!runs.load || !runs.dump) return rej(new Error(`gdb run incomplete:\n${out.slice(-2000)}`));
      res({ load: median(runs.load), dump: median(runs.dump) });
    });
  });
}

async function packetRate(dapPort: number): Promise<string> {
  const wire = await CmsisDapWire.open(() => TcpDapTransport.open('127.0.0.1', dapPort));
  const RATE_WARMUP = 3;
  const RATE_REPEATS = 5;
  try {
    const conn = await connectCortexM(wire);
    await conn.core.halt();
    let p0 = wire.stats.packets;
    let t0 = performance.now();
    for (let i = 0; i < RATE_WARMUP; i++) {
      await conn.mem.readBlock(BASE, SIZE);
      await conn.mem.writeBlock(BASE, new Uint8Array(SIZE));
    }
    p0 = wire.stats.packets;
    t0 = performance.now();
    for (let i = 0; i < RATE_REPEATS; i++) await conn.mem.readBlock(BASE, SIZE);
    let s = (performance.now() - t0) / 1000;
    const block = `packet size ${wire.packetSize}, ${wire.packetCount} in flight; 1 MiB block reads: ${((wire.stats.packets - p0) / s).toFixed(0)} packets/s sent, ${((RATE_REPEATS * SIZE) / s / 1e6).toFixed(2)} MB/s`;
    const image = new Uint8Array(SIZE).fill(0x5a);
    p0 = wire.stats.packets;
    t0 = performance.now();
    for (let i = 0; i < RATE_REPEATS; i++) await conn.mem.writeBlock(BASE, image);
    s = (performance.now() - t0) / 1000;
    const writes = `1 MiB block writes: ${((wire.stats.packets - p0) / s).toFixed(0)} packets/s sent, ${((RATE_REPEATS * SIZE) / s / 1e6).toFixed(2)} MB/s`;
    p0 = wire.stats.packets;
    t0 = performance.now();
    const N = 2000;
    for (let i = 0; i < N; i++) await wire.transfer([{ ap: false, read: true, addr: 0 }]);
    s = (performance.now() - t0) / 1000;
    return `${block}; ${writes}; single DAP_Transfer round trips: ${((wire.stats.packets - p0) / s).toFixed(0)} packets/s`;
  } finally {
    await wire.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tsprobe-probe-bench-'));
  const procs: ChildProcess[] = [];
  try {
    const data = new Uint8Array(SIZE);
    let x = 0x9e3779b9;
    for (let i = 0; i < SIZE; i++) data[i] = (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
    const image = join(dir, 'image.elf');
    writeFileSync(image, makeDataElf(BASE, data));

    const direct = await start(['gdb', '--target', 'sim:mps2-an385']);
    procs.push(direct.proc);
    const dap = await start(['dap', '--target', 'sim:mps2-an385', '-q', ...(process.env.DAP_PACKET_SIZE ? ['--packet-size', process.env.DAP_PACKET_SIZE] : [])]);
    procs.push(dap.proc);
    const viaProbe = await start(['gdb', '--probe', `tcp://127.0.0.1:${dap.port}`]);
    procs.push(viaProbe.proc);

    const cpu0 = [direct.proc, viaProbe.proc, dap.proc].map((pr) => cpuMs(pr.pid));
    const d: Record<string, number>[] = [];
    const p: Record<string, number>[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      d.push(await gdb(direct.port, image, join(dir, 'direct.bin')));
      p.push(await gdb(viaProbe.port, image, join(dir, 'probe.bin')));
    }
    const [cd, cg, cs] = [direct.proc, viaProbe.proc, dap.proc].map((pr, i) => cpuMs(pr.pid) - cpu0[i]);
    await stop(viaProbe.proc);
    const rate = await packetRate(dap.port);

    const kib = (t: number) => `${(SIZE / 1024 / t).toFixed(0)} KiB/s`;
    const ms = (t: number) => `${(t * 1000).toFixed(0)} ms`;
    const of = (runs: Record<string, number>[], k: string) => median(runs.map((x) => x[k]));
    const ratios = (k: string) => {
      const v = d.map((x, i) => x[k] / p[i][k]).sort((a, b) => a - b);
      return `${median(v).toFixed(2)} (rounds ${v[0].toFixed(2)}-${v[v.length - 1].toFixed(2)})`;
    };
    console.log('\n## CMSIS-DAP host wire over TCP (issue 8)');
    console.log(`${ROUNDS} alternating rounds (a gdb session each side per round: ${WARMUP} untimed, median of ${REPEATS} timed); medians over rounds; process CPU over all rounds in brackets; machine load average ${loadavg()[0].toFixed(1)} at the end`);
    console.log(`direct           load 1 MiB ${ms(of(d, 'load'))} (${kib(of(d, 'load'))}), dump 1 MiB ${ms(of(d, 'dump'))} (${kib(of(d, 'dump'))})  [CPU gdb server ${cd.toFixed(0)} ms]`);
    console.log(`--probe tcp://   load 1 MiB ${ms(of(p, 'load'))} (${kib(of(p, 'load'))}), dump 1 MiB ${ms(of(p, 'dump'))} (${kib(of(p, 'dump'))})  [CPU gdb server ${cg.toFixed(0)} ms, dap server ${cs.toFixed(0)} ms]`);
    console.log(`ratio tcp/direct throughput (aim >= 0.5): load ${ratios('load')}, dump ${ratios('dump')}`);
    console.log(`host wire        ${rate}`);
  } finally {
    for (const pr of procs) if (pr.exitCode === null) await stop(pr);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
