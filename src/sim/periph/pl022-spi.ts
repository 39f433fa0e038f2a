// The ARM PrimeCell SSP (PL022, DDI0194) as an SPI master with nothing attached,
// as on QEMU's MPS2 boards: 8-entry TX and RX FIFOs; a word written while the
// port is enabled (CR1.SSE) is "sent" at once and the word clocked in is 0, or
// the word itself in loopback mode (CR1.LBM). As on QEMU, a full RX FIFO holds
// the transfer back (the port stays busy) rather than overrunning. Interrupts:
// RX FIFO half full, TX FIFO half empty (no receive timeout, as in QEMU).
import type { Device, AccessSize } from '../bus.js';
import { readIdRegister } from './peripheral-id.js';
import { noIrq, type IrqLine } from './irq-line.js';

const CR0 = 0x00, CR1 = 0x04, DR = 0x08, SR = 0x0c, CPSR = 0x10, IMSC = 0x14, RIS = 0x18, MIS = 0x1c, ICR = 0x20, DMACR = 0x24;
const LBM = 1, SSE = 2;
const TFE = 1, TNF = 2, RNE = 4, RFF = 8, BSY = 16;
const RORI = 1, RXI = 4, TXI = 8;
const FIFO = 8;
// PeriphID0-3 then PCellID0-3 at 0xFE0 (no PID4-7 block).
const IDS = [0, 0, 0, 0, 0x22, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

export class Pl022Spi implements Device {
  private cr0 = 0;
  private cr1 = 0;
  private cpsr = 0;
  private imsc = 0;
  private ris = 0;
  private dmacr = 0;
  private tx: number[] = [];
  private rx: number[] = [];

  constructor(readonly name: string, private readonly irq: IrqLine = noIrq) {
    this.reset();
  }

  reset(): void {
    this.cr0 = this.cr1 = this.cpsr = this.imsc = this.ris = this.dmacr = 0;
    this.tx = [];
    this.rx = [];
    this.update();
  }

  private transfer(): void {
    if (!(this.cr1 & SSE)) return;
    const mask = (1 << ((this.cr0 & 0xf) + 1)) - 1;
    while (this.tx.length && this.rx.length < FIFO) {
      const out = this.tx.shift()!;
      this.rx.push(this.cr1 & LBM ? out & mask : 0); // no device on the bus: MISO reads 0
    }
  }

  private status(): number {
    return (
      (this.tx.length === 0 ? TFE : 0) | (this.tx.length < FIFO ? TNF : 0) | (this.rx.length ? RNE : 0) |
      (this.rx.length === FIFO ? RFF : 0) | (this.tx.length && this.cr1 & SSE ? BSY : 0)
    );
  }

  private update(): void {
    this.ris = (this.ris & RORI) | (this.rx.length >= FIFO / 2 ? RXI : 0) | (this.tx.length <= FIFO / 2 ? TXI : 0);
    this.irq((this.ris & this.imsc) !== 0);
  }

  read(offset: number, _size: AccessSize): number {
    switch (offset) {
      case CR0: return this.cr0;
      case CR1: return this.cr1;
      case DR: {
        const v = this.rx.shift() ?? 0;
        this.transfer(); // room in the RX FIFO lets a held-back word go
        this.update();
        return v;
      }
      case SR: return this.status();
      case CPSR: return this.cpsr;
      case IMSC: return this.imsc;
      case RIS: return this.ris;
      case MIS: return this.ris & this.imsc;
      case DMACR: return this.dmacr;
      default: return readIdRegister(offset, IDS) ?? 0;
    }
  }

  write(offset: number, _size: AccessSize, value: number): void {
    switch (offset) {
      case CR0: this.cr0 = value & 0xffff; break;
      case CR1:
        this.cr1 = value & 0xf;
        this.transfer();
        break;
      case DR:
        if (this.tx.length < FIFO) this.tx.push(value & 0xffff);
        this.transfer();
        break;
      case CPSR: this.cpsr = value & 0xff; break;
      case IMSC: this.imsc = value & 0xf; break;
      case ICR: this.ris &= ~(value & 3); break; // RORIC, RTIC
      case DMACR: this.dmacr = value & 3; break;
      default: return;
    }
    this.update();
  }
}
