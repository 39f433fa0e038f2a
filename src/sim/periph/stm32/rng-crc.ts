// Two small STM32H7 blocks:
// - RNG (RM0433 "True random number generator"): CR.RNGEN/IE, SR.DRDY, DR. The numbers
//   come from a seeded xorshift generator, so runs are reproducible (no entropy here).
// - CRC (RM0433 "Cyclic redundancy check calculation unit"): DR (8/16/32-bit writes feed
//   the unit, reads give the CRC), IDR, CR (RESET, POLYSIZE, REV_IN, REV_OUT), INIT, POL.
//   MSB-first polynomial division as the unit does, with the input and output bit
//   reversals it offers.
import type { AccessSize, Device } from '../../bus.js';
import { noIrq, type IrqLine } from '../irq-line.js';
import { laneMerge, laneRead } from './regfile.js';

export class Stm32Rng implements Device {
  private cr = 0;
  private state = 0x2545f491;

  constructor(private readonly irq: IrqLine = noIrq, private readonly seed = 0x2545f491) {
    this.reset();
  }

  reset(): void {
    this.cr = 0;
    this.state = this.seed >>> 0 || 1;
    this.irq(false);
  }

  private next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  read(offset: number, size: AccessSize): number {
    const reg = offset & ~3;
    const on = (this.cr & 4) !== 0;
    const v = reg === 0x00 ? this.cr : reg === 0x04 ? (on ? 1 : 0) : reg === 0x08 ? (on ? this.next() : 0) : 0;
    return laneRead(v, offset, size);
  }

  write(offset: number, size: AccessSize, value: number): void {
    if ((offset & ~3) === 0x00) {
      this.cr = laneMerge(this.cr, offset, size, value) & 0x4000_3f2c;
      this.irq((this.cr & 0xc) === 0xc); // DRDY is always set while enabled
    }
  }
}

function reverseBits(v: number, bits: number): number {
  let r = 0;
  for (let i = 0; i < bits; i++) r |= ((v >>> i) & 1) << (bits - 1 - i);
  return r >>> 0;
}

export class Stm32Crc implements Device {
  crc = 0xffffffff;
  idr = 0;
  cr = 0;
  init = 0xffffffff;
  pol = 0x04c11db7;

  reset(): void {
    this.crc = this.init = 0xffffffff;
    this.idr = this.cr = 0;
    this.pol = 0x04c11db7;
  }

  get polySize(): number {
    return [32, 16, 8, 7][(this.cr >>> 3) & 3];
  }

  private feed(data: number, bytes: number): void {
    const revIn = (this.cr >>> 5) & 3;
    if (revIn === 1) {
      let d = 0;
      for (let b = 0; b < bytes; b++) d |= reverseBits((data >>> (8 * b)) & 0xff, 8) << (8 * b);
      data = d >>> 0;
    } else if (revIn === 2) {
      if (bytes === 1) data = reverseBits(data, 8);
      else {
        let d = 0;
        for (let h = 0; h < bytes / 2; h++) d |= reverseBits((data >>> (16 * h)) & 0xffff, 16) << (16 * h);
        data = d >>> 0;
      }
    } else if (revIn === 3) data = reverseBits(data, 8 * bytes);
    const n = this.polySize;
    const mask = n === 32 ? 0xffffffff : (1 << n) - 1;
    let crc = this.crc & mask;
    for (let i = 8 * bytes - 1; i >= 0; i--) {
      const bit = (data >>> i) & 1;
      const top = (crc >>> (n - 1)) & 1;
      crc = (crc << 1) & mask;
      if (top ^ bit) crc ^= this.pol & mask;
    }
    this.crc = crc >>> 0;
  }

  private get out(): number {
    return this.cr & 0x80 ? reverseBits(this.crc, this.polySize) : this.crc;
  }

  read(offset: number, size: AccessSize): number {
    const reg = offset & ~3;
    const v = reg === 0x00 ? this.out : reg === 0x04 ? this.idr : reg === 0x08 ? this.cr : reg === 0x10 ? this.init : reg === 0x14 ? this.pol : 0;
    return laneRead(v, offset, size);
  }

  write(offset: number, size: AccessSize, value: number): void {
    const reg = offset & ~3;
    switch (reg) {
      case 0x00: this.feed(size === 4 ? value >>> 0 : value & (size === 1 ? 0xff : 0xffff), size); return;
      case 0x04: this.idr = laneMerge(this.idr, offset, size, value); return;
      case 0x08: {
        const v = laneMerge(this.cr, offset, size, value);
        this.cr = v & 0xf8;
        if (v & 1) this.crc = this.init >>> 0;
        return;
      }
      case 0x10: this.init = laneMerge(this.init, offset, size, value); this.crc = this.init; return;
      case 0x14: this.pol = laneMerge(this.pol, offset, size, value); return;
    }
  }
}
