// The ARM CMSDK APB UART (Cortex-M System Design Kit TRM, DDI0479C): one-byte TX
// and RX buffers, 8N1, a baud divider, TX/RX and overrun interrupts.
// Behaviour follows QEMU 7.2's model, the oracle for our boards: a written byte
// leaves at once (TX-full clears immediately and raises the TX interrupt), and a
// host byte is accepted only while RX is enabled and the RX buffer is empty.
import type { Device, AccessSize } from '../bus.js';
import type { Clock } from '../clock.js';
import { cmsdkIds, readIdRegister } from './peripheral-id.js';
import { noIrq, type IrqLine } from './irq-line.js';
import { HostSerial } from './host-serial.js';

const DATA = 0x00, STATE = 0x04, CTRL = 0x08, INTSTATUS = 0x0c, BAUDDIV = 0x10;

// STATE bits
const TX_FULL = 1, RX_FULL = 2, TX_OVERRUN = 4, RX_OVERRUN = 8;
// CTRL bits
const TX_EN = 1, RX_EN = 2, TX_INTEN = 4, RX_INTEN = 8;
// INTSTATUS bits (TXO/RXO mirror STATE overruns gated by CTRL bits 4/5)
const INT_TX = 1, INT_RX = 2, INT_TXO = 4, INT_RXO = 8;

const IDS = cmsdkIds(0x21);

export interface UartIrqs {
  tx?: IrqLine;
  rx?: IrqLine;
  txOverrun?: IrqLine;
  rxOverrun?: IrqLine;
  /** Combined interrupt (any of the four). */
  combined?: IrqLine;
}

export class CmsdkApbUart extends HostSerial implements Device {
  private state = 0;
  private ctrl = 0;
  private intstatus = 0;
  private bauddiv = 0;
  private txbuf = 0;
  private rxbuf = 0;
  private readonly irqs: Required<UartIrqs>;

  constructor(readonly name: string, clock: Clock, irqs: UartIrqs = {}) {
    super(clock);
    this.irqs = {
      tx: irqs.tx ?? noIrq, rx: irqs.rx ?? noIrq, txOverrun: irqs.txOverrun ?? noIrq,
      rxOverrun: irqs.rxOverrun ?? noIrq, combined: irqs.combined ?? noIrq,
    };
  }

  reset(): void {
    this.state = this.ctrl = this.intstatus = this.bauddiv = this.txbuf = this.rxbuf = 0;
    this.cancelDelivery();
    this.update();
  }

  read(offset: number, _size: AccessSize): number {
    switch (offset) {
      case DATA: {
        const v = this.rxbuf;
        this.state &= ~RX_FULL;
        this.update();
        this.scheduleDelivery();
        return v;
      }
      case STATE: return this.state;
      case CTRL: return this.ctrl;
      case INTSTATUS: return this.intstatus;
      case BAUDDIV: return this.bauddiv;
      default: return readIdRegister(offset, IDS) ?? 0;
    }
  }

  write(offset: number, _size: AccessSize, value: number): void {
    switch (offset) {
      case DATA:
        this.txbuf = value & 0xff;
        if (this.state & TX_FULL) {
          this.state |= TX_OVERRUN;
          this.update();
        } else {
          this.state |= TX_FULL;
          this.transmit();
        }
        return;
      case STATE: // overrun bits are write-one-to-clear
        this.state &= ~(value & (TX_OVERRUN | RX_OVERRUN));
        this.update();
        return;
      case CTRL:
        this.ctrl = value & 0x7f;
        this.update();
        this.scheduleDelivery();
        return;
      case INTSTATUS: // INTCLEAR: write-one-to-clear; clearing an overrun interrupt clears the overrun
        this.state &= ~(value & (INT_TXO | INT_RXO));
        this.intstatus &= ~value;
        this.update();
        return;
      case BAUDDIV:
        this.bauddiv = value & 0xfffff;
        return;
      default:
        return; // ID registers are read-only; other offsets are ignored as on QEMU
    }
  }

  private transmit(): void {
    // A byte written while TX is disabled stays in the buffer (QEMU does the same).
    if (!(this.ctrl & TX_EN) || !(this.state & TX_FULL)) return;
    this.output(this.txbuf);
    this.state &= ~TX_FULL;
    if (this.ctrl & TX_INTEN) this.intstatus |= INT_TX;
    this.update();
  }

  /** 10 bits at the programmed divider, or a short default. */
  protected charCycles(): number {
    return this.bauddiv >= 16 ? this.bauddiv * 10 : 160;
  }

  protected receiverReady(): boolean {
    return (this.ctrl & RX_EN) !== 0 && (this.state & RX_FULL) === 0;
  }

  protected receive(byte: number): void {
    this.rxbuf = byte;
    this.state |= RX_FULL;
    if (this.ctrl & RX_INTEN) this.intstatus |= INT_RX;
    this.update();
  }

  private update(): void {
    const omask = INT_TXO | INT_RXO;
    this.intstatus = (this.intstatus & ~omask) | (this.state & (this.ctrl >> 2) & omask);
    this.irqs.tx((this.intstatus & INT_TX) !== 0);
    this.irqs.rx((this.intstatus & INT_RX) !== 0);
    this.irqs.txOverrun((this.intstatus & INT_TXO) !== 0);
    this.irqs.rxOverrun((this.intstatus & INT_RXO) !== 0);
    this.irqs.combined(this.intstatus !== 0);
  }
}
