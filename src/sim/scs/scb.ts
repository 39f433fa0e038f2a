// The System Control Block (ARMv7-M B3.2.2): CPUID, ICSR, VTOR, AIRCR, SCR, CCR, SHPR1-3,
// SHCSR, CFSR/HFSR/DFSR/MMFAR/BFAR/AFSR, CPACR and the ID registers. Register state lives
// here and in the Nvic; scs.ts routes bus accesses to read()/write().

import type { Cpu } from '../cpu/cpu.js';
import { highestPending } from '../cpu/exceptions.js';

const VECTKEY = 0x05fa;

// CCR reset value: STKALIGN set (QEMU and ARM's recommendation).
const CCR_RESET = 1 << 9;
const CCR_WRITABLE = (1 << 0) | (1 << 1) | (1 << 3) | (1 << 4) | (1 << 8) | (1 << 9);

// ID registers (ID_PFR0 at 0xD40 .. ID_ISAR4 at 0xD70) of the Cortex-M3 and of the M4/M7.
const ID_M3 = [0x30, 0x200, 0x100000, 0, 0x30, 0, 0, 0, 0x01141110, 0x02111000, 0x21112231, 0x01111110, 0x01310102];
const ID_M4 = [0x30, 0x200, 0x100000, 0, 0x30, 0, 0, 0, 0x01141110, 0x02112000, 0x21232231, 0x01111131, 0x01310132];

export class Scb {
  vtor = 0;
  /** VTOR after reset: the core's INITVTOR input (0 on MPS2; the STM32H7's boot address). */
  resetVtor = 0;
  prigroup = 0;
  scr = 0;
  ccr = CCR_RESET;
  /** SHCSR enable bits (MEMFAULTENA 16, BUSFAULTENA 17, USGFAULTENA 18). */
  shcsrEnables = 0;
  cfsr = 0;
  hfsr = 0;
  /** DFSR: set by the debug unit (HALTED, BKPT, DWTTRAP, VCATCH, EXTERNAL). */
  dfsr = 0;
  mmfar = 0;
  bfar = 0;
  afsr = 0;
  cpacr = 0;

  constructor(private readonly cpu: Cpu) {}

  reset(): void {
    this.vtor = this.resetVtor;
    this.prigroup = 0;
    this.scr = 0;
    this.ccr = CCR_RESET;
    this.shcsrEnables = 0;
    this.cfsr = 0;
    this.hfsr = 0;
    this.mmfar = 0;
    this.bfar = 0;
    this.afsr = 0;
    this.cpacr = 0;
  }

  /** Read the SCB register at SCS offset `off` (word aligned, 0xD00-0xD8C). */
  read(off: number): number {
    const cpu = this.cpu;
    const nvic = cpu.nvic;
    switch (off) {
      case 0xd00: return cpu.config.cpuid >>> 0;
      case 0xd04: return this.icsr();
      case 0xd08: return this.vtor;
      case 0xd0c: return ((0xfa05 << 16) | (this.prigroup << 8)) >>> 0;
      case 0xd10: return this.scr;
      case 0xd14: return this.ccr;
      case 0xd18: case 0xd1c: case 0xd20: {
        const first = 4 + (off - 0xd18);
        let v = 0;
        for (let i = 0; i < 4; i++) v |= nvic.priority[first + i] << (8 * i);
        return v >>> 0;
      }
      case 0xd24: return this.shcsr();
      case 0xd28: return this.cfsr >>> 0;
      case 0xd2c: return this.hfsr >>> 0;
      case 0xd30: return this.dfsr >>> 0;
      case 0xd34: return this.mmfar >>> 0;
      case 0xd38: return this.bfar >>> 0;
      case 0xd3c: return this.afsr >>> 0;
      case 0xd88: return this.cpacr >>> 0;
    }
    if (off >= 0xd40 && off <= 0xd70) return (cpu.config.dsp ? ID_M4 : ID_M3)[(off - 0xd40) >> 2] >>> 0;
    return 0;
  }

