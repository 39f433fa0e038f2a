// `tsprobe sim`: run a firmware on a simulated board the way
// `qemu-system-arm -M <board> -nographic -semihosting -kernel <elf>` does:
// UART0 on stdout (input from stdin), semihosting console on stdout/stderr as
// QEMU puts it, and the process exits with the firmware's exit status.
//
// Keys when stdin is a terminal (it is put in raw mode so a firmware REPL sees
// every key): Ctrl-A x quits (as in QEMU), Ctrl-A Ctrl-A sends one Ctrl-A, and
// Ctrl-C twice within a second quits (a single Ctrl-C goes to the firmware).
// Semihosting reads of stdin (SYS_READ/SYS_READC) block the whole simulation until
// input arrives, as on QEMU; the quit keys are not seen while one waits.
// Without --realtime, simulated time jumps over sleeps, so a firmware's timers run
// as fast as the host allows; --realtime paces them to the wall clock.
import { readFileSync, statSync, readSync } from 'node:fs';
import type { Command } from 'commander';
import { parseElf } from '../../image/elf.js';
import { createBoard, boardNames, boardList, type Board } from '../../sim/boards/index.js';
import { Machine, type MachineStop } from '../../sim/machine.js';
import type { SemihostingConsole } from '../../sim/semihosting.js';
import { UserError, runAction, describeFsError } from '../errors.js';
import { PtySerial, type HostSerial } from '../host-serial.js';
import { exitWhenFlushed } from '../exit.js';

export interface SimOptions {
  board: string;
  realtime?: boolean;
  serial: string;
  semihostingDir?: string;
  cmdline?: string;
  maxCycles?: string;
}

/** Exit statuses for endings that are not the firmware's own exit. */
export const EXIT_LOCKUP = 134; // what QEMU's abort() on lockup gives the shell
export const EXIT_INTERRUPTED = 130;
export const EXIT_IDLE = 1;
export const EXIT_CYCLE_LIMIT = 124;

const CTRL_A = 0x01;
const CTRL_C = 0x03;

/** Buffered writes to a stream, flushed after every slice so output keeps its order. */
class OutputBuffer {
  private buf = Buffer.alloc(4096);
  private used = 0;
  constructor(private readonly stream: NodeJS.WriteStream) {}
  private room(n: number): void {
    if (this.used + n <= this.buf.length) return;
    const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.used + n));
    this.buf.copy(bigger, 0, 0, this.used);
    this.buf = bigger;
  }
  /** One byte (the UART's path: no allocation per character). */
  pushByte(b: number): void {
    this.room(1);
    this.buf[this.used++] = b;
  }
  push(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buf.set(bytes, this.used);
    this.used += bytes.length;
  }
  flush(): void {
    if (this.used === 0) return;
    this.stream.write(Buffer.from(this.buf.subarray(0, this.used))); // a copy: the stream may hold it
    this.used = 0;
  }
  /** Resolves once everything written so far has left the process. */
  drain(): Promise<void> {
    this.flush();
    return new Promise((resolve) => this.stream.write('', () => resolve()));
  }
}

/** A synchronous read from stdin for semihosting (SYS_READ/SYS_READC block the core, as on QEMU). */
function readStdinSync(max: number): Uint8Array {
  const buf = Buffer.alloc(Math.max(1, max));
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      const n = readSync(0, buf, 0, buf.length, null);
      return new Uint8Array(buf.subarray(0, n));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 10); // non-blocking stdin: wait a little and retry
        continue;
      }
      if (code === 'EOF') return new Uint8Array(0);
      throw e;
    }
  }
}

