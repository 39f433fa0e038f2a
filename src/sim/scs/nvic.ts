// Exception state for every exception number (1..15 system, 16.. external interrupts):
// pending, active, enabled, priority, and the level of each interrupt line. The NVIC
// registers (ISER/ICER/ISPR/ICPR/IABR/IPR, STIR) are views of this state (see scs.ts).
// Peripherals call irq(line, level); anyone may pend an exception with setPending(n).

import type { Cpu } from '../cpu/cpu.js';

export class Nvic {
  /** 16 + number of external interrupts. */
  readonly count: number;
  readonly pending: Uint8Array;
  readonly active: Uint8Array;
  /** Enable bits of external interrupts (ISER); system exceptions use SHCSR. */
  readonly enabled: Uint8Array;
  /** Priority register values (top `priorityBits` bits kept) of exceptions 4.. */
  readonly priority: Uint8Array;
  /** Level of each interrupt line: a line still high when its handler returns pends again. */
  readonly level: Uint8Array;
  /** How many pending bits are set (a quick "nothing pending" test). */
  pendingCount = 0;
  /** The implemented bits of a priority byte, e.g. 0xE0 for 3 bits. */
  readonly priorityMask: number;

  constructor(private readonly cpu: Cpu) {
    this.count = 16 + cpu.config.irqs;
    this.pending = new Uint8Array(this.count);
    this.active = new Uint8Array(this.count);
    this.enabled = new Uint8Array(this.count);
    this.priority = new Uint8Array(this.count);
    this.level = new Uint8Array(this.count);
    this.priorityMask = (0xff << (8 - cpu.config.priorityBits)) & 0xff;
  }

  reset(): void {
    this.pending.fill(0);
    this.active.fill(0);
    this.enabled.fill(0);
    this.priority.fill(0);
    this.pendingCount = 0;
    // line levels are the peripherals' state and survive a core reset
    for (let n = 16; n < this.count; n++) if (this.level[n]) this.setPending(n);
  }

  /** Pend exception n (1..count-1). */
  setPending(n: number): void {
    if (n <= 0 || n >= this.count) return;
    if (this.pending[n] === 0) {
      this.pending[n] = 1;
      this.pendingCount++;
      // SCR.SEVONPEND: a newly pending interrupt is a WFE wake-up event
      if ((this.cpu.scb.scr & 0x10) !== 0) this.cpu.sendEvent();
    }
    this.cpu.attention = true;
  }

  clearPending(n: number): void {
    if (n <= 0 || n >= this.count) return;
    if (this.pending[n] !== 0) {
      this.pending[n] = 0;
      this.pendingCount--;
    }
    this.cpu.attention = true;
  }

  /** An interrupt line from a peripheral (line 0 = exception 16). Rising or high level pends it. */
  irq(line: number, level: boolean): void {
    const n = 16 + line;
    if (n >= this.count) return;
    this.level[n] = level ? 1 : 0;
    if (level && this.active[n] === 0) this.setPending(n);
  }

  /** Pulse an interrupt (edge-style peripherals). */
  pulse(line: number): void {
    this.setPending(16 + line);
  }

  /** Called by the exception model after exception n is deactivated. */
  exceptionDeactivated(n: number): void {
    if (n >= 16 && this.level[n] !== 0) this.setPending(n);
    this.cpu.attention = true;
  }

  activeCount(): number {
    let c = 0;
    for (let n = 1; n < this.count; n++) c += this.active[n];
    return c;
  }

  setEnabled(n: number, on: boolean): void {
    if (n < 16 || n >= this.count) return;
    this.enabled[n] = on ? 1 : 0;
    this.cpu.attention = true;
  }

  setPriority(n: number, value: number): void {
    if (n < 4 || n >= this.count) return;
    this.priority[n] = value & this.priorityMask;
    this.cpu.attention = true;
  }
}
