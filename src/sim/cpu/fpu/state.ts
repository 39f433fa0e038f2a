// The floating-point extension's architectural state: S0-S31 (D0-D15 overlay them, D[n] =
// S[2n+1]:S[2n]), FPSCR, and the FP context control registers of the SCS (FPCCR, FPCAR,
// FPDSCR, MVFR0-2 at 0xE000EF34-0xE000EF4B), with ExecuteFPCheck (CPACR access check, lazy
// state preservation, CONTROL.FPCA), and the extended exception frame used by exceptions.ts.

import { BusFault, type AccessSize, type Device } from '../../bus.js';
import { type Cpu, Fault } from '../cpu.js';
import { executionPriority, exceptionPriority } from '../exceptions.js';

export const FPCCR_LSPACT = 1 << 0;
export const FPCCR_USER = 1 << 1;
export const FPCCR_THREAD = 1 << 3;
export const FPCCR_HFRDY = 1 << 4;
export const FPCCR_MMRDY = 1 << 5;
export const FPCCR_BFRDY = 1 << 6;
export const FPCCR_MONRDY = 1 << 8;
export const FPCCR_LSPEN = 1 << 30;
export const FPCCR_ASPEN = 1 << 31;
const FPCCR_WRITABLE = (FPCCR_ASPEN | FPCCR_LSPEN | FPCCR_MONRDY | FPCCR_BFRDY | FPCCR_MMRDY | FPCCR_HFRDY | FPCCR_THREAD | FPCCR_USER | FPCCR_LSPACT) >>> 0;
/** FPSCR bits that exist on ARMv7-M: N Z C V, AHP, DN, FZ, RMode, IDC, IXC, UFC, OFC, DZC, IOC. */
export const FPSCR_MASK = 0xf7c0009f;
/** FPDSCR: AHP, DN, FZ, RMode. */
export const FPDSCR_MASK = 0x07c00000;

export class FpState {
  /** S0-S31 as bit patterns. */
  readonly s = new Uint32Array(32);
  fpscr = 0;
  fpccr = (FPCCR_ASPEN | FPCCR_LSPEN) >>> 0;
  fpcar = 0;
  fpdscr = 0;

  reset(): void {
    // S registers and FPSCR are UNKNOWN after reset; zero as QEMU does
    this.s.fill(0);
    this.fpscr = 0;
    this.fpccr = (FPCCR_ASPEN | FPCCR_LSPEN) >>> 0;
    this.fpcar = 0;
    this.fpdscr = 0;
  }

  getS(n: number): bigint {
    return BigInt(this.s[n]);
  }
  setS(n: number, v: bigint): void {
    this.s[n] = Number(v & 0xffffffffn);
  }
  getD(n: number): bigint {
    return (BigInt(this.s[2 * n + 1]) << 32n) | BigInt(this.s[2 * n]);
  }
  setD(n: number, v: bigint): void {
    this.s[2 * n] = Number(v & 0xffffffffn);
    this.s[2 * n + 1] = Number((v >> 32n) & 0xffffffffn);
  }
}

const MVFR: Record<string, [number, number, number]> = {
  // FPv4-SP (Cortex-M4F): single precision, no MVFR2
  'fpv4-sp': [0x10110021, 0x11000011, 0],
  // FPv5 with double precision (Cortex-M7 as on STM32H7)
  'fpv5-dp': [0x10110221, 0x12000011, 0x00000040],
};

/** The FPU registers of the SCS (offsets relative to 0xE000E000). */
export class FpuRegisters implements Device {
  constructor(private readonly cpu: Cpu) {}

  private word(off: number): number {
    const fp = this.cpu.fp;
    const mvfr = MVFR[this.cpu.config.fpu ?? 'fpv4-sp'];
    switch (off) {
      case 0xf34: return fp.fpccr >>> 0;
      case 0xf38: return fp.fpcar >>> 0;
      case 0xf3c: return fp.fpdscr >>> 0;
      case 0xf40: return mvfr[0] >>> 0;
      case 0xf44: return mvfr[1] >>> 0;
      case 0xf48: return mvfr[2] >>> 0;
      default: return 0;
    }
  }

  read(offset: number, size: AccessSize): number {
    const w = this.word(offset & ~3);
    const mask = size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
    return ((w >>> ((offset & 3) * 8)) & mask) >>> 0;
  }