export async function simCommand(file: string | undefined, opts: SimOptions): Promise<number> {
  if (opts.board === 'help') {
    // As QEMU's `-M help`.
    const list = boardList();
    const width = Math.max(...list.map((b) => b.name.length));
    process.stdout.write(`Supported boards are:\n${list.map((b) => `${b.name.padEnd(width)}  ${b.description}`).join('\n')}\n`);
    return 0;
  }
  if (file === undefined) throw new UserError('no firmware given; usage: tsprobe sim [--board <name>] <firmware.elf>');
  if (!boardNames().includes(opts.board)) {
    throw new UserError(`unknown board '${opts.board}'; known boards: ${boardNames().join(', ')}`);
  }
  if (!['stdio', 'pty', 'none'].includes(opts.serial)) {
    throw new UserError(`--serial ${opts.serial}: expected stdio, pty or none`);
  }
  let maxCycles: number | undefined;
  if (opts.maxCycles !== undefined) {
    maxCycles = Number(opts.maxCycles);
    if (!Number.isSafeInteger(maxCycles) || maxCycles <= 0) throw new UserError(`--max-cycles ${opts.maxCycles}: expected a positive whole number`);
  }
  if (opts.semihostingDir !== undefined) {
    let isDir = false;
    try {
      isDir = statSync(opts.semihostingDir).isDirectory();
    } catch {
      /* reported below */
    }
    if (!isDir) throw new UserError(`--semihosting-dir ${opts.semihostingDir}: not a directory`);
  }

  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new UserError(`cannot read firmware '${file}': ${describeFsError(e)}`);
  }
  const image = parseElf(bytes, file);
  if (image.loadChunks().length === 0) throw new UserError(`${file}: no loadable segments (PT_LOAD); is it a linked firmware image?`);

  const stdout = new OutputBuffer(process.stdout);
  const stderr = new OutputBuffer(process.stderr);
  const stdin = process.stdin;
  const console: SemihostingConsole = {
    isatty: (stream) => (stream === 'stdin' ? process.stdin : stream === 'stdout' ? process.stdout : process.stderr).isTTY === true,
    write: (stream, data) => (stream === 'stdout' ? stdout : stderr).push(data),
    read: (max) => {
      stdout.flush();
      stderr.flush();
      const flowing = stdin.readableFlowing;
      if (flowing) stdin.pause();
      try {
        return readStdinSync(max);
      } finally {
        if (flowing) stdin.resume();
      }
    },
  };

  const board: Board = createBoard(opts.board, { console, cmdline: opts.cmdline ?? file, semihostingDir: opts.semihostingDir });
  // No debugger here: the debug blocks (DWT, ITM, FPB, ROM tables) read as zero, as on QEMU.
  board.mapPpbDefaults();
  board.load(image);
  board.reset();

  let machine: Machine;
  let stdinOpen = false;
  let serial: HostSerial | null = null;
  const uart = board.uarts[0];
  const cleanups: (() => void)[] = [];

  if (opts.serial === 'pty') {
    const pty = await PtySerial.create();
    serial = pty;
    process.stderr.write(`char device redirected to ${pty.path} (label serial0)\n`);
    uart.output = (b) => pty.write(Uint8Array.of(b));
    pty.onData = (data) => {
      uart.input(data);
      machine.kick();
    };
    cleanups.push(() => pty.close());
  } else if (opts.serial === 'stdio') {
    uart.output = (b) => stdout.pushByte(b);
  }

  // stdin feeds UART0 in stdio mode; in any mode Ctrl-C stops the run.
  const raw = stdin.isTTY === true;
  let lastCtrlC = 0;
  let ctrlAPending = false;
  const onStdin = (chunk: Buffer) => {
    const forward: number[] = [];
    for (const b of chunk) {
      if (raw) {
        if (ctrlAPending) {
          ctrlAPending = false;
          if (b === 0x78 /* x */) {
            machine.stop('terminated by Ctrl-A x');
            return;
          }
          if (b === CTRL_A) forward.push(CTRL_A);
          continue;
        }
        if (b === CTRL_A) {
          ctrlAPending = true;
          continue;
        }
        if (b === CTRL_C) {
          const now = Date.now();
          if (now - lastCtrlC < 1000) {
            machine.stop('interrupted (Ctrl-C twice)');
            return;
          }
          lastCtrlC = now;
        }
      }
      forward.push(b);
    }
    if (opts.serial === 'stdio' && forward.length) {
      uart.input(forward);
      machine.kick();
    }
  };
  if (opts.serial === 'stdio' || raw) {
    if (raw) stdin.setRawMode(true);
    stdinOpen = true;
    stdin.on('data', onStdin);
    stdin.on('end', () => {
      stdinOpen = false;
      machine.kick();
    });
    cleanups.push(() => {
      stdin.off('data', onStdin);
      if (raw) stdin.setRawMode(false);
      stdin.pause();
    });
  }
  // Signals end the run through the loop, so the terminal leaves raw mode.
  const onSigint = () => machine.stop('interrupted');
  const onSigterm = () => machine.stop('terminated');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  process.on('SIGHUP', onSigterm);
  cleanups.push(() => {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    process.off('SIGHUP', onSigterm);
  });

  machine = new Machine(board, {
    realtime: opts.realtime,
    maxCycles,
    inputOpen: () => (opts.serial === 'stdio' && stdinOpen) || (serial?.open ?? false),
    onSlice: () => {
      stdout.flush();
      stderr.flush();
    },
  });

  let stop: MachineStop;
  try {
    stop = await machine.run();
  } finally {
    for (const c of cleanups) c();
  }
  await stdout.drain();
  await stderr.drain();
  return report(stop, board);
}

