// A target's memory map: which address ranges are RAM, ROM and flash. Detection
// (src/targets) fills it; the gdb server turns it into qXfer:memory-map, `tsprobe
// flash` uses it to route image segments to the flash driver or to RAM.

export interface MemoryRegion {
  readonly type: 'ram' | 'rom' | 'flash';
  readonly start: number;
  readonly length: number;
  /** Flash erase block size; required for 'flash'. */
  readonly blockSize?: number;
  /** For people: 'AXI SRAM', 'flash bank 2', ... */
  readonly name?: string;
}

/** The region holding `address`, if any. */
export function regionAt(map: readonly MemoryRegion[], address: number): MemoryRegion | undefined {
  const a = address >>> 0;
  return map.find((r) => a >= r.start && a - r.start < r.length);
}

/** True when [address, address+length) lies inside one region of one of `types`. */
export function rangeInside(map: readonly MemoryRegion[], address: number, length: number, types: readonly MemoryRegion['type'][]): boolean {
  const r = regionAt(map, address);
  return !!r && types.includes(r.type) && address - r.start + length <= r.length;
}

/**
 * The map gdb gets: the flash regions as they are and everything else as RAM (what
 * OpenOCD does). gdb refuses accesses outside a memory map it was given, and the user
 * still wants to read peripherals and the PPB; the target itself reports what faults.
 */
export function gdbMemoryMap(map: readonly MemoryRegion[]): MemoryRegion[] {
  const flash = map.filter((r) => r.type === 'flash').sort((a, b) => a.start - b.start);
  if (flash.length === 0) return [];
  const out: MemoryRegion[] = [];
  let at = 0;
  for (const f of flash) {
    if (f.start > at) out.push({ type: 'ram', start: at, length: f.start - at });
    out.push(f);
    at = f.start + f.length;
  }
  if (at < 0x1_0000_0000) out.push({ type: 'ram', start: at, length: 0x1_0000_0000 - at });
  return out;
}

export function formatRegion(r: MemoryRegion): string {
  const h = (n: number) => '0x' + (n >>> 0).toString(16).padStart(8, '0');
  const size = r.length % (1024 * 1024) === 0 ? `${r.length / (1024 * 1024)} MiB` : r.length % 1024 === 0 ? `${r.length / 1024} KiB` : `${r.length} bytes`;
  const block = r.blockSize ? `, ${r.blockSize / 1024} KiB sectors` : '';
  return `${h(r.start)}-${h(r.start + r.length - 1)}  ${r.type.padEnd(5)} ${size.padStart(8)}  ${r.name ?? ''}${block}`;
}