  write(offset: number, size: AccessSize, value: number): void {
    const off = offset & ~3;
    const shift = (offset & 3) * 8;
    const lane = size === 4 ? 0xffffffff : ((size === 2 ? 0xffff : 0xff) << shift) >>> 0;
    const merged = ((this.word(off) & ~lane) | ((value << shift) & lane)) >>> 0;
    const fp = this.cpu.fp;
    switch (off) {
      case 0xf34: fp.fpccr = (merged & FPCCR_WRITABLE) >>> 0; return;
      case 0xf38: fp.fpcar = (merged & ~7) >>> 0; return;
      case 0xf3c: fp.fpdscr = (merged & FPDSCR_MASK) >>> 0; return;
      default: return; // MVFR0-2 read-only
    }
  }
}

/** PreserveFPState: the lazy save of S0-S15 and FPSCR into the frame reserved at FPCAR. */
export function preserveFPState(cpu: Cpu): void {
  const fp = cpu.fp;
  const base = fp.fpcar >>> 0;
  try {
    for (let i = 0; i < 16; i++) cpu.bus.write32((base + 4 * i) >>> 0, fp.s[i]);
    cpu.bus.write32((base + 0x40) >>> 0, fp.fpscr);
  } catch (e) {
    if (!(e instanceof BusFault)) throw e;
    // BFSR.LSPERR; the FP instruction does not execute and LSPACT stays set
    cpu.fault(Fault.LspErr);
  }
  fp.fpccr = (fp.fpccr & ~FPCCR_LSPACT) >>> 0;
}

/**
 * Exception entry with CONTROL.FPCA set (called by takeException after the basic frame is
 * written): either store S0-S15 and FPSCR at frame + 0x20 or, with FPCCR.LSPEN, reserve the
 * space and arm lazy preservation (UpdateFPCCR).
 */
export function stackFpContext(cpu: Cpu, frame: number, threadMode: boolean, hfReady: boolean): void {
  const fp = cpu.fp;
  if ((fp.fpccr & FPCCR_LSPEN) === 0) {
    for (let i = 0; i < 16; i++) cpu.bus.write32((frame + 0x20 + 4 * i) >>> 0, fp.s[i]);
    cpu.bus.write32((frame + 0x60) >>> 0, fp.fpscr);
    // ARMv8-M leaves S0-S15 and FPSCR UNKNOWN after stacking them; QEMU 7.2 zeroes them
    // (on its Cortex-M4/M7 too), which the differential test follows.
    fp.s.fill(0, 0, 16);
    fp.fpscr = 0;
    return;
  }
  fp.fpcar = (frame + 0x20) >>> 0;
  let c = fp.fpccr & ~(FPCCR_USER | FPCCR_THREAD | FPCCR_HFRDY | FPCCR_MMRDY | FPCCR_BFRDY | FPCCR_MONRDY);
  c |= FPCCR_LSPACT;
  if (!cpu.isPrivileged()) c |= FPCCR_USER;
  if (threadMode) c |= FPCCR_THREAD;
  if (hfReady) c |= FPCCR_HFRDY;
  // MemManage/BusFault could be taken from the preempted context (UpdateFPCCR); MONRDY is
  // left clear (DebugMonitor readiness is not modelled)
  const shcsr = cpu.scb.shcsrEnables;
  const prio = executionPriority(cpu);
  if ((shcsr & (1 << 16)) !== 0 && prio > exceptionPriority(cpu, 4)) c |= FPCCR_MMRDY;
  if ((shcsr & (1 << 17)) !== 0 && prio > exceptionPriority(cpu, 5)) c |= FPCCR_BFRDY;
  fp.fpccr = c >>> 0;
}

/** Exception return to an extended frame (EXC_RETURN bit 4 clear): restore or drop the lazy save. */
export function unstackFpContext(cpu: Cpu, frame: number): void {
  const fp = cpu.fp;
  if (fp.fpccr & FPCCR_LSPACT) {
    fp.fpccr = (fp.fpccr & ~FPCCR_LSPACT) >>> 0; // the registers still hold the context
    return;
  }
  const w = new Uint32Array(17);
  for (let i = 0; i < 17; i++) w[i] = cpu.bus.read32((frame + 0x20 + 4 * i) >>> 0);
  fp.s.set(w.subarray(0, 16));
  fp.fpscr = (w[16] & FPSCR_MASK) >>> 0;
}