function report(stop: MachineStop, _board: Board): number {
  switch (stop.kind) {
    case 'exit':
      return stop.status & 0xff;
    case 'lockup':
      process.stderr.write(`tsprobe: ${stop.message}\n`);
      return EXIT_LOCKUP;
    case 'stopped':
      process.stderr.write(`tsprobe: ${stop.reason}\n`);
      return EXIT_INTERRUPTED;
    case 'idle':
      process.stderr.write(`tsprobe: ${stop.message}\n`);
      return EXIT_IDLE;
    case 'limit':
      process.stderr.write(`tsprobe: stopped after ${stop.cycles} cycles (--max-cycles)\n`);
      return EXIT_CYCLE_LIMIT;
  }
}

export function registerSim(program: Command): void {
  program
    .command('sim')
    .description('run a firmware on a simulated board, like qemu-system-arm -M <board> -nographic -semihosting -kernel <elf>')
    .argument('[firmware.elf]', 'the firmware image (an ARM ELF executable)')
    // Its own default, the MPS2 AN385 (QEMU's -M mps2-an385), not --target's: `sim` stands
    // in for qemu-system-arm, whose boards and semihosting firmware it runs.
    .option('-b, --board <name>', `board to simulate (${boardNames().join(', ')}; 'help' lists them)`, 'mps2-an385')
    .option('--realtime', 'pace simulated time to the wall clock (default: as fast as possible)')
    .option('--serial <where>', 'UART0: stdio (terminal), pty (a new pseudo-terminal) or none', 'stdio')
    .option('--semihosting-dir <dir>', 'let semihosting open files under this directory (default: no file access)')
    .option('--cmdline <text>', 'what SYS_GET_CMDLINE returns (default: the firmware path, as QEMU)')
    .option('--max-cycles <n>', 'stop after this many simulated cycles')
    .addHelpText(
      'after',
      '\nKeys (stdin a terminal): Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A, Ctrl-C twice quits;\n' +
        'a single Ctrl-C goes to the firmware. Exit status: the firmware\'s semihosting exit status;\n' +
        `${EXIT_LOCKUP} if the core locks up, ${EXIT_INTERRUPTED} when interrupted, ${EXIT_IDLE} if it sleeps with nothing\n` +
        `left to wake it (QEMU would wait forever), ${EXIT_CYCLE_LIMIT} at --max-cycles, 2 for a bad command line or image.`,
    )
    .action(async (file: string | undefined, opts: SimOptions) => {
      await runAction(() => simCommand(file, opts));
      // Output is drained by now; stdin or a helper must not keep the process alive.
      exitWhenFlushed(process.exitCode ?? 0);
    });
}
