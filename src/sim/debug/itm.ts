// The ITM at 0xE0000000 (ARMv7-M ARM C1.7): an enabled stimulus port write becomes an
// instrumentation packet (header (port << 3) | size code 1/2/3, then 1, 2 or 4 payload
// bytes, little-endian) in the trace FIFO the SWO pin empties. A write when the FIFO
// has no room is dropped and an Overflow packet (0x70) follows once there is room.
// Not modelled: local and global timestamps, synchronisation packets, DWT hardware
// source packets, the TPR privilege check (the bus does not say who writes).
import type { AccessSize, Device } from '../bus.js';
import { armPid, CS_CLASS } from '../../arch/coresight.js';
import { readIdRegister, type ComponentIdentity } from './component-id.js';

/** Where packets go: the trace FIFO (SwoPin). */
export interface ItmTraceSink {
  /** Free FIFO bytes now. */
  free(): number;
  /** Queue a whole packet; false when it does not fit. */
  push(bytes: readonly number[]): boolean;
  /** A packet was dropped. */
  overflow(): void;
  /** Anything still in the FIFO or on the pin. */
  readonly busy: boolean;
}

/** FIFOREADY needs room for the largest packet (a word: header and 4 bytes). */
const MAX_PACKET = 5;
const TCR_BUSY = 1 << 23;

export class ItmUnit implements Device {
  private ter = 0;
  private tpr = 0;
  private tcr = 0;
  /** DEMCR.TRCENA, set by the debug unit. */
  trcena = false;
  /** Receives every enabled stimulus write the FIFO accepted: port, value, size in bytes. */
  onStimulus: ((port: number, value: number, size: number) => void) | null = null;
  /** The trace FIFO; without one every write is accepted and only onStimulus sees it. */
  sink: ItmTraceSink | null = null;
  readonly identity: ComponentIdentity = { cls: CS_CLASS.GENERIC_IP, pid: armPid(0x001, 3) };

  reset(): void {
    this.ter = this.tpr = this.tcr = 0;
  }

  private get enabled(): boolean {
    return this.trcena && (this.tcr & 1) !== 0;
  }

  private fifoReady(): boolean {
    return !this.sink || this.sink.free() >= MAX_PACKET;
  }

  read(offset: number, size: AccessSize): number {
    const word = offset & ~3;
    let v: number;
    if (word < 0x80) v = this.enabled && this.fifoReady() ? 1 : 0; // FIFOREADY
    else if (word === 0xe00) v = this.ter;
    else if (word === 0xe40) v = this.tpr;
    else if (word === 0xe80) v = this.sink?.busy ? this.tcr | TCR_BUSY : this.tcr;
    else if (word === 0xfb4) v = 0; // lock status: no lock implemented for debugger accesses
    else v = readIdRegister(this.identity, word) ?? 0;
    return size === 4 ? v >>> 0 : (v >>> ((offset & 3) * 8)) & (size === 1 ? 0xff : 0xffff);
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (offset < 0x80) {
      const port = offset >>> 2;
      if (!this.enabled || !((this.ter >>> port) & 1)) return;
      if (this.sink) {
        if (!this.fifoReady()) {
          this.sink.overflow();
          return;
        }
        const packet = [(port << 3) | (size === 1 ? 1 : size === 2 ? 2 : 3)];
        for (let i = 0; i < size; i++) packet.push((value >>> (8 * i)) & 0xff);
        this.sink.push(packet);
      }
      this.onStimulus?.(port, value >>> 0, size);
      return;
    }
    if (size !== 4) return;
    if (offset === 0xe00) this.ter = value >>> 0;
    else if (offset === 0xe40) this.tpr = value & 0xf;
    else if (offset === 0xe80) this.tcr = value & 0x007f0f1f;
  }
}
