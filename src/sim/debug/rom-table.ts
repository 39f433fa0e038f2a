// A CoreSight class 0x1 ROM table: a list of 32-bit entries (signed 4 KiB offsets to the
// components) ending with 0, then MEMTYPE and the ID registers. Word accesses only.
import type { AccessSize, Device } from '../bus.js';
import { armPid, CS_CLASS } from '../../arch/coresight.js';
import { readIdRegister, type ComponentIdentity } from './component-id.js';

export interface RomEntry {
  /** Component address. */
  address: number;
  /** Absent components keep their entry with PRESENT = 0. */
  present: boolean;
}

export class RomTable implements Device {
  readonly words: number[];
  readonly identity: ComponentIdentity;

  constructor(
    readonly base: number,
    entries: RomEntry[],
    /** ROM table part number, e.g. 0x4C3 (Cortex-M3), 0x4C4 (M4), 0x4C7/0x4C8 (M7). */
    part: number,
    /** MEMTYPE.SYSMEM: system memory is present on this bus. */
    sysmem = true,
    /** Raw extra entries (e.g. the reserved 0x1FF02002 of the M7 processor table). */
    raw: number[] = [],
  ) {
    this.words = entries.map((e) => (((e.address - base) & 0xfffff000) | 2 | (e.present ? 1 : 0)) >>> 0).concat(raw);
    this.identity = { cls: CS_CLASS.ROM_TABLE, pid: armPid(part, 0), devtype: sysmem ? 1 : 0 };
  }

  read(offset: number, size: AccessSize): number {
    const word = offset & ~3;
    let v = readIdRegister(this.identity, word);
    if (v === undefined) v = word < 0xf00 ? (this.words[word >>> 2] ?? 0) : 0; // after the end marker: zero
    return size === 4 ? v >>> 0 : (v >>> ((offset & 3) * 8)) & (size === 1 ? 0xff : 0xffff);
  }

  write(): void {
    // read-only
  }
}

/** The ROM tables of a Cortex-M core, by core name. */
export function cortexMRomTables(core: string, parts: { itm: boolean; tpiu: boolean; etm: boolean }): RomTable[] {
  const ppbBase = 0xe00ff000;
  const common: RomEntry[] = [
    { address: 0xe000e000, present: true }, // SCS
    { address: 0xe0001000, present: true }, // DWT
    { address: 0xe0002000, present: true }, // FPB
    { address: 0xe0000000, present: parts.itm }, // ITM
  ];
  if (core === 'cortex-m7') {
    // The M7 delegates TPIU and ETM upwards: its PPB table marks them not present and
    // the processor ROM table at 0xE00FE000 points to the PPB table, ETM and CTI.
    const ppb = new RomTable(ppbBase, [...common, { address: 0xe0040000, present: false }, { address: 0xe0041000, present: false }], 0x4c7);
    const top = new RomTable(0xe00fe000, [
      { address: ppbBase, present: true },
      { address: 0xe0041000, present: parts.etm },
      { address: 0xe0042000, present: false }, // CTI not implemented
    ], 0x4c8, true, [0x1ff02002]);
    return [top, ppb];
  }
  const part = core === 'cortex-m4' ? 0x4c4 : 0x4c3;
  return [new RomTable(ppbBase, [...common, { address: 0xe0040000, present: parts.tpiu }, { address: 0xe0041000, present: parts.etm }], part)];
}
