// The oracle's side of the differential test: run a firmware on QEMU with one
// instruction per translation block and the CPU state logged before each, then parse
// the log into a Trace.
//
// qemu-system-arm -M <board> -nographic -semihosting -kernel X.elf
//                 -singlestep -d cpu,nochain,int -D <log>
//
// -singlestep: one guest instruction per TB, so "before every TB" is "before every
//   instruction"; nochain: no direct TB-to-TB jumps that would skip the log.
// No -icount: with icount QEMU restarts a TB that touches I/O (cpu_io_recompile) and
//   logs that instruction twice. Without it, only time-dependent code (SysTick polls)
//   differs from run to run; the comparison treats such code as opaque.
// What QEMU 7.2 prints per state (target/arm/cpu.c, arm_cpu_dump_state, M profile):
//   R00=%08x R01=%08x R02=%08x R03=%08x        (4 lines of 4 registers)
//   XPSR=%08x NZCV T priv-thread|handler     (xPSR with the IT bits and IPSR)
//   FP registers only with -d cpu,fpu (CPU_DUMP_FPU; `-d cpu` alone never prints them):
//   16 lines "s00=... s01=... d00=..." and "FPSCR: %08x". This trace does not ask for
//   them (fpu-diff.ts does); the parser skips such lines if they appear.
// With -d int it adds, between states: "Taking exception N [name] on CPU 0",
//   "...taking pending nonsecure exception 15", "Exception return: magic PC ...",
//   "...handling as semihosting call 0x4", "Loaded reset SP ... PC ... from vector table".
// R15 is the address of the instruction (the Thumb bit is not shown).

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, readFileSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Trace, WORDS_PER_STATE } from './trace.js';

export const QEMU = process.env.TSPROBE_QEMU ?? 'qemu-system-arm';

let available: boolean | undefined;
/** True when qemu-system-arm runs here (tests skip otherwise, saying why). */
export function qemuAvailable(): boolean {
  if (available === undefined) {
    const r = spawnSync(QEMU, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    available = r.status === 0 && /QEMU emulator version/.test(r.stdout);
  }
  return available;
}

export interface QemuTraceOptions {
  /** QEMU machine: mps2-an385, mps2-an386, mps2-an500. */
  board: string;
  elf: string;
  /** Raw blobs loaded with QEMU's generic loader (-device loader,file=...,addr=...). */
  loaders?: { file: string; addr: number }[];
  /** Kill QEMU after this long (default 60 s). */
  timeoutMs?: number;
  /** Working directory (semihosting SYS_OPEN paths are relative to it); default: a temp dir. */
  cwd?: string;
  /** False: just run (no per-instruction log), for output and exit status only. */
  trace?: boolean;
}

export interface QemuTraceResult {
  trace: Trace;
  /** What the firmware wrote to UART0. */
  uart: string;
  /** What the firmware wrote to the semihosting console (SYS_WRITE0/WRITEC/WRITE to stdout). */
  semihosting: string;
  stdout: string;
  stderr: string;
  /** QEMU's exit status: the firmware's semihosting exit status. */
  status: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** The working directory used (semihosting files written by the firmware are there). */
  cwd: string;
}

/** Run a firmware on QEMU and return its per-instruction trace. */
export async function runQemuTrace(opts: QemuTraceOptions): Promise<QemuTraceResult> {
  const ownDir = opts.cwd === undefined;
  const cwd = opts.cwd ?? mkdtempSync(join(tmpdir(), 'tsprobe-qemu-'));
  const log = join(cwd, 'qemu-cpu.log');
  const uartFile = join(cwd, 'uart0.out');
  const semihostFile = join(cwd, 'semihosting.out');
  // UART0 and the semihosting console go to separate files, so each can be compared
  // with the simulator's on its own (their interleaving on one stdout is not exact).
  const args = [
    '-M', opts.board, '-nographic', '-monitor', 'none', '-serial', `file:${uartFile}`,
    '-chardev', `file,id=semihost,path=${semihostFile}`,
    '-semihosting-config', 'enable=on,target=native,chardev=semihost',
    '-kernel', resolve(opts.elf),
  ];
  if (opts.trace !== false) args.push('-singlestep', '-d', 'cpu,nochain,int', '-D', log);
  for (const l of opts.loaders ?? []) args.push('-device', `loader,file=${resolve(l.file)},addr=0x${(l.addr >>> 0).toString(16)}`);
  const child = spawn(QEMU, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, opts.timeoutMs ?? 60_000);
  const [status, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, sig) => resolve([code, sig]));
  });
  clearTimeout(timer);
  const trace = parseQemuLogFile(log);
  const uart = readText(uartFile);
  const semihosting = readText(semihostFile);
  if (ownDir) rmSync(cwd, { recursive: true, force: true });
  return {
    trace,
    uart,
    semihosting,
    stdout: Buffer.concat(out).toString('latin1'),
    stderr: Buffer.concat(err).toString('latin1'),
    status,
    signal,
    timedOut,
    cwd,
  };
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return '';
  }
}

