// CMSIS-DAP device throughput (issue 6). Prints figures; asserts nothing.
// (a) DAP_TransferBlock reads and writes over TCP against `tsprobe dap` running as its own
//     process (as a user runs it), with 64- and 512-byte packets (and larger for
//     reference), requests pipelined up to the device's packet count.
// (b) OpenOCD 0.12 `dump_image` / `load_image` of 256 KiB through the hidapi bridge, timed
//     in the same run as gdb-multiarch's `dump binary memory` / `restore` of 256 KiB through
//     tsprobe's own GDB server (`tsprobe gdb`), on the same simulated board.
//
//   node dist/bench/dap-throughput.js        (or: npm run bench -- dap)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DapTcpClient } from '../src/dap/tcp-client.js';
import { Cmd } from '../src/dap/protocol.js';
import { type BenchRow, fmt, printRows } from './report.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'dist/src/cli/main.js');
const BRIDGE = join(ROOT, 'native/build/libtsprobe-hidapi.so');
/** The M7 board: OpenOCD sets TAR once per 1 KiB there, which the simulated AHB-AP honours. */
const BOARD = 'mps2-an500';
const RAM = 0x20000000;

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

/** Start a tsprobe subcommand that prints "...:<port>" when it listens; resolves to the port. */
async function startTsprobe(args: string[], ready: RegExp): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`tsprobe ${args[0]} did not start: ${out}`)), 15_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`tsprobe ${args[0]} exited (${code}): ${out}`)));
  });
  return { child, port };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((res) => {
    if (child.exitCode !== null) return res();
    child.once('exit', () => res());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

/** Connect over SWD, power up, halt the core, and set CSW for word transfers with auto-increment. */
async function prepare(c: DapTcpClient): Promise<void> {
  await c.command([Cmd.Connect, 1]);
  const ones = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
  for (const s of [[56, ...ones], [16, 0x9e, 0xe7], [56, ...ones], [8, 0]]) await c.command([Cmd.SwjSequence, ...s]);
  await c.command([Cmd.Transfer, 0, 3, 0x02, 0x00, ...le32(0x1e), 0x04, ...le32(0x50000000)]);
  // Halt (DHCSR = DBGKEY | C_HALT | C_DEBUGEN) so the core's slices do not compete.
  await c.command([Cmd.Transfer, 0, 4, 0x08, ...le32(0), 0x01, ...le32(0x23000052), 0x05, ...le32(0xe000edf0), 0x0d, ...le32(0xa05f0003)]);
}

/**
 * Move `bytes` with full DAP_TransferBlock packets, `inFlight` requests outstanding. TAR is
 * set once: the transfers then cycle through one 1 KiB auto-increment block, which is all
 * real AP traffic; what is measured is the device's TransferBlock rate, not TAR set-up.
 */
async function blockTransfer(c: DapTcpClient, packetSize: number, inFlight: number, bytes: number, write: boolean): Promise<number> {
  const perPacket = Math.floor((packetSize - (write ? 5 : 4)) / 4);
  const packets = Math.ceil(bytes / (4 * perPacket));
  const req = new Uint8Array(5 + (write ? 4 * perPacket : 0));
  req.set([Cmd.TransferBlock, 0, perPacket & 0xff, perPacket >>> 8, write ? 0x0d : 0x0f]);
  for (let i = 5; i < req.length; i++) req[i] = i & 0xff;
  await c.command([Cmd.Transfer, 0, 1, 0x05, ...le32(RAM)]);
  const t0 = performance.now();
  let sent = 0;
  let received = 0;
  while (received < packets) {
    while (sent < packets && sent - received < inFlight) {
      c.send(req);
      sent++;
    }
    const r = await c.receive();
    if (r[3] !== 1) throw new Error(`TransferBlock failed: response 0x${r[3].toString(16)}`);
    received++;
  }
  return (performance.now() - t0) / 1000;
}

async function benchTransferBlock(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const cases = [
    { packetSize: 64, wire: 'register' },
    { packetSize: 512, wire: 'register' },
    { packetSize: 1024, wire: 'register' },
    { packetSize: 4096, wire: 'register' },
    { packetSize: 512, wire: 'bit' },
  ];
  for (const { packetSize, wire } of cases) {
    const { child, port } = await startTsprobe(
      ['dap', '--target', `sim:${BOARD}`, '--port', '0', '--packet-size', String(packetSize), '--wire', wire, '-q'],
      /listening on 127\.0\.0\.1:(\d+)/,
    );
    try {
      const c = await DapTcpClient.open(port);
      await prepare(c);
      const inFlight = packetSize <= 64 ? 1 : 4;
      const bytes = packetSize <= 64 || wire === 'bit' ? 256 * 1024 : 1024 * 1024;
      await blockTransfer(c, packetSize, inFlight, 64 * 1024, false); // warm-up
      const tr = await blockTransfer(c, packetSize, inFlight, bytes, false);
      const tw = await blockTransfer(c, packetSize, inFlight, bytes, true);
      const note = `${bytes / 1024} KiB, ${inFlight} in flight${packetSize === 512 && wire === 'register' ? '; aim >= 5 MB/s' : ''}`;
      const what = `${packetSize}-byte packets${wire === 'bit' ? ', bit-level SWD wire' : ''}`;
      rows.push({ name: `DAP_TransferBlock read, ${what}`, unit: 'MB/s', ours: bytes / tr / 1e6, higherIsBetter: true, note });
      rows.push({ name: `DAP_TransferBlock write, ${what}`, unit: 'MB/s', ours: bytes / tw / 1e6, higherIsBetter: true, note });
      c.close();
    } finally {
      await stop(child);
    }
  }
  return rows;
}

const OPENOCD_CFG = `adapter driver cmsis-dap
cmsis_dap_backend hid
transport select swd
adapter speed 10000
swd newdap chip cpu -enable
dap create chip.dap -chain-position chip.cpu
target create chip.cpu cortex_m -dap chip.dap
gdb_port disabled
tcl_port disabled
telnet_port disabled
`;

const SIZE = 256 * 1024;

/** OpenOCD's own timing lines: "dumped N bytes in S s", "downloaded N bytes in S s". */
async function openocdTimes(packetSize: number, dir: string): Promise<{ dump: number; load: number }> {
  const { child, port } = await startTsprobe(['dap', '--target', `sim:${BOARD}`, '--port', '0', '--packet-size', String(packetSize), '-q'], /listening on 127\.0\.0\.1:(\d+)/);
  try {
    writeFileSync(join(dir, 'ocd.cfg'), OPENOCD_CFG);
    const img = join(dir, 'img.bin');
    const cmds = ['init', `dump_image ${img} ${RAM} ${SIZE}`, `load_image ${img} ${RAM + SIZE} bin`, 'shutdown'];
    const r = spawnSync('openocd', ['-f', join(dir, 'ocd.cfg'), ...cmds.flatMap((c) => ['-c', c])], {
      env: { ...process.env, LD_PRELOAD: BRIDGE, TSPROBE_DAP_ADDR: `127.0.0.1:${port}` },
      encoding: 'utf8',
      timeout: 120_000,
    });
    const out = r.stdout + r.stderr;
    const dump = /dumped \d+ bytes in ([\d.]+)s/.exec(out);
    const load = /downloaded \d+ bytes in ([\d.]+)s/.exec(out);
    if (!dump || !load) throw new Error(`openocd gave no timings:\n${out}`);
    return { dump: Number(dump[1]), load: Number(load[1]) };
  } finally {
    await stop(child);
  }
}

/** gdb-multiarch through `tsprobe gdb`: the same 256 KiB dump and load, timed inside gdb. */
async function gdbTimes(dir: string): Promise<{ dump: number; load: number }> {
  const { child, port } = await startTsprobe(['gdb', '--target', `sim:${BOARD}`, '--port', '0'], /127\.0\.0\.1:(\d+)/);
  try {
    const img = join(dir, 'gdb.bin');
    const script = join(dir, 'bench.gdb');
    writeFileSync(
      script,
      [
        'set pagination off',
        'set confirm off',
        `target extended-remote 127.0.0.1:${port}`,
        'python import time',
        'python t0 = time.perf_counter()',
        `dump binary memory ${img} ${RAM} ${RAM + SIZE}`,
        'python print("DUMP %.6f" % (time.perf_counter() - t0))',
        'python t0 = time.perf_counter()',
        `restore ${img} binary ${RAM + SIZE}`,
        'python print("LOAD %.6f" % (time.perf_counter() - t0))',
        'detach',
        '',
      ].join('\n'),
    );
    const r = spawnSync('gdb-multiarch', ['-nx', '-batch', '-x', script], { encoding: 'utf8', timeout: 120_000 });
    const out = r.stdout + r.stderr;
    const dump = /DUMP ([\d.]+)/.exec(out);
    const load = /LOAD ([\d.]+)/.exec(out);
    if (!dump || !load) throw new Error(`gdb gave no timings:\n${out}`);
    return { dump: Number(dump[1]), load: Number(load[1]) };
  } finally {
    await stop(child);
  }
}

const have = (prog: string) => spawnSync('sh', ['-c', `command -v ${prog}`]).status === 0;

async function benchOpenocdVsGdb(): Promise<BenchRow[]> {
  if (!have('openocd')) return [{ name: 'OpenOCD dump/load (openocd missing)', unit: 'KB/s', ours: NaN, higherIsBetter: true }];
  const built = spawnSync('make', ['-C', join(ROOT, 'native')], { encoding: 'utf8', timeout: 120_000 });
  if (built.status !== 0) throw new Error(`building the hidapi bridge failed: ${built.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), 'tsprobe-dap-bench-'));
  try {
    const gdb = have('gdb-multiarch') ? await gdbTimes(dir) : null;
    const rows: BenchRow[] = [];
    for (const packetSize of [64, 512]) {
      const o = await openocdTimes(packetSize, dir);
      for (const [op, ours, theirs] of [
        ['dump_image', o.dump, gdb?.dump],
        ['load_image', o.load, gdb?.load],
      ] as const) {
        rows.push({
          name: `OpenOCD ${op} 256 KiB via bridge, ${packetSize}-byte packets`,
          unit: 'KB/s',
          ours: SIZE / ours / 1000,
          ...(theirs !== undefined ? { peer: 'tsprobe-gdb', theirs: SIZE / theirs / 1000 } : {}),
          higherIsBetter: true,
          note: `${fmt(ours * 1000)} ms`,
        });
      }
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchDap(): Promise<BenchRow[]> {
  return [...(await benchTransferBlock()), ...(await benchOpenocdVsGdb())];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  printRows('CMSIS-DAP device (issue 6)', await benchDap());
}
