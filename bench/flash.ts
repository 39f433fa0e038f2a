// Flash programming throughput: a 1 MiB image into a simulated STM32H743 through the whole
// SWD stack (flash driver -> MEM-AP -> DP -> wire -> simulated SW-DP -> flash controller),
//   direct:  the in-process simulator wire (what `tsprobe flash --target sim:stm32h743` uses);
//   tcp:     `--probe tcp://` against a `tsprobe dap --target sim:stm32h743` process
//            (CMSIS-DAP packets over TCP, what a real probe path looks like).
// Each is measured the way `tsprobe flash` runs (detect, reset-halt, programImage with
// verify), in this process so that the figures exclude Node start-up, 5 runs, median; plus
// one wall-clock run of the `tsprobe flash` command itself for each. Aim: >= 5 MB/s.
//
//   node dist/bench/flash.js        (DAP_PACKET_SIZE=8192 for a larger CMSIS-DAP packet)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openTarget } from '../src/probe/open-target.js';
import { connectCortexM } from '../src/cortexm/connect.js';
import { detectTarget } from '../src/targets/registry.js';
import { programImage } from '../src/targets/flash-loader.js';
import { startTsprobe, type TsprobeServer } from '../test/support/tsprobe-server.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'dist/src/cli/main.js');
const BASE = 0x08000000;
const SIZE = 1 << 20;
const REPEATS = 5;
const ENV = { ...process.env, TSPROBE_NO_USB_SCAN: '1' };

interface Run {
  erase: number;
  program: number;
  verify: number;
  total: number;
}

function image(): Uint8Array {
  const data = new Uint8Array(SIZE);
  let x = 0x9e3779b9;
  for (let i = 0; i < SIZE; i++) data[i] = (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
  return data;
}

/** One `tsprobe flash` as the command does it, phases timed from the progress callbacks. */
async function flashOnce(sel: { target?: string; probe?: string }, data: Uint8Array): Promise<Run> {
  const session = await openTarget(sel, { autodetect: false });
  try {
    const conn = await connectCortexM(session.wireFor('bench'));
    const info = await detectTarget(conn);
    if (!info.flash) throw new Error(`no flash driver for ${info.description}`);
    await conn.core.reset({ halt: true });
    await conn.core.haltReason();
    const marks: Record<string, number> = {};
    const t0 = performance.now();
    await programImage(conn.mem, info.flash, [{ address: BASE, data }], {
      verify: true,
      progress: (phase) => (marks[phase] ??= performance.now()),
    });
    const t1 = performance.now();
    await info.flash.done();
    const s = (ms: number) => ms / 1000;
    return { erase: s(marks.program - t0), program: s(marks.verify - marks.program), verify: s(t1 - marks.verify), total: s(t1 - t0) };
  } finally {
    await session.close();
  }
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];

async function measure(sel: { target?: string; probe?: string }, data: Uint8Array): Promise<Run> {
  const runs: Run[] = [];
  for (let i = 0; i < REPEATS; i++) runs.push(await flashOnce(sel, data));
  return { erase: median(runs.map((r) => r.erase)), program: median(runs.map((r) => r.program)), verify: median(runs.map((r) => r.verify)), total: median(runs.map((r) => r.total)) };
}

/** Wall-clock seconds of the whole `tsprobe flash --verify` command (Node start-up included). */
function command(args: string[], file: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, 'flash', ...args, file, '--verify', '-q'], { env: ENV, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`tsprobe flash ${args.join(' ')} failed: ${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  const data = image();
  const dir = mkdtempSync(join(tmpdir(), 'tsprobe-flash-bench-'));
  let dap: TsprobeServer | undefined;
  try {
    const file = join(dir, 'image.bin');
    writeFileSync(file, data);
    const d = await measure({ target: 'sim:stm32h743' }, data);
    const dCmd = command(['--target', 'sim:stm32h743'], file);
    dap = await startTsprobe(['dap', '--target', 'sim:stm32h743', '-q', '--port', '0', ...(process.env.DAP_PACKET_SIZE ? ['--packet-size', process.env.DAP_PACKET_SIZE] : [])], { env: ENV });
    const probe = `tcp://127.0.0.1:${dap.port}`;
    const p = await measure({ probe }, data);
    const pCmd = command(['--probe', probe], file);

    const mb = (t: number) => (SIZE / 1e6 / t).toFixed(2);
    const ms = (t: number) => `${(t * 1000).toFixed(0)} ms`;
    const line = (name: string, r: Run, cmd: number) =>
      `${name.padEnd(8)} erase ${ms(r.erase)}, program ${ms(r.program)} (${mb(r.program)} MB/s), verify ${ms(r.verify)} (${mb(r.verify)} MB/s); ` +
      `erase+program+verify ${mb(r.total)} MB/s, erase+program ${mb(r.erase + r.program)} MB/s; whole command ${ms(cmd)}`;
    console.log('\n## tsprobe flash: 1 MiB into sim:stm32h743 (median of 5)');
    console.log(line('direct', d, dCmd));
    console.log(line('tcp', p, pCmd));
    console.log(`ratio tcp/direct throughput: erase+program ${((d.erase + d.program) / (p.erase + p.program)).toFixed(2)}, verify ${(d.verify / p.verify).toFixed(2)}, all ${(d.total / p.total).toFixed(2)} (aim: >= 5 MB/s through the SWD stack)`);
  } finally {
    if (dap) await dap.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
