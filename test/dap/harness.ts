// Test harness for the CMSIS-DAP device: a simulated board behind tsprobe's DAP TCP
// server in this process (port 0), a tiny test program put into the board through the
// session's own wire (the ADI layer, as any face would), and the hidapi bridge built on
// demand with the machine's gcc for the OpenOCD/pyOCD tests.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProbeSession } from '../../src/probe/session.js';
import { Dap, MemAccessPort } from '../../src/adi/index.js';
import { DapTcpServer } from '../../src/dap/tcp-server.js';
import { sessionDapAttach, type DapWireLevel } from '../../src/dap/session-device.js';
import type { DapDeviceConfig } from '../../src/dap/device-config.js';

/** The repository root (this file runs from dist/test/dap). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const BRIDGE_LIB = join(ROOT, 'native/build/libtsprobe-hidapi.so');

/**
 * The test program: vector table at 0 (SP 0x20001000, reset 0x101) and at 0x100 the loop
 * `adds r0, #1; b 0x100`. After a reset r0 counts up, so stepping is observable.
 */
export const LOOP_PC = 0x100;
export const LOOP_SP = 0x20001000;

export async function loadLoopProgram(session: ProbeSession): Promise<void> {
  const owner = 'test setup';
  const wire = session.wireFor(owner);
  try {
    const dap = new Dap(wire);
    await dap.connect();
    await dap.powerUp();
    const mem = await new MemAccessPort(dap, 0).init();
    await mem.writeWords(0, Uint32Array.of(LOOP_SP, LOOP_PC | 1));
    await mem.writeWords(LOOP_PC, Uint32Array.of(0xe7fd3001)); // adds r0,#1 ; b 0x100
    await wire.setReset(true);
    await wire.setReset(false);
  } finally {
    await wire.close();
    session.wake();
  }
}

export interface RunningDapServer {
  session: ProbeSession;
  server: DapTcpServer;
  port: number;
  logs: string[];
  close(): Promise<void>;
}

export async function startDapServer(
  opts: { board?: string; config?: Partial<DapDeviceConfig>; loop?: boolean; wireLevel?: DapWireLevel } = {},
): Promise<RunningDapServer> {
  const session = ProbeSession.open(`sim:${opts.board ?? 'mps2-an385'}`, { machine: { sliceCycles: 1 << 16, inputOpen: () => true } });
  if (opts.loop !== false) await loadLoopProgram(session);
  const logs: string[] = [];
  const log = (l: string) => logs.push(l);
  const server = new DapTcpServer({ attach: sessionDapAttach(session, opts.config ?? {}, log, opts.wireLevel), log });
  const port = await server.listen(0);
  return {
    session,
    server,
    port,
    logs,
    async close() {
      await server.close();
      await session.close();
    },
  };
}

/** Build the bridge (make -C native) if it is missing or older than its source. Returns why not, or null. */
export function ensureBridge(): string | null {
  const src = join(ROOT, 'native/tsprobe-hidapi.c');
  if (existsSync(BRIDGE_LIB) && statSync(BRIDGE_LIB).mtimeMs >= statSync(src).mtimeMs) return null;
  const r = spawnSync('make', ['-C', join(ROOT, 'native')], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return `cannot run make: ${r.error.message}`;
  if (r.status !== 0) return `building the hidapi bridge failed:\n${r.stdout}${r.stderr}`;
  return null;
}

/** Path of a program on PATH, or null. */
export function which(prog: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${prog}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Run a program with a time limit, asynchronously (the DAP server in this process must keep serving). */
export function runProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number, cwd?: string): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: stderr + String(e), timedOut });
    });
  });
}

/** The environment for a host loaded with the bridge, pointed at `port`. */
export function bridgeEnv(port: number, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, LD_PRELOAD: BRIDGE_LIB, TSPROBE_DAP_ADDR: `127.0.0.1:${port}`, ...extra };
}

/** Why the OpenOCD tests cannot run on this machine, or false when they can. */
export function openocdSkipReason(): string | false {
  if (!which('openocd')) return 'openocd is not installed (Debian package openocd)';
  const problem = ensureBridge();
  return problem ? `hidapi bridge unavailable: ${problem}` : false;
}

/**
 * Run Debian's OpenOCD through the hidapi bridge against the CMSIS-DAP server on `port`:
 * `args` (config files), then init, each of `commands`, and shutdown. Asserts that it
 * finished in time with status 0; returns all it printed. `context` is added to failures.
 */
export async function runOpenocd(port: number, dir: string, args: string[], commands: string[], context = ''): Promise<string> {
  const all = [...args, '-c', 'init', ...commands.flatMap((c) => ['-c', c]), '-c', 'shutdown'];
  const r = await runProcess(which('openocd')!, all, bridgeEnv(port), 60_000, dir);
  const out = r.stdout + r.stderr;
  assert.equal(r.timedOut, false, `openocd timed out:\n${out}${context}`);
  assert.equal(r.code, 0, `openocd failed (exit ${r.code}):\n${out}${context}`);
  return out;
}

/** OpenOCD's adapter settings for tsprobe's device behind the hidapi bridge (no servers). */
export const OPENOCD_INTERFACE_CFG = [
  'adapter driver cmsis-dap',
  'cmsis_dap_backend hid',
  'transport select swd',
  'gdb_port disabled',
  'tcl_port disabled',
  'telnet_port disabled',
  '',
].join('\n');

/** OpenOCD's configuration for a simulated MPS2 board: the adapter, its SW-DP and the Cortex-M. */
export const MPS2_OPENOCD_CFG = [
  OPENOCD_INTERFACE_CFG,
  'adapter speed 1000',
  'swd newdap mps2 cpu -enable',
  'dap create mps2.dap -chain-position mps2.cpu',
  'target create mps2.cpu cortex_m -dap mps2.dap',
  '',
].join('\n');