/** Parse a QEMU -d cpu,int log file in chunks (logs of a million states are ~300 MB). */
export function parseQemuLogFile(path: string): Trace {
  const parser = new QemuLogParser();
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return parser.trace; // QEMU failed before logging anything
  }
  try {
    const size = statSync(path).size;
    const chunk = Buffer.allocUnsafe(Math.min(Math.max(size, 1), 16 << 20));
    let carry = Buffer.alloc(0);
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      const data = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      const lastNl = data.lastIndexOf(10);
      if (lastNl < 0) {
        carry = Buffer.from(data);
        continue;
      }
      parser.feed(data, 0, lastNl + 1);
      carry = Buffer.from(data.subarray(lastNl + 1));
    }
    if (carry.length) parser.feed(Buffer.concat([carry, Buffer.from('\n')]), 0, carry.length + 1);
  } finally {
    closeSync(fd);
  }
  return parser.trace;
}

/** Value of a hex digit byte, or -1. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function hex8At(b: Buffer, off: number): number {
  let v = 0;
  for (let i = 0; i < 8; i++) {
    const d = hexDigit(b[off + i]);
    if (d < 0) throw new Error(`QEMU log: expected 8 hex digits at "${b.toString('latin1', off, off + 12)}"`);
    v = v * 16 + d;
  }
  return v;
}

/** Incremental parser of QEMU's M-profile CPU dumps. */
export class QemuLogParser {
  readonly trace = new Trace();
  private regs = new Uint32Array(WORDS_PER_STATE);
  private seen = 0; // bit per register line (R00, R04, R08, R12) seen for the current state
  private pendingNotes: string[] = [];

  /** Parse complete lines in b[start, end). */
  feed(b: Buffer, start: number, end: number): void {
    let i = start;
    while (i < end) {
      let nl = b.indexOf(10, i);
      if (nl < 0 || nl >= end) nl = end;
      this.line(b, i, nl);
      i = nl + 1;
    }
  }

  private line(b: Buffer, s: number, e: number): void {
    const c0 = b[s];
    if (c0 === 0x52 /* R */ && e - s >= 51 && b[s + 3] === 0x3d /* = */) {
      // "Rnn=xxxxxxxx Rnn=xxxxxxxx Rnn=xxxxxxxx Rnn=xxxxxxxx": 13 characters per register
      const first = (b[s + 1] - 48) * 10 + (b[s + 2] - 48);
      if (first % 4 !== 0 || first > 12) return;
      for (let k = 0; k < 4; k++) this.regs[first + k] = hex8At(b, s + 4 + 13 * k);
      this.seen |= 1 << (first >> 2);
    } else if (c0 === 0x58 /* X */ && b[s + 1] === 0x50 && b[s + 4] === 0x3d) {
      // "XPSR=xxxxxxxx NZCV T priv-thread": ends the state
      this.regs[16] = hex8At(b, s + 5);
      if (this.seen !== 0xf) throw new Error('QEMU log: XPSR line without the four register lines before it');
      const index = this.trace.push(this.regs);
      for (const n of this.pendingNotes) this.trace.note(index, n);
      this.pendingNotes.length = 0;
      this.seen = 0;
    } else if (c0 === 0x54 /* T */ && b[s + 1] === 0x61 /* a */) {
      // "Taking exception 23 [v7M DIVBYZERO UsageFault] on CPU 0"
      this.pendingNotes.push(b.toString('latin1', s, e).replace(/ on CPU \d+$/, ''));
    } else if (c0 === 0x2e /* . */ && b[s + 3] === 0x68 /* "...handling as semihosting call" */) {
      this.pendingNotes.push(b.toString('latin1', s + 3, e));
    } else if (c0 === 0x71 /* q */ && b.toString('latin1', s, s + 12) === 'qemu: fatal:') {
      this.pendingNotes.push(b.toString('latin1', s, e));
    }
    // s00=/d00= FPU lines, FPSCR, "Exception return", "...loading from element": not needed
  }

  /** Notes after the last state (e.g. a fatal lockup message). */
  trailingNotes(): string[] {
    return [...this.pendingNotes];
  }
}
