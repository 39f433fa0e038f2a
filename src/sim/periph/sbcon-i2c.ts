// The ARM SBCon two-wire (I2C) interface: software drives SCL and SDA through
// CONTROLS (set, offset 0) and CONTROLC (clear, offset 4) and reads the lines
// back at offset 0. As on QEMU's MPS2 boards nothing is attached to the buses,
// so nobody acknowledges and SDA reads as driven; the lines start low (0), and
// other offsets read as all ones, as QEMU shows them.
import type { Device, AccessSize } from '../bus.js';

const CONTROLS = 0x00, CONTROLC = 0x04;
const SCL = 1, SDA = 2;

export class SbconI2c implements Device {
  private out = 0;

  constructor(readonly name: string) {}

  reset(): void {
    this.out = 0;
  }

  read(offset: number, _size: AccessSize): number {
    return offset === CONTROLS ? this.out & (SCL | SDA) : 0xffffffff;
  }

  write(offset: number, _size: AccessSize, value: number): void {
    if (offset === CONTROLS) this.out |= value & (SCL | SDA);
    else if (offset === CONTROLC) this.out &= ~(value & (SCL | SDA));
  }
}
