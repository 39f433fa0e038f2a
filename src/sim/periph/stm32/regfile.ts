// Helpers for the STM32 peripherals: register blocks that are mostly plain storage,
// with narrow (8/16-bit) accesses merged into 32-bit registers as the AHB/APB bridges do.
import type { AccessSize, Device } from '../../bus.js';

/** Read `size` bytes at `offset` out of a 32-bit register value. */
export function laneRead(word: number, offset: number, size: AccessSize): number {
  if (size === 4) return word >>> 0;
  return (word >>> ((offset & 3) * 8)) & (size === 1 ? 0xff : 0xffff);
}

/** Merge a narrow write into the old register value. */
export function laneMerge(old: number, offset: number, size: AccessSize, value: number): number {
  if (size === 4) return value >>> 0;
  const shift = (offset & 3) * 8;
  const mask = ((size === 1 ? 0xff : 0xffff) << shift) >>> 0;
  return ((old & ~mask) | ((value << shift) & mask)) >>> 0;
}

/**
 * Several small peripherals sharing one 4 KiB bus page (the bus maps 4 KiB granules;
 * STM32 peripherals are 1 KiB apart). Offsets no block claims read as zero.
 */
export class PageSplitter implements Device {
  private readonly blocks: { offset: number; size: number; dev: Device }[] = [];

  add(offset: number, size: number, dev: Device): this {
    this.blocks.push({ offset, size, dev });
    return this;
  }

  private find(offset: number): { offset: number; size: number; dev: Device } | undefined {
    for (const b of this.blocks) if (offset >= b.offset && offset < b.offset + b.size) return b;
    return undefined;
  }

  read(offset: number, size: AccessSize): number {
    const b = this.find(offset);
    return b ? b.dev.read(offset - b.offset, size) : 0;
  }

  write(offset: number, size: AccessSize, value: number): void {
    const b = this.find(offset);
    if (b) b.dev.write(offset - b.offset, size, value);
  }
}

/**
 * A peripheral behind its clock gate: with its RCC enable bit clear, reads give zero and
 * writes are lost, as on the chip (software that forgot the enable fails here too).
 */
export function clockGated(dev: Device, enabled: () => boolean): Device {
  return {
    read: (offset, size) => (enabled() ? dev.read(offset, size) : 0),
    write: (offset, size, value) => {
      if (enabled()) dev.write(offset, size, value);
    },
  };
}
