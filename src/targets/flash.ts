// What a host-side flash driver offers, and what the faces (gdb's vFlash*, `tsprobe
// flash`, scripts, `monitor erase_mass`) use. A driver knows one flash controller; it
// works through the target's MEM-AP only, so it runs the same on the simulated boards
// and on a chip behind a CMSIS-DAP probe.

/** One flash array (a bank) as the driver erases it. */
export interface FlashRegion {
  readonly name: string;
  readonly start: number;
  readonly length: number;
  /** Erase unit in bytes (an STM32H7 sector: 128 KiB). */
  readonly sectorSize: number;
  /** Programming unit in bytes (an STM32H7 flash word: 32); data is padded with `erasedValue`. */
  readonly writeSize: number;
  /** What erased flash reads as (0xFF). */
  readonly erasedValue: number;
}

/** Progress of a long operation: `done` of `total` bytes (or sectors) of `phase`. */
export type FlashProgress = (phase: 'erase' | 'program' | 'verify', done: number, total: number) => void;

/** A flash operation the controller refused; `flags` names the error bits it raised. */
export class FlashError extends Error {
  constructor(
    message: string,
    readonly address?: number,
    readonly flags: readonly string[] = [],
  ) {
    super(message);
    this.name = 'FlashError';
  }
}

export interface FlashDriver {
  /** Name for messages, e.g. 'STM32H7 flash'. */
  readonly name: string;
  readonly regions: readonly FlashRegion[];
  /** Erase every sector that overlaps [address, address+length). */
  erase(address: number, length: number, progress?: FlashProgress): Promise<void>;
  /** Erase all flash (both banks). */
  eraseMass(progress?: FlashProgress): Promise<void>;
  /**
   * Program erased flash. `address` and the length need not be aligned: the driver pads
   * to whole programming units with `erasedValue`. Throws FlashError on a controller error.
   */
  program(address: number, data: Uint8Array, progress?: FlashProgress): Promise<void>;
  /** Leave the controller as found (locked); safe to call more than once. */
  done(): Promise<void>;
}
