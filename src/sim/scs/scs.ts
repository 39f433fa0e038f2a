// The System Control Space device at 0xE000E000-0xE000EFFF: ICTR/ACTLR, SysTick, the NVIC
// registers, the SCB, the MPU (absent: MPU_TYPE reads 0), STIR and the SCS identification
// registers. The debug registers (DHCSR, DCRSR, DCRDR, DEMCR at 0xDF0-0xEFF) are served by a
// pluggable device that the debug unit installs in `debugRegisters`; FPU registers
// (FPCCR.. MVFR at 0xF34-0xF4B) likewise by `fpuRegisters` once the FPU exists.

import { BusFault, type AccessSize, type Bus, type Device, type Region } from '../bus.js';
import type { Cpu } from '../cpu/cpu.js';

export const SCS_BASE = 0xe000e000;
export const SCS_SIZE = 0x1000;

// Peripheral and component ID registers at 0xFD0-0xFFC (PID4..7, PID0..3, CID0..3).
const SCS_IDS: Record<number, number> = {
  0xfd0: 0x04, 0xfe0: 0x00, 0xfe4: 0xb0, 0xfe8: 0x0b, 0xfec: 0x00,
  0xff0: 0x0d, 0xff4: 0xe0, 0xff8: 0x05, 0xffc: 0xb1,
};

export class Scs implements Device {
  /** The debug unit's registers at 0xDF0-0xEFF (offsets passed relative to the SCS base). */
  debugRegisters: Device | null = null;
  /** FPU control registers at 0xF30-0xF4F (offsets relative to the SCS base). */
  fpuRegisters: Device | null = null;

  constructor(private readonly cpu: Cpu) {}

  /** Unprivileged software may not touch the SCS (except STIR with CCR.USERSETMPEND): BusFault. */
  private checkPrivilege(offset: number, size: AccessSize, write: boolean): void {
    const cpu = this.cpu;
    if (!cpu.coreAccess || cpu.isPrivileged()) return;
    if (write && offset === 0xf00 && (cpu.scb.ccr & 2) !== 0) return;
    throw new BusFault(SCS_BASE + offset, write, size, 'unprivileged access to the System Control Space');
  }

  read(offset: number, size: AccessSize): number {
    this.checkPrivilege(offset, size, false);
    if (offset >= 0xdf0 && offset < 0xf00) return this.debugRegisters ? this.debugRegisters.read(offset, size) : 0;
    if (offset >= 0xf30 && offset < 0xf50) return this.fpuRegisters ? this.fpuRegisters.read(offset, size) : 0;
    const word = this.readWord(offset & ~3);
    const shift = (offset & 3) * 8;
    const mask = size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
    return ((word >>> shift) & mask) >>> 0;
  }

  write(offset: number, size: AccessSize, value: number): void {
    this.checkPrivilege(offset, size, true);
    if (offset >= 0xdf0 && offset < 0xf00) {
      if (this.debugRegisters) this.debugRegisters.write(offset, size, value);
      return;
    }
    if (offset >= 0xf30 && offset < 0xf50) {
      if (this.fpuRegisters) this.fpuRegisters.write(offset, size, value);
      return;
    }
    const shift = (offset & 3) * 8;
    const laneMask = size === 4 ? 0xffffffff : ((size === 2 ? 0xffff : 0xff) << shift) >>> 0;
    this.writeWord(offset & ~3, (value << shift) >>> 0, laneMask);
  }

  private readWord(off: number): number {
    const cpu = this.cpu;
    const nvic = cpu.nvic;
    if (off === 0x004) return Math.max(0, Math.ceil(cpu.config.irqs / 32) - 1); // ICTR.INTLINESNUM
    if (off >= 0x010 && off < 0x020) return cpu.systick.read(off - 0x010);
    if (off >= 0x100 && off < 0x400) {
      const group = (off - 0x100) >> 7; // 0 ISER, 1 ICER, 2 ISPR, 3 ICPR, 4 IABR
      const first = 16 + ((off & 0x7f) >> 2) * 32;
      const bits = group <= 1 ? nvic.enabled : group <= 3 ? nvic.pending : group === 4 ? nvic.active : null;
      if (!bits) return 0;
      let v = 0;
      for (let i = 0; i < 32 && first + i < nvic.count; i++) if (bits[first + i]) v |= 1 << i;
      return v >>> 0;
    }
    if (off >= 0x400 && off < 0x5f0) {
      const first = 16 + (off - 0x400);
      let v = 0;
      for (let i = 0; i < 4 && first + i < nvic.count; i++) v |= nvic.priority[first + i] << (8 * i);
      return v >>> 0;
    }
    if (off >= 0xd00 && off < 0xd90) return cpu.scb.read(off);
    // PIDR0 holds the SCS part number: 0x000 on Cortex-M3, 0x00C on Cortex-M4/M7 (debuggers name the core by it).
    if (off === 0xfe0) return cpu.config.name === 'cortex-m3' ? 0x00 : 0x0c;
    if (off in SCS_IDS) return SCS_IDS[off];
    return 0; // ACTLR, MPU (not present), reserved: RAZ
  }

  private writeWord(off: number, value: number, laneMask: number): void {
    const cpu = this.cpu;
    const nvic = cpu.nvic;
    if (off >= 0x010 && off < 0x020) {
      // SysTick registers are word registers; merge partial writes
      const reg = off - 0x010;
      const old = reg === 0 ? 0 : cpu.systick.read(reg);
      cpu.systick.write(reg, ((old & ~laneMask) | (value & laneMask)) >>> 0);
      return;
    }
    if (off >= 0x100 && off < 0x380) {
      const group = (off - 0x100) >> 7;
      const first = 16 + ((off & 0x7f) >> 2) * 32;
      const v = value & laneMask;
      for (let i = 0; i < 32 && first + i < nvic.count; i++) {
        if (((v >>> i) & 1) === 0) continue;
        const n = first + i;
        switch (group) {
          case 0: nvic.setEnabled(n, true); break;
          case 1: nvic.setEnabled(n, false); break;
          case 2: nvic.setPending(n); break;
          case 3: nvic.clearPending(n); break;
        }
      }
      return;
    }
    if (off >= 0x400 && off < 0x5f0) {
      const first = 16 + (off - 0x400);
      for (let i = 0; i < 4; i++) if ((laneMask >>> (8 * i)) & 0xff) nvic.setPriority(first + i, (value >>> (8 * i)) & 0xff);
      return;
    }
    if (off >= 0xd00 && off < 0xd90) {
      cpu.scb.write(off, value, laneMask);
      return;
    }
    if (off === 0xf00) {
      // STIR: pend external interrupt INTID
      nvic.setPending(16 + (value & 0x1ff));
      return;
    }
  }
}

/** Map the core's System Control Space into a bus (boards call this). */
export function mapScs(bus: Bus, cpu: Cpu): Region {
  return bus.mapDevice('SCS', SCS_BASE, SCS_SIZE, cpu.scs);
}
