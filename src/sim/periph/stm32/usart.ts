// STM32 USART (RM0433 "Universal synchronous/asynchronous receiver transmitter"),
// FIFO disabled: CR1 (UE, RE, TE, RXNEIE, TCIE, TXEIE), CR2, CR3, BRR, RQR, ISR (RXNE,
// TC, TXE, ORE, TEACK, REACK), ICR, RDR, TDR, PRESC.
// As the CMSDK UART model does, a written byte leaves at once (TXE and TC stay set) and
// goes to `output`; host bytes queue and enter RDR one character time after RDR empties,
// while the receiver is enabled. The interrupt line is TXE&TXEIE | TC&TCIE |
// (RXNE|ORE)&RXNEIE.
import type { AccessSize, Device } from '../../bus.js';
import type { Clock } from '../../clock.js';
import { noIrq, type IrqLine } from '../irq-line.js';
import { laneMerge, laneRead } from './regfile.js';
import { HostSerial } from '../host-serial.js';

export const USART_REG = { CR1: 0x00, CR2: 0x04, CR3: 0x08, BRR: 0x0c, GTPR: 0x10, RTOR: 0x14, RQR: 0x18, ISR: 0x1c, ICR: 0x20, RDR: 0x24, TDR: 0x28, PRESC: 0x2c } as const;
export const USART_CR1 = { UE: 1 << 0, RE: 1 << 2, TE: 1 << 3, IDLEIE: 1 << 4, RXNEIE: 1 << 5, TCIE: 1 << 6, TXEIE: 1 << 7 } as const;
export const USART_ISR = { PE: 1 << 0, FE: 1 << 1, NE: 1 << 2, ORE: 1 << 3, IDLE: 1 << 4, RXNE: 1 << 5, TC: 1 << 6, TXE: 1 << 7, TEACK: 1 << 21, REACK: 1 << 22 } as const;

export class Stm32Usart extends HostSerial implements Device {
  private cr1 = 0;
  private cr2 = 0;
  private cr3 = 0;
  private brr = 0;
  private gtpr = 0;
  private rtor = 0;
  private presc = 0;
  private flags = 0; // RXNE, ORE, IDLE, PE, FE, NE
  private rdr = 0;

  constructor(readonly name: string, clock: Clock, private readonly irq: IrqLine = noIrq) {
    super(clock);
  }

  reset(): void {
    this.cr1 = this.cr2 = this.cr3 = this.brr = this.gtpr = this.rtor = this.presc = this.flags = this.rdr = 0;
    this.cancelDelivery();
    this.update();
  }

  private get enabled(): boolean {
    return (this.cr1 & USART_CR1.UE) !== 0;
  }

  get isr(): number {
    let v = this.flags | USART_ISR.TXE | USART_ISR.TC;
    if (this.enabled && this.cr1 & USART_CR1.TE) v |= USART_ISR.TEACK;
    if (this.enabled && this.cr1 & USART_CR1.RE) v |= USART_ISR.REACK;
    return v >>> 0;
  }

  read(offset: number, size: AccessSize): number {
    const reg = offset & ~3;
    let v = 0;
    switch (reg) {
      case USART_REG.CR1: v = this.cr1; break;
      case USART_REG.CR2: v = this.cr2; break;
      case USART_REG.CR3: v = this.cr3; break;
      case USART_REG.BRR: v = this.brr; break;
      case USART_REG.GTPR: v = this.gtpr; break;
      case USART_REG.RTOR: v = this.rtor; break;
      case USART_REG.ISR: v = this.isr; break;
      case USART_REG.RDR:
        v = this.rdr;
        if (this.flags & USART_ISR.RXNE) {
          this.flags &= ~USART_ISR.RXNE;
          this.update();
          this.scheduleDelivery();
        }
        break;
      case USART_REG.PRESC: v = this.presc; break;
    }
    return laneRead(v, offset, size);
  }

  write(offset: number, size: AccessSize, value: number): void {
    const reg = offset & ~3;
    const merge = (old: number) => laneMerge(old, offset, size, value);
    switch (reg) {
      case USART_REG.CR1:
        this.cr1 = merge(this.cr1);
        break;
      case USART_REG.CR2: this.cr2 = merge(this.cr2); break;
      case USART_REG.CR3: this.cr3 = merge(this.cr3); break;
      case USART_REG.BRR: this.brr = merge(this.brr) & 0xffff; break;
      case USART_REG.GTPR: this.gtpr = merge(this.gtpr) & 0xffff; break;
      case USART_REG.RTOR: this.rtor = merge(this.rtor); break;
      case USART_REG.PRESC: this.presc = merge(this.presc) & 0xf; break;
      case USART_REG.RQR: {
        const v = merge(0);
        if (v & (1 << 3)) this.flags &= ~USART_ISR.RXNE; // RXFRQ: flush the received byte
        break;
      }
      case USART_REG.ICR: {
        const v = merge(0);
        // PECF FECF NECF ORECF IDLECF at bits 0-4 clear the flags of the same position
        this.flags &= ~(v & (USART_ISR.PE | USART_ISR.FE | USART_ISR.NE | USART_ISR.ORE | USART_ISR.IDLE));
        break;
      }
      case USART_REG.TDR:
        if (this.enabled && this.cr1 & USART_CR1.TE) this.output(merge(0) & 0xff);
        break;
      default:
        return;
    }
    this.update();
    this.scheduleDelivery();
  }

  /** 10 bits at the BRR divider, or a short default. */
  protected charCycles(): number {
    return this.brr >= 16 ? this.brr * 10 : 160;
  }

  protected receiverReady(): boolean {
    return this.enabled && (this.cr1 & USART_CR1.RE) !== 0 && (this.flags & USART_ISR.RXNE) === 0;
  }

  protected receive(byte: number): void {
    this.rdr = byte;
    this.flags |= USART_ISR.RXNE;
    this.update();
  }

  private update(): void {
    const isr = this.isr;
    const cr1 = this.cr1;
    const level =
      ((isr & USART_ISR.TXE) !== 0 && (cr1 & USART_CR1.TXEIE) !== 0) ||
      ((isr & USART_ISR.TC) !== 0 && (cr1 & USART_CR1.TCIE) !== 0) ||
      ((isr & (USART_ISR.RXNE | USART_ISR.ORE)) !== 0 && (cr1 & USART_CR1.RXNEIE) !== 0);
    this.irq(this.enabled && level);
  }
}
