// The ITM at 0xE0000000 (ARMv7-M ARM C1.7): stimulus port writes become trace data for
// whoever listens (the SWO path); the control registers are kept as written.
import type { AccessSize, Device } from '../bus.js';
import { armPid, CS_CLASS } from '../../arch/coresight.js';
import { readIdRegister, type ComponentIdentity } from './component-id.js';

export class ItmUnit implements Device {
  private ter = 0;
  private tpr = 0;
  private tcr = 0;
  /** DEMCR.TRCENA, set by the debug unit. */
  trcena = false;
  /** Receives every enabled stimulus write: port, value, size in bytes. */
  onStimulus: ((port: number, value: number, size: number) => void) | null = null;
  readonly identity: ComponentIdentity = { cls: CS_CLASS.GENERIC_IP, pid: armPid(0x001, 3) };

  reset(): void {
    this.ter = this.tpr = this.tcr = 0;
  }

  private get enabled(): boolean {
    return this.trcena && (this.tcr & 1) !== 0;
  }

  read(offset: number, size: AccessSize): number {
    const word = offset & ~3;
    let v: number;
    if (word < 0x80) v = this.enabled ? 1 : 0; // stimulus port: FIFO always ready
    else if (word === 0xe00) v = this.ter;
    else if (word === 0xe40) v = this.tpr;
    else if (word === 0xe80) v = this.tcr;
    else if (word === 0xfb4) v = 0; // lock status: no lock implemented for debugger accesses
    else v = readIdRegister(this.identity, word) ?? 0;
    return size === 4 ? v >>> 0 : (v >>> ((offset & 3) * 8)) & (size === 1 ? 0xff : 0xffff);
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (offset < 0x80) {
      const port = offset >>> 2;
      if (this.enabled && (this.ter >>> port) & 1 && this.onStimulus) this.onStimulus(port, value >>> 0, size);
      return;
    }
    if (size !== 4) return;
    if (offset === 0xe00) this.ter = value >>> 0;
    else if (offset === 0xe40) this.tpr = value & 0xf;
    else if (offset === 0xe80) this.tcr = value & 0x007f0f1f;
  }
}