  /** Write (value already shifted into its byte lanes; laneMask tells which lanes were written). */
  write(off: number, value: number, laneMask: number): void {
    const cpu = this.cpu;
    const nvic = cpu.nvic;
    const merge = (old: number): number => ((old & ~laneMask) | (value & laneMask)) >>> 0;
    switch (off) {
      case 0xd04: this.writeIcsr(value & laneMask); return;
      case 0xd08: this.vtor = merge(this.vtor) & 0xffffff80; return;
      case 0xd0c: {
        if (laneMask !== 0xffffffff || value >>> 16 !== VECTKEY) return;
        this.prigroup = (value >>> 8) & 7;
        cpu.attention = true;
        if (value & 2) {
          // VECTCLRACTIVE: clear all active state (debugger use), IPSR back to Thread
          nvic.active.fill(0);
          cpu.ipsr = 0;
          cpu.syncStackPointer();
        }
        if (value & 4) cpu.resetRequest = 'system';
        else if (value & 1) cpu.resetRequest = 'core';
        return;
      }
      case 0xd10: this.scr = merge(this.scr) & 0x16; cpu.attention = true; return;
      case 0xd14: this.ccr = merge(this.ccr) & CCR_WRITABLE; return;
      case 0xd18: case 0xd1c: case 0xd20: {
        const first = 4 + (off - 0xd18);
        for (let i = 0; i < 4; i++) {
          const n = first + i;
          // only MemManage..UsageFault, SVCall, DebugMonitor, PendSV, SysTick have priorities
          if ((laneMask >>> (8 * i)) & 0xff && (n <= 6 || n === 11 || n === 12 || n === 14 || n === 15)) {
            nvic.setPriority(n, (value >>> (8 * i)) & 0xff);
          }
        }
        return;
      }
      case 0xd24: this.writeShcsr(merge(this.shcsr())); return;
      case 0xd28: this.cfsr = (this.cfsr & ~(value & laneMask)) >>> 0; return; // write 1 to clear
      case 0xd2c: this.hfsr = (this.hfsr & ~(value & laneMask)) >>> 0; return;
      case 0xd30: this.dfsr = (this.dfsr & ~(value & laneMask)) >>> 0; return;
      case 0xd34: this.mmfar = merge(this.mmfar); return;
      case 0xd38: this.bfar = merge(this.bfar); return;
      case 0xd3c: this.afsr = (this.afsr & ~(value & laneMask)) >>> 0; return;
      case 0xd88: if (cpu.config.fpu) this.cpacr = merge(this.cpacr) & 0x00f00000; return;
    }
  }

  private icsr(): number {
    const cpu = this.cpu;
    const nvic = cpu.nvic;
    let v = cpu.ipsr & 0x1ff; // VECTACTIVE
    // RETTOBASE: no active exception other than the current one (UNKNOWN in Thread
    // mode, where QEMU 7.2 reads 1: matched for the differential test)
    if (nvic.activeCount() <= 1) v |= 1 << 11;
    const pend = highestPending(cpu);
    v |= (pend & 0x1ff) << 12; // VECTPENDING
    let ext = false;
    for (let n = 16; n < nvic.count && !ext; n++) if (nvic.pending[n]) ext = true;
    if (ext) v |= 1 << 22; // ISRPENDING
    if (nvic.pending[15]) v |= 1 << 26; // PENDSTSET
    if (nvic.pending[14]) v |= 1 << 28; // PENDSVSET
    if (nvic.pending[2]) v |= 1 << 31; // NMIPENDSET
    return v >>> 0;
  }

  private writeIcsr(v: number): void {
    const nvic = this.cpu.nvic;
    if (v & (1 << 31)) nvic.setPending(2);
    if (v & (1 << 28)) nvic.setPending(14);
    else if (v & (1 << 27)) nvic.clearPending(14);
    if (v & (1 << 26)) nvic.setPending(15);
    else if (v & (1 << 25)) nvic.clearPending(15);
  }

  private shcsr(): number {
    const nvic = this.cpu.nvic;
    const a = nvic.active;
    const p = nvic.pending;
    return (
      (a[4] << 0) | (a[5] << 1) | (a[6] << 3) | (a[11] << 7) | (a[12] << 8) | (a[14] << 10) | (a[15] << 11) |
      (p[6] << 12) | (p[4] << 13) | (p[5] << 14) | (p[11] << 15) |
      this.shcsrEnables
    ) >>> 0;
  }

  private writeShcsr(v: number): void {
    const nvic = this.cpu.nvic;
    const setActive = (n: number, bit: number): void => {
      nvic.active[n] = (v >>> bit) & 1;
    };
    setActive(4, 0); setActive(5, 1); setActive(6, 3); setActive(11, 7); setActive(12, 8); setActive(14, 10); setActive(15, 11);
    const setPend = (n: number, bit: number): void => {
      if ((v >>> bit) & 1) nvic.setPending(n);
      else nvic.clearPending(n);
    };
    setPend(6, 12); setPend(4, 13); setPend(5, 14); setPend(11, 15);
    this.shcsrEnables = v & (7 << 16);
    this.cpu.attention = true;
  }
}
