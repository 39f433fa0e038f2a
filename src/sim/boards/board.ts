// What a simulated board is: a core, its bus and clock, peripherals, semihosting,
// and a slot for the debug port. Boards are created by name (boards/index.ts).
import type { Bus, Device } from '../bus.js';
import type { Clock } from '../clock.js';
import type { Cpu } from '../cpu/cpu.js';
import type { Semihosting, SemihostingConsole } from '../semihosting.js';
import type { ElfImage } from '../../image/elf.js';

export class BoardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BoardError';
  }
}

/** What the host side needs of a board's serial port (CMSDK UART, STM32 USART, ...). */
export interface ConsoleUart extends Device {
  /** Where transmitted bytes go (the host console, a pty, a test buffer). */
  output: (byte: number) => void;
  /** Bytes typed on the host side, queued for the receiver. */
  input(bytes: Iterable<number>): void;
  /** Host bytes not yet taken by the firmware. */
  readonly inputBacklog: number;
}

export interface BoardOptions {
  /** Where semihosting console I/O goes; default: discard output, empty input. */
  console?: SemihostingConsole;
  /** SYS_GET_CMDLINE's answer (QEMU gives the kernel file name). */
  cmdline?: string;
  /** Host directory for semihosting file access; undefined: no file access. */
  semihostingDir?: string;
}

/** One entry of a board's memory map, for `describe` output and tests. */
export interface MapEntry {
  name: string;
  base: number;
  size: number;
  kind: 'ram' | 'flash' | 'rom' | 'mirror' | 'peripheral' | 'unimplemented' | 'bitband' | 'system';
  /** Erase unit of a flash region (bytes). */
  blockSize?: number;
}

export interface Board {
  readonly name: string;
  readonly description: string;
  readonly cpu: Cpu;
  readonly bus: Bus;
  readonly clock: Clock;
  /** All UARTs; uarts[0] is the console UART. */
  readonly uarts: readonly ConsoleUart[];
  readonly semihosting: Semihosting;
  /** False while a debugger handles BKPT 0xAB itself (host-side semihosting). */
  semihostingEnabled: boolean;
  /** BKPTs other than semihosting go here (set by the debug unit); false -> the core takes the debug event. */
  debugBkptHook: ((imm8: number) => boolean) | null;
  /** The simulated debug port (src/sim/debug), attached by whoever creates it. */
  debug: unknown | null;
  readonly memoryMap: readonly MapEntry[];
  /** Copy an image's loadable segments into memory; they are restored on every system reset, as on QEMU. */
  load(image: ElfImage): void;
  /** System reset: peripherals, loaded image, then the core (reads SP and PC from the vector table). */
  reset(): void;
  /**
   * Make the rest of the Private Peripheral Bus (0xE0000000-0xE00FFFFF) read as zero
   * and ignore writes, as QEMU does for what it does not model (DWT, ITM, FPB, ROM
   * tables...). Call it after attaching the debug system, if any: it fills only what
   * is still unmapped.
   */
  mapPpbDefaults(): void;
}

export type BoardFactory = (opts: BoardOptions) => Board;
