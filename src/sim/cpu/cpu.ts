// The simulated ARMv7-M core: architectural state and the contract between the
// instruction set (isa/), the exception model (exceptions.ts, scs/) and debug (debug/).
//
// Ownership while the core is being built (see docs/CONTRIBUTING.md):
//  - this file and src/sim/cpu/isa/*: the instruction set and the run loop
//  - src/sim/cpu/exceptions.ts and src/sim/scs/*: exceptions, NVIC, SCB, SysTick
//  - src/sim/debug/*: halting debug, FPB, DWT, the debug port
// Others add fields here with small, local edits only.

import type { Bus } from '../bus.js';
import type { Clock } from '../clock.js';

/** Which architecture profile features the core has. */
export interface CoreConfig {
  /** 'cortex-m3' | 'cortex-m4' | 'cortex-m7' */
  readonly name: string;
  /** SCB CPUID value, e.g. 0x412FC231 (M3 r2p1), 0x410FC241 (M4 r0p1), 0x411FC272 (M7 r1p2). */
  readonly cpuid: number;
  /** ARMv7E-M DSP extension (M4, M7). */
  readonly dsp: boolean;
  /** FPv4-SP (M4F) or FPv5-DP (M7 on STM32H7); undefined: no FPU. */
  readonly fpu?: 'fpv4-sp' | 'fpv5-dp';
  /** Number of external interrupt lines. */
  readonly irqs: number;
  /** Implemented priority bits (3 on MPS2 CMSDK cores and 4 on STM32). */
  readonly priorityBits: number;
}

/** Faults an instruction can raise; the exception model maps them to CFSR bits. */
export const enum Fault {
  // UsageFault (UFSR)
  UndefInstr = 'UNDEFINSTR',
  InvState = 'INVSTATE',
  InvPc = 'INVPC',
  NoCp = 'NOCP',
  Unaligned = 'UNALIGNED',
  DivByZero = 'DIVBYZERO',
  // BusFault (BFSR)
  IBusErr = 'IBUSERR',
  PreciseErr = 'PRECISERR',
  ImpreciseErr = 'IMPRECISERR',
  UnstkErr = 'UNSTKERR',
  StkErr = 'STKERR',
  // MemManage (MMFSR)
  IAccViol = 'IACCVIOL',
  DAccViol = 'DACCVIOL',
}

/** Why the core stopped running a slice. */
export const enum StopReason {
  Budget = 0, // ran its cycle budget
  Halted = 1, // debug halt (DHCSR.S_HALT)
  Sleeping = 2, // WFI/WFE with nothing pending
  Lockup = 3, // unrecoverable fault
  Exit = 4, // semihosting SYS_EXIT, the board decides what follows
}
