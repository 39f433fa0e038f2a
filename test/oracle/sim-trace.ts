// The simulator's side of the differential test: the same firmware on a simulated
// board, stepped one instruction at a time, with the registers read through the
// debug numbering (readCoreReg: 0-15, 16 = xPSR) before every instruction.
//
// QEMU logs a state before every instruction it starts, including one that faults,
// and the next state it logs is the handler's first instruction. The simulated core's
// step() runs one instruction and then any exception entry (or return) it causes or
// that becomes due, like QEMU. A step can also be an exception entry alone, when the
// exception became pending between steps (a timer event, a wake-up from WFI): the
// state before such a step is not "before an instruction" and is left out here, which
// makes the two streams line up one to one.

import { readFileSync } from 'node:fs';
import { createBoard, type Board } from '../../src/sim/boards/index.js';
import { parseElf, type ElfImage } from '../../src/image/elf.js';
import { StopReason } from '../../src/sim/cpu/cpu.js';
import { nextExceptionToTake } from '../../src/sim/cpu/exceptions.js';
import { Trace, WORDS_PER_STATE } from './trace.js';

export interface SimTraceOptions {
  board: string;
  elf: string;
  /** Raw blobs copied into memory after reset (the QEMU generic loader's counterpart). */
  loaders?: { data: Uint8Array; addr: number }[];
  /** Stop after this many recorded states (default 20 million). */
  maxStates?: number;
  /** Host directory for semihosting file access (SYS_OPEN); default: none. */
  semihostingDir?: string;
  /** Called after each instruction, before the state that follows it is recorded as
   * state `nextIndex`; returns true when it changed registers (e.g. to adopt the
   * oracle's value of a register the architecture leaves UNKNOWN). */
  afterStep?: (board: Board, nextIndex: number, trace: Trace) => boolean;
}

export type SimEnd = 'exit' | 'lockup' | 'halted' | 'idle' | 'limit' | 'error';

export interface SimTraceResult {
  trace: Trace;
  uart: string;
  semihosting: string;
  /** Semihosting exit status, when the firmware exited. */
  status: number | null;
  end: SimEnd;
  /** Why the run ended, for anything but a normal exit (an exception from the simulator included). */
  message?: string;
  board: Board;
  image: ElfImage;
  /** Steps taken, exception entries and sleeps included. */
  steps: number;
}

export function runSimTrace(opts: SimTraceOptions): SimTraceResult {
  let uart = '';
  let semihosting = '';
  const board = createBoard(opts.board, {
    console: {
      write: (_stream, bytes) => {
        semihosting += Buffer.from(bytes).toString('latin1');
      },
      read: () => new Uint8Array(0),
    },
    semihostingDir: opts.semihostingDir,
  });
  board.uarts[0].output = (byte: number) => {
    uart += String.fromCharCode(byte);
  };
  const image = parseElf(new Uint8Array(readFileSync(opts.elf)), opts.elf);
  board.load(image);
  board.reset();
  for (const l of opts.loaders ?? []) board.bus.load(l.addr, l.data);

  const { cpu, clock } = board;
  const trace = new Trace();
  const maxStates = opts.maxStates ?? 20_000_000;
  const before = new Uint32Array(WORDS_PER_STATE);
  const after = new Uint32Array(WORDS_PER_STATE);
  const snapshot = (into: Uint32Array) => {
    for (let k = 0; k <= 16; k++) into[k] = cpu.readCoreReg(k);
  };

  let end: SimEnd = 'limit';
  let message: string | undefined;
  let steps = 0;
  snapshot(before);
  try {
    while (trace.count < maxStates) {
      // Pending and allowed now: the step begins with the entry, before any instruction.
      const entryOnly = nextExceptionToTake(cpu) !== 0;
      const why = cpu.step();
      steps++;
      if (clock.now >= clock.nextDeadline()) clock.fireDue();
      if (why === StopReason.Exit) {
        end = 'exit';
        break;
      }
      if (why === StopReason.Lockup) {
        end = 'lockup';
        message = `core locked up at 0x${(cpu.pc >>> 0).toString(16)}`;
        break;
      }
      if (why === StopReason.Halted) {
        end = 'halted';
        break;
      }
      if (why === StopReason.Sleeping) {
        // Nothing ran: skip to the next timer event, as the board's run loop does.
        const deadline = clock.nextDeadline();
        if (deadline === Infinity) {
          end = 'idle';
          message = `the core sleeps at 0x${(cpu.pc >>> 0).toString(16)} with nothing to wake it`;
          break;
        }
        clock.now = Math.max(clock.now, deadline);
        clock.fireDue();
        continue;
      }
      snapshot(after);
      if (!entryOnly) trace.push(before);
      // `after` becomes state trace.count (after an entry step too: the handler's first state)
      if (opts.afterStep?.(board, trace.count, trace)) snapshot(after);
      before.set(after);
      if (cpu.exitRequested) {
        end = 'exit';
        break;
      }
    }
  } catch (e) {
    end = 'error';
    message = `the simulator threw at pc 0x${(cpu.pc >>> 0).toString(16)}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
  }
  const exit = board.semihosting.exit;
  return { trace, uart, semihosting, status: exit ? exit.status : null, end, message, board, image, steps };
}
