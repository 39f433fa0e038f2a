// What detection finds out about the chip behind a connection, and what a chip family
// driver provides to find it. One file per family (as Black Magic Probe's small target
// drivers): each `probe`s the connection and answers null when the chip is not its own.
import type { Connection } from '../cortexm/connect.js';
import type { TpiuLocation } from '../cortexm/swo.js';
import type { FlashDriver } from './flash.js';
import type { MemoryRegion } from './memory-map.js';

export interface TargetInfo {
  /** Part name, e.g. 'STM32H743'; for an unknown chip the core name ('Cortex-M7'). */
  readonly chip: string;
  /** Family, e.g. 'STM32H7'; 'generic' for an unknown chip. */
  readonly family: string;
  /** Silicon revision (STM32: from DBGMCU IDCODE REV_ID, e.g. 'V'); '' when unknown. */
  readonly revision: string;
  /** One line for people: 'STM32H743 rev V, 2 MiB flash, Cortex-M7 r1p1'. */
  readonly description: string;
  /** Bytes of flash (0 when unknown). */
  readonly flashSize: number;
  /** RAM, ROM and flash regions (flash ones with blockSize); empty when unknown. */
  readonly memoryMap: readonly MemoryRegion[];
  /** The flash driver; absent for an unknown chip. */
  readonly flash?: FlashDriver;
  /** Facts found on the way (IDCODE, FLASH_SIZE) for `tsprobe info`. */
  readonly details: readonly string[];
  /** How the chip's SWO pin is driven, when not by the core's TPIU at 0xE0040000. */
  readonly swo?: SwoRoute;
}

/**
 * A chip whose SWO pin is driven by its own SWO unit (e.g. the STM32H7's, on the debug
 * APB behind AP2, fed through a trace funnel): what to switch on first, and where the
 * unit's TPIU-like registers are.
 */
export interface SwoRoute {
  readonly description: string;
  /** Enable the trace clock and funnel; returns the SWO unit's MEM-AP and base address. */
  prepare(conn: Connection): Promise<TpiuLocation>;
}

/** A chip family's detection. */
export interface TargetFamily {
  readonly name: string;
  /** The chip's TargetInfo, or null when the connected chip is not of this family. */
  probe(conn: Connection): Promise<TargetInfo | null>;
}
