// The probe's UART, wired to the target's console UART (CMSIS-DAP v2.1 "UART COM" over
// DAP commands). The device keeps a receive buffer; transmitted bytes go straight to the
// target's receiver.

/** The target side of the wire: bytes to the target, and a tap on what it sends. */
export interface DapUartLink {
  /** Give bytes to the target's receiver. */
  send(bytes: Uint8Array): void;
  /** Start delivering bytes the target transmits; returns how to stop. */
  listen(onByte: (byte: number) => void): () => void;
}

export const UART_RX_BUFFER = 4096;
export const UART_TX_BUFFER = 4096;

/** DAP_UART_Status / DAP_UART_Transfer status bits. */
export const UartStatus = { RX_ENABLED: 0x01, RX_DATA_LOST: 0x02, FRAMING: 0x04, PARITY: 0x08, TX_ENABLED: 0x10 } as const;

/** The device's UART state: transport, configuration, enables and the receive buffer. */
export class DapUart {
  /** 0: none, 2: transport via DAP commands (1, a USB COM port, does not exist here). */
  transport = 0;
  configured = false;
  baudrate = 0;
  rxEnabled = false;
  txEnabled = false;
  dataLost = false;
  private rx = new Uint8Array(UART_RX_BUFFER);
  private rxHead = 0;
  private rxCount = 0;
  private stopListening: (() => void) | null = null;

  constructor(readonly link: DapUartLink) {}

  get rxAvailable(): number {
    return this.rxCount;
  }

  status(): number {
    let s = 0;
    if (this.rxEnabled) s |= UartStatus.RX_ENABLED;
    if (this.dataLost) s |= UartStatus.RX_DATA_LOST;
    if (this.txEnabled) s |= UartStatus.TX_ENABLED;
    this.dataLost = false; // reported once, then cleared (spec: "automatically cleared")
    return s;
  }

  setTransport(t: number): boolean {
    if (t !== 0 && t !== 2) return false;
    this.transport = t;
    if (t === 0) {
      this.enableRx(false);
      this.txEnabled = false;
      this.configured = false;
    }
    return true;
  }

  enableRx(on: boolean): void {
    if (on) {
      this.flushRx();
      if (!this.stopListening) this.stopListening = this.link.listen((b) => this.received(b));
    } else {
      this.stopListening?.();
      this.stopListening = null;
    }
    this.rxEnabled = on;
  }

  flushRx(): void {
    this.rxHead = 0;
    this.rxCount = 0;
  }

  private received(byte: number): void {
    if (this.rxCount === this.rx.length) {
      this.dataLost = true;
      return;
    }
    this.rx[(this.rxHead + this.rxCount) % this.rx.length] = byte;
    this.rxCount++;
  }

  take(max: number): Uint8Array {
    const n = Math.min(max, this.rxCount);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.rx[(this.rxHead + i) % this.rx.length];
    this.rxHead = (this.rxHead + n) % this.rx.length;
    this.rxCount -= n;
    return out;
  }

  /** Stop listening (host gone). */
  close(): void {
    this.enableRx(false);
  }
}
