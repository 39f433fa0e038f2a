// Bit-banding (ARMv7-M ARM B3.1.3; Cortex-M3/M4): each 32-bit word of a 32 MiB
// alias region stands for one bit of a 1 MiB target region. Alias word n maps
// to bit (n & 7) of byte (n >> 3). Reads return 0 or 1; a write sets or clears
// the bit from bit 0 of the value with a read-modify-write of the target byte.
// QEMU maps 0x22000000 -> 0x20000000 and 0x42000000 -> 0x40000000 on all three
// MPS2 boards (the AN500's Cortex-M7 included), so our boards do too.
import type { Bus, Device, AccessSize } from './bus.js';

export const BITBAND_ALIAS_SIZE = 0x02000000;

export class BitBandAlias implements Device {
  /** `target`: base of the 1 MiB region the alias stands for. */
  constructor(readonly name: string, private readonly bus: Bus, private readonly target: number) {}

  private locate(offset: number): { addr: number; bit: number } {
    return { addr: (this.target + (offset >>> 5)) >>> 0, bit: (offset >>> 2) & 7 };
  }

  read(offset: number, _size: AccessSize): number {
    const { addr, bit } = this.locate(offset);
    return (this.bus.read8(addr) >>> bit) & 1;
  }

  write(offset: number, _size: AccessSize, value: number): void {
    const { addr, bit } = this.locate(offset);
    const old = this.bus.read8(addr);
    this.bus.write8(addr, value & 1 ? old | (1 << bit) : old & ~(1 << bit));
  }
}

/** Map the alias for `target` at `aliasBase` on `bus`. */
export function mapBitBand(bus: Bus, aliasBase: number, target: number): void {
  bus.mapDevice(`bit-band alias of 0x${target.toString(16)}`, aliasBase, BITBAND_ALIAS_SIZE, new BitBandAlias('bitband', bus, target));
}
