// A placeholder for a block that the board has but we do not model: reads as
// zero, writes are ignored. QEMU's MPS2 machines map their unmodelled regions
// ("RESERVED", GPIO, VGA, ...) the same way, so firmware sees the same thing
// on both, instead of a bus fault.
import type { Device } from '../bus.js';
import { BusFault } from '../bus.js';

export class Unimplemented implements Device {
  /**
   * `size`: bytes that answer; an access past it bus-faults (for blocks smaller
   * than the 4 KiB mapping granule). `fixed`: registers that read a constant.
   */
  constructor(readonly name: string, private readonly base = 0, private readonly size = Infinity, private readonly fixed: Record<number, number> = {}) {}

  read(offset: number, size: 1 | 2 | 4): number {
    if (offset >= this.size) throw new BusFault(this.base + offset, false, size, `past the end of ${this.name}`);
    const word = this.fixed[offset & ~3];
    return word === undefined ? 0 : (word >>> (8 * (offset & 3))) >>> 0;
  }

  write(offset: number, size: 1 | 2 | 4, _value: number): void {
    if (offset >= this.size) throw new BusFault(this.base + offset, true, size, `past the end of ${this.name}`);
  }
}
