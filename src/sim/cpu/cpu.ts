// The simulated ARMv7-M core: architectural state and the contract between the
// instruction set (isa/), the exception model (exceptions.ts, scs/) and debug (debug/).
//
// Ownership while the core is being built (see docs/CONTRIBUTING.md):
//  - this file and src/sim/cpu/isa/*: the instruction set and the run loop
//  - src/sim/cpu/exceptions.ts and src/sim/scs/*: exceptions, NVIC, SCB, SysTick
//  - src/sim/debug/*: halting debug, FPB, DWT, the debug port
// Others add fields here with small, local edits only.
//
// Speed: the run loop fetches from a cached code region's Uint16Array, dispatches through a
// 64K-entry table (16-bit) or a two-level table (32-bit) - with a switch of direct calls for
// the most frequent handlers, which V8 can inline - keeps flags as number fields and
// allocates nothing per instruction. Data accesses hit a cached RAM region first. Everything
// unusual (pending exceptions, halts, sleep, exception return, wrong T bit, a debug hook)
// raises `attention`, checked once per instruction.
// Where the time goes (cpu profile): interpreted, the fixed per-instruction work of the loop
// (about 6 ns here: fetch, r[15], IT check, dispatch), then the handlers that are called
// rather than inlined. So run() translates straight-line code into JS functions
// (isa/translate.ts): the frequent instructions become inline JS with their fields as
// constants, the rest direct calls V8 can inline, and a block that loops to itself iterates
// inside its function. step() always interprets.

import { BusFault, type Bus, type Region } from '../bus.js';
import type { Clock } from '../clock.js';
import { getDecoder, type Decoder } from './isa/decoder.js';
import { translateBlock, blockIsCurrent, type Block } from './isa/translate.js';
import type { Exec } from './isa/encoding.js';
import {
  exec_IT_T1,
  exec_MOV_immediate_T1,
  exec_CMP_immediate_T1,
  exec_ADD_immediate_T2,
  exec_SUB_immediate_T2,
  exec_ADD_register_T1,
  exec_SUB_register_T1,
  exec_ADD_immediate_T1,
  exec_SUB_immediate_T1,
  exec_LSL_immediate_T1,
  exec_LSR_immediate_T1,
  exec_data_processing_register_T1,
  exec_ADD_register_T2,
  exec_CMP_register_T2,
  exec_MOV_register_T1,
  exec_BX_T1,
  exec_LDR_literal_T1,
  exec_LDR_immediate_T1,
  exec_STR_immediate_T1,
  exec_LDRB_immediate_T1,
  exec_STRB_immediate_T1,
  exec_LDRH_immediate_T1,
  exec_STRH_immediate_T1,
  exec_LDR_immediate_T2,
  exec_STR_immediate_T2,
  exec_LDR_register_T1,
  exec_STR_register_T1,
  exec_LDRB_register_T1,
  exec_ADD_SP_plus_immediate_T1,
  exec_ADD_SP_plus_immediate_T2,
  exec_SUB_SP_minus_immediate_T1,
  exec_PUSH_T1,
  exec_POP_T1,
  exec_B_T1,
  exec_B_T2,
  exec_CBZ_CBNZ_T1,
  exec_UXTB_T1,
  exec_LDM_T1,
  exec_STM_T1,
} from './isa/thumb16.js';
import { exec_BL_T1, exec_B_T3, exec_B_T4 } from './isa/control32.js';
import { exec_dp_modified_immediate, exec_dp_shifted_register, exec_MOV_immediate_T3, exec_MOVT_T1, exec_ADD_immediate_T4, exec_SUB_immediate_T4, exec_SBFX_T1, exec_UBFX_T1, exec_BFI_T1, exec_CLZ_T1 } from './isa/dataproc32.js';
import { exec_ldst_imm12, exec_ldst_imm8, exec_ldst_register, exec_ld_literal, exec_ldrd_strd, exec_ldm_stm } from './isa/loadstore32.js';
import { exec_MUL_T2, exec_MLA_T1, exec_MLS_T1, exec_UDIV_T1, exec_SDIV_T1 } from './isa/multiply32.js';
import {
  exceptionReturn,
  nextExceptionToTake,
  raiseFault,
  takeException,
  wakeupPending,
  raiseSvc,
  raiseDebugEvent,
} from './exceptions.js';
import { Nvic } from '../scs/nvic.js';
import { Scb } from '../scs/scb.js';
import { SysTick } from '../scs/systick.js';
import { Scs } from '../scs/scs.js';
import { FpState, FpuRegisters } from './fpu/state.js';

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
  LspErr = 'LSPERR', // BusFault during lazy FP state preservation
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

// The hottest 16-bit handlers get a case of their own in the run loop's switch: a direct call
// that V8 can inline, instead of an indirect call through the table (megamorphic, not
// inlinable). Which halfwords reach which case is derived from the decoder's table.
const HOT16: Exec[] = [
  exec_MOV_immediate_T1,
  exec_CMP_immediate_T1,
  exec_ADD_immediate_T2,
  exec_SUB_immediate_T2,
  exec_B_T1,
  exec_B_T2,
  exec_LDR_immediate_T1,
  exec_STR_immediate_T1,
  exec_ADD_register_T1,
  exec_SUB_register_T1,
  exec_ADD_immediate_T1,
  exec_SUB_immediate_T1,
  exec_LSL_immediate_T1,
  exec_data_processing_register_T1,
  exec_PUSH_T1,
  exec_POP_T1,
  exec_LSR_immediate_T1,
  exec_ADD_register_T2,
  exec_CMP_register_T2,
  exec_MOV_register_T1,
  exec_BX_T1,
  exec_LDR_literal_T1,
  exec_LDRB_immediate_T1,
  exec_STRB_immediate_T1,
  exec_LDRH_immediate_T1,
  exec_STRH_immediate_T1,
  exec_LDR_immediate_T2,
  exec_STR_immediate_T2,
  exec_LDR_register_T1,
  exec_STR_register_T1,
  exec_LDRB_register_T1,
  exec_ADD_SP_plus_immediate_T1,
  exec_ADD_SP_plus_immediate_T2,
  exec_SUB_SP_minus_immediate_T1,
  exec_CBZ_CBNZ_T1,
  exec_UXTB_T1,
  exec_LDM_T1,
  exec_STM_T1,
];
// Likewise the most frequent 32-bit handlers (from the instruction mix of compiled C).
const HOT32: Exec[] = [
  exec_BL_T1,
  exec_dp_modified_immediate,
  exec_dp_shifted_register,
  exec_ldst_imm12,
  exec_ldst_imm8,
  exec_ldst_register,
  exec_ld_literal,
  exec_B_T3,
  exec_B_T4,
  exec_MOV_immediate_T3,
  exec_MOVT_T1,
  exec_ADD_immediate_T4,
  exec_SUB_immediate_T4,
  exec_SBFX_T1,
  exec_UBFX_T1,
  exec_BFI_T1,
  exec_MUL_T2,
  exec_MLA_T1,
  exec_MLS_T1,
  exec_UDIV_T1,
  exec_SDIV_T1,
  exec_ldrd_strd,
  exec_ldm_stm,
  exec_CLZ_T1,
];
const hot32Cache = new WeakMap<Decoder, Uint8Array[]>();
function hot32Ids(decoder: Decoder): Uint8Array[] {
  let ids = hot32Cache.get(decoder);
  if (!ids) {
    const index = new Map<Exec, number>(HOT32.map((f, k) => [f, k + 1]));
    const perLevel2 = new Map<Exec[], Uint8Array>();
    ids = decoder.table32.map((level2) => {
      let a = perLevel2.get(level2);
      if (!a) {
        a = new Uint8Array(level2.length);
        for (let k = 0; k < level2.length; k++) a[k] = index.get(level2[k]) ?? 0;
        perLevel2.set(level2, a);
      }
      return a;
    });
    hot32Cache.set(decoder, ids);
  }
  return ids;
}

const hotIdCache = new WeakMap<Decoder, Uint8Array>();
function hotIds(decoder: Decoder): Uint8Array {
  let ids = hotIdCache.get(decoder);
  if (!ids) {
    ids = new Uint8Array(0x10000);
    const index = new Map<Exec, number>(HOT16.map((f, k) => [f, k + 1]));
    for (let hw = 0; hw < 0x10000; hw++) ids[hw] = index.get(decoder.table16[hw]) ?? 0;
    hotIdCache.set(decoder, ids);
  }
  return ids;
}

/** Thrown (internally only) to abandon an instruction that faulted; the run loop catches it. */
class InstructionAbort {
  readonly why = 'instruction aborted by a fault';
}
const ABORT = new InstructionAbort();

/** The address the core sits at once locked up. */
export const LOCKUP_ADDRESS = 0xeffffffe;

// CCR bits the core itself looks at on the fast path.
const CCR_UNALIGN_TRP = 1 << 3;
const CCR_DIV_0_TRP = 1 << 4;

export class Cpu {
  /** r0-r12, r13 = the current SP, r14; r[15] = address of the executing instruction + 4. */
  readonly r = new Uint32Array(16);
  // Flags, each 0 or 1; ge = GE[3:0].
  n = 0;
  z = 0;
  c = 0;
  v = 0;
  q = 0;
  ge = 0;
  /** ITSTATE (IT[7:0]) as the ARM ARM defines it: 0 outside an IT block. */
  itstate = 0;
  /** EPSR.T: executing with T clear raises INVSTATE. */
  tbit = 1;
  /** IPSR: the exception number being handled, 0 in Thread mode. */
  ipsr = 0;

  // The address of the next instruction. While an instruction executes it already holds the
  // fall-through address (handlers that branch overwrite it); the executing instruction's own
  // address is r[15] - 4.
  private _pc = 0;

  // Stack pointers: r[13] holds the current one; the other lives here.
  private spIsPsp = false;
  private spOther = 0;
  private _control = 0;
  private _primask = 0;
  private _faultmask = 0;
  private _basepri = 0;

  /** Something other than straight-line execution needs a look before the next instruction. */
  attention = true;
  private _halted = false;
  /** Held in reset (the nRST pin asserted): the core executes nothing; see DebugSystem.setNrst. */
  resetHeld = false;
  private _sleeping = false;
  private _lockedUp = false;
  /** The sleep came from WFE (wakes on the event register) rather than WFI. */
  sleepIsWfe = false;
  /** The event register of WFE/SEV. */
  eventRegister = 0;
  /** EXC_RETURN written to the PC by the last instruction, performed before the next one; -1: none. */
  excReturn = -1;
  /** The PC when the core locked up (the instruction or vector fetch that failed); -1: never. */
  lockupPc = -1;
  /** Set by semihosting SYS_EXIT; run() returns StopReason.Exit. */
  exitRequested = false;
  exitCode = 0;
  /** AIRCR SYSRESETREQ ('system') or VECTRESET ('core'), performed before the next instruction. */
  resetRequest: 'system' | 'core' | null = null;
  /** True while a data access of an instruction is on the bus (devices check privilege by it). */
  coreAccess = false;
  /** Local exclusive monitor: the address tagged by LDREX, or -1 (Open). */
  exclusiveAddr = -1;

  // Hooks (null when unused).
  bkptHook: ((imm8: number) => boolean) | null = null;
  private _debugHook: ((pc: number) => boolean) | null = null;
  watchHook: ((addr: number, size: number, write: boolean, value: number) => void) | null = null;
  /** AIRCR.SYSRESETREQ: the board resets the system; with no hook the core resets itself. */
  onSysResetReq: (() => void) | null = null;

  // The System Control Space: exception state, SCB registers, SysTick, the SCS device.
  readonly nvic: Nvic;
  readonly scb: Scb;
  readonly systick: SysTick;
  readonly scs: Scs;
  /** The floating-point registers (S0-S31, FPSCR, FPCCR/FPCAR/FPDSCR); unused without an FPU. */
  readonly fp = new FpState();

  // Decoder tables for this configuration.
  readonly decoder: Decoder;
  private readonly table16: Exec[];
  private readonly table32: Exec[][];
  private readonly hot16: Uint8Array;
  private readonly hot32: Uint8Array[];

  /**
   * Run straight-line code as translated blocks (run() only; step() always interprets, so
   * the QEMU step-by-step comparisons check the interpreter and qemu-traces.test.ts checks
   * run() with blocks). About +15% on compiled C and the Thumb-1 loop; tiny loops of one or
   * two instructions are slower than interpreted. Set false to interpret everything.
   */
  translate = true;
  /** Visits of an address before it gets a block (1: at once; tests use that). At most 255. */
  translateAfter = 16;
  // Translated blocks, by (pc >>> 1) & BLOCK_SLOTS - 1; the block being run (for aborts).
  private readonly blocks: (Block | null)[] = new Array(BLOCK_SLOTS).fill(null);
  private blockRunning: Block | null = null;
  // How often each slot's address started an instruction before it had a block.
  private readonly heatPc = new Float64Array(BLOCK_SLOTS).fill(-1);
  private readonly heat = new Uint8Array(BLOCK_SLOTS);

  // The cached code region for instruction fetch.
  private codeBase = 0;
  private codeSize = 0;
  private codeHalves: Uint16Array = new Uint16Array(0);
  private codeWords: Uint32Array = new Uint32Array(0);
  private codeBytes: Uint8Array = new Uint8Array(0);

  constructor(
    readonly config: CoreConfig,
    readonly bus: Bus,
    readonly clock: Clock,
  ) {
    this.decoder = getDecoder(config);
    this.table16 = this.decoder.table16;
    this.table32 = this.decoder.table32;
    this.hot16 = hotIds(this.decoder);
    this.hot32 = hot32Ids(this.decoder);
    this.nvic = new Nvic(this);
    this.scb = new Scb(this);
    this.systick = new SysTick(this);
    this.scs = new Scs(this);
    if (config.fpu) this.scs.fpuRegisters = new FpuRegisters(this);
  }

  // ---- program counter and special registers ---------------------------------------

  /** Address of the next instruction to execute. */
  get pc(): number {
    return this._pc;
  }
  set pc(v: number) {
    this._pc = (v & ~1) >>> 0;
  }

  get xpsr(): number {
    const it = this.itstate;
    return (
      ((this.n << 31) |
        (this.z << 30) |
        (this.c << 29) |
        (this.v << 28) |
        (this.q << 27) |
        ((it & 3) << 25) |
        (this.tbit << 24) |
        ((this.ge & 0xf) << 16) |
        ((it >>> 2) << 10) |
        (this.ipsr & 0x1ff)) >>>
      0
    );
  }
  set xpsr(v: number) {
    this.n = (v >>> 31) & 1;
    this.z = (v >>> 30) & 1;
    this.c = (v >>> 29) & 1;
    this.v = (v >>> 28) & 1;
    this.q = (v >>> 27) & 1;
    this.tbit = (v >>> 24) & 1;
    this.ge = (v >>> 16) & 0xf;
    this.itstate = ((v >>> 25) & 3) | (((v >>> 10) & 0x3f) << 2);
    this.ipsr = v & 0x1ff;
    this.syncStackPointer();
    this.attention = true;
  }

  /** APSR as MRS reads it (flags and GE). */
  get apsr(): number {
    return ((this.n << 31) | (this.z << 30) | (this.c << 29) | (this.v << 28) | (this.q << 27) | (this.ge << 16)) >>> 0;
  }

  get msp(): number {
    return this.spIsPsp ? this.spOther : this.r[13];
  }
  set msp(v: number) {
    v = (v & ~3) >>> 0;
    if (this.spIsPsp) this.spOther = v;
    else this.r[13] = v;
  }
  get psp(): number {
    return this.spIsPsp ? this.r[13] : this.spOther;
  }
  set psp(v: number) {
    v = (v & ~3) >>> 0;
    if (this.spIsPsp) this.r[13] = v;
    else this.spOther = v;
  }

  /** CONTROL: bit 0 nPRIV, bit 1 SPSEL, bit 2 FPCA (FPU only). */
  get control(): number {
    return this._control;
  }
  set control(v: number) {
    this._control = v & (this.config.fpu ? 7 : 3);
    this.syncStackPointer();
  }
  get primask(): number {
    return this._primask;
  }
  set primask(v: number) {
    this._primask = v & 1;
    this.attention = true;
  }
  get faultmask(): number {
    return this._faultmask;
  }
  set faultmask(v: number) {
    this._faultmask = v & 1;
    this.attention = true;
  }
  get basepri(): number {
    return this._basepri;
  }
  set basepri(v: number) {
    this._basepri = v & this.nvic.priorityMask;
    this.attention = true;
  }

  /** Put MSP or PSP into r[13] as CONTROL.SPSEL and the mode select. */
  syncStackPointer(): void {
    const wantPsp = (this._control & 2) !== 0 && this.ipsr === 0;
    if (wantPsp !== this.spIsPsp) {
      const cur = this.r[13];
      this.r[13] = this.spOther;
      this.spOther = cur;
      this.spIsPsp = wantPsp;
    }
  }

  get halted(): boolean {
    return this._halted;
  }
  set halted(v: boolean) {
    this._halted = v;
    this.attention = true;
  }
  get sleeping(): boolean {
    return this._sleeping;
  }
  set sleeping(v: boolean) {
    this._sleeping = v;
    this.attention = true;
  }
  get lockedUp(): boolean {
    return this._lockedUp;
  }
  set lockedUp(v: boolean) {
    this._lockedUp = v;
    this.attention = true;
  }

  /** Called before every instruction while set (FPB, C_STEP); true halts before the instruction. */
  get debugHook(): ((pc: number) => boolean) | null {
    return this._debugHook;
  }
  set debugHook(h: ((pc: number) => boolean) | null) {
    this._debugHook = h;
    this.attention = true; // the run loop calls the hook from its slow path
  }

  /** DHCSR.C_MASKINTS while halted-stepping: PendSV, SysTick and interrupts are not taken. */
  get debugMaskInts(): boolean {
    return this._debugMaskInts;
  }
  set debugMaskInts(v: boolean) {
    this._debugMaskInts = v;
    this.attention = true;
  }
  private _debugMaskInts = false;

  isPrivileged(): boolean {
    return this.ipsr !== 0 || (this._control & 1) === 0;
  }

  inITBlock(): boolean {
    return (this.itstate & 0xf) !== 0;
  }

  lastInITBlock(): boolean {
    return (this.itstate & 0xf) === 8;
  }

  /** Registers by the DCRSR REGSEL numbering. */
  readCoreReg(sel: number): number {
    if (sel <= 12 || sel === 13 || sel === 14) return this.r[sel];
    switch (sel) {
      case 15: return this._pc;
      case 16: return this.xpsr;
      case 17: return this.msp;
      case 18: return this.psp;
      case 20: return ((this._control << 24) | (this._faultmask << 16) | (this._basepri << 8) | this._primask) >>> 0;
      case 33: return this.config.fpu ? this.fp.fpscr : 0;
      default: return this.config.fpu && sel >= 64 && sel < 96 ? this.fp.s[sel - 64] : 0;
    }
  }

  writeCoreReg(sel: number, v: number): void {
    v >>>= 0;
    if (sel <= 12 || sel === 14) {
      this.r[sel] = v;
      return;
    }
    switch (sel) {
      case 13: this.r[13] = (v & ~3) >>> 0; return;
      case 15: this.pc = v; return;
      case 16: this.xpsr = v; return;
      case 17: this.msp = v; return;
      case 18: this.psp = v; return;
      case 20:
        this.primask = v & 0xff;
        this.basepri = (v >>> 8) & 0xff;
        this.faultmask = (v >>> 16) & 0xff;
        this.control = (v >>> 24) & 0xff;
        return;
      case 33: if (this.config.fpu) this.fp.fpscr = (v & 0xf7c0009f) >>> 0; return;
      default: if (this.config.fpu && sel >= 64 && sel < 96) this.fp.s[sel - 64] = v; return;
    }
  }

  // ---- reset ---------------------------------------------------------------------------

  /** The core's reset: registers, SCS state, then SP and PC from the vector table at address 0. */
  reset(): void {
    this.r.fill(0);
    // QEMU (the oracle) shows xPSR 0x41000000 after reset: its zeroed Z source reads as Z=1.
    this.n = 0; this.z = 1; this.c = 0; this.v = 0; this.q = 0; this.ge = 0;
    this.itstate = 0;
    this.ipsr = 0;
    this.spIsPsp = false;
    this.spOther = 0;
    this._control = 0;
    this._primask = 0;
    this._faultmask = 0;
    this._basepri = 0;
    this._sleeping = false;
    this._lockedUp = false;
    this.sleepIsWfe = false;
    this.eventRegister = 0;
    this.excReturn = -1;
    this.exitRequested = false;
    this.exclusiveAddr = -1;
    this.resetRequest = null;
    this.lockupPc = -1;
    this.r[14] = 0xffffffff;
    this.nvic.reset();
    this.scb.reset();
    this.systick.reset();
    this.fp.reset();
    let sp = 0;
    let entry = 0;
    try {
      sp = this.bus.read32(this.scb.vtor);
      entry = this.bus.read32(this.scb.vtor + 4);
    } catch (e) {
      if (!(e instanceof BusFault)) throw e;
      // No vector table: nothing can run. Lock up as silicon does (a HardFault at reset).
      this.r[13] = 0;
      this._pc = LOCKUP_ADDRESS;
      this._lockedUp = true;
      this.attention = true;
      return;
    }
    this.r[13] = (sp & ~3) >>> 0;
    this.tbit = entry & 1;
    this._pc = (entry & ~1) >>> 0;
    this.attention = true;
  }

  // ---- branches as the ARM ARM pseudocode names them -------------------------------------

  /** BranchWritePC. */
  branch(addr: number): void {
    this._pc = (addr & ~1) >>> 0;
  }

  /** BXWritePC: interworking, and EXC_RETURN in Handler mode. */
  bxWritePC(addr: number): void {
    if (this.ipsr !== 0 && addr >>> 28 === 0xf) {
      this.excReturn = addr >>> 0;
      this.attention = true;
      return;
    }
    if ((addr & 1) === 0) {
      // Thumb state cleared: the next instruction raises INVSTATE.
      this.tbit = 0;
      this.attention = true;
    }
    this._pc = (addr & ~1) >>> 0;
  }

  /** LoadWritePC (the same as BXWritePC in ARMv7-M). */
  loadWritePC(addr: number): void {
    this.bxWritePC(addr);
  }

  /** Write a register as an instruction's result; PC writes branch, SP keeps bits [1:0] zero. */
  setR(d: number, v: number): void {
    if (d === 15) this._pc = (v & ~1) >>> 0;
    else if (d === 13) this.r[13] = v & ~3;
    else this.r[d] = v;
  }

  /** ConditionPassed for a 4-bit condition. */
  conditionPassed(cond: number): boolean {
    switch (cond) {
      case 0: return this.z === 1;
      case 1: return this.z === 0;
      case 2: return this.c === 1;
      case 3: return this.c === 0;
      case 4: return this.n === 1;
      case 5: return this.n === 0;
      case 6: return this.v === 1;
      case 7: return this.v === 0;
      case 8: return this.c === 1 && this.z === 0;
      case 9: return this.c === 0 || this.z === 1;
      case 10: return this.n === this.v;
      case 11: return this.n !== this.v;
      case 12: return this.z === 0 && this.n === this.v;
      case 13: return this.z === 1 || this.n !== this.v;
      default: return true;
    }
  }

  // ---- faults and exception-raising instructions -------------------------------------

  /** Raise a synchronous fault and abandon the current instruction. */
  fault(kind: Fault, addr?: number): never {
    raiseFault(this, kind, addr);
    throw ABORT;
  }

  /** UNDEFINED encoding: UsageFault UNDEFINSTR. */
  undefined(): never {
    return this.fault(Fault.UndefInstr);
  }

  /** SVC: pends SVCall (or escalates); the instruction completes. */
  svc(): void {
    raiseSvc(this);
  }

  /** BKPT imm8: semihosting or debug through the hook, otherwise a HardFault (DEBUGEVT). */
  bkpt(imm8: number): void {
    if (this.bkptHook !== null && this.bkptHook(imm8)) {
      // A debugger that halted on it leaves the PC at the BKPT.
      if (this._halted) this._pc = (this.r[15] - 4) >>> 0;
      this.attention = true; // a semihosting exit (or a halt) is seen before the next instruction
      return;
    }
    raiseDebugEvent(this);
    throw ABORT;
  }

  /** WFI: sleep until an interrupt would wake the core. */
  waitForInterrupt(): void {
    this.sleepIsWfe = false;
    this.sleeping = true;
  }

  /** WFE: consume the event register or sleep until an event. */
  waitForEvent(): void {
    if (this.eventRegister) {
      this.eventRegister = 0;
      return;
    }
    this.sleepIsWfe = true;
    this.sleeping = true;
  }

  /** SEV, and any event that wakes WFE (exception entry/return, SEVONPEND). */
  sendEvent(): void {
    this.eventRegister = 1;
    if (this._sleeping && this.sleepIsWfe) this.attention = true;
  }

  /** Integer division trap check (CCR.DIV_0_TRP); true when the result is 0 instead. */
  divideByZero(): void {
    if (this.scb.ccr & CCR_DIV_0_TRP) this.fault(Fault.DivByZero);
  }

  // ---- data accesses ---------------------------------------------------------------

  // Data accesses. The fast path serves the last RAM region touched (cached on a miss) when
  // no watch hook is installed; everything else goes through the bus.
  private dataBase = 0;
  private dataSize = 0;
  private dataBytes: Uint8Array = new Uint8Array(0);
  private dataHalves: Uint16Array = new Uint16Array(0);
  private dataWords: Uint32Array = new Uint32Array(0);

  private cacheData(addr: number): void {
    const reg = this.bus.find(addr >>> 0);
    // only plain writable memory without a write observer is served directly
    if (reg === undefined || reg.words === undefined || reg.readonly) return;
    // a write observer must see every write; our own code-watch hook is served by the fast path
    if (reg.onWrite !== undefined && this.ownCodeWatch.get(reg) !== reg.onWrite) return;
    this.dataBase = reg.base;
    this.dataSize = reg.size;
    this.dataBytes = reg.bytes!;
    this.dataHalves = reg.halves!;
    this.dataWords = reg.words;
  }

  // Reads have their own cache, which may also hold read-only memory (constant tables in flash).
  private rdBase = 0;
  private rdSize = 0;
  private rdBytes: Uint8Array = new Uint8Array(0);
  private rdHalves: Uint16Array = new Uint16Array(0);
  private rdWords: Uint32Array = new Uint32Array(0);

  private cacheRead(addr: number): void {
    const reg = this.bus.find(addr >>> 0);
    if (reg === undefined || reg.words === undefined) return;
    this.rdBase = reg.base;
    this.rdSize = reg.size;
    this.rdBytes = reg.bytes!;
    this.rdHalves = reg.halves!;
    this.rdWords = reg.words;
  }

  /** Forget the cached data regions (after changing the bus map or a region's onWrite). */
  flushDataCache(): void {
    this.rdBase = 0;
    this.rdSize = 0;
    this.dataBase = 0;
    this.dataSize = 0;
  }

  // One copy of the access path per size, on purpose: folding the slow paths into a shared
  // bus-access helper (size as a parameter, or begin/end helpers) cost 5-15% CPU time on a
  // loop of peripheral loads and stores (measured best-of-9 against this version).
  read8(addr: number): number {
    const off = addr - this.rdBase;
    if (off >= 0 && off < this.rdSize && this.watchHook === null) return this.rdBytes[off];
    return this.read8Slow(addr);
  }
  private read8Slow(addr: number): number {
    // constant data next to the code (strings, tables in flash): the code region
    const codeOff = addr - this.codeBase;
    if (codeOff >= 0 && codeOff < this.codeSize && this.watchHook === null) return this.codeBytes[codeOff];
    this.cacheRead(addr);
    this.coreAccess = true;
    const v = this.bus.read8(addr);
    this.coreAccess = false;
    if (this.watchHook !== null) this.watchHook(addr >>> 0, 1, false, v);
    return v;
  }
  read16(addr: number): number {
    const off = addr - this.rdBase;
    if (off >= 0 && off < this.rdSize && (off & 1) === 0 && this.watchHook === null) return this.rdHalves[off >>> 1];
    return this.read16Slow(addr);
  }
  private read16Slow(addr: number): number {
    if ((addr & 1) !== 0 && (this.scb.ccr & CCR_UNALIGN_TRP) !== 0) this.fault(Fault.Unaligned);
    this.cacheRead(addr);
    this.coreAccess = true;
    const v = this.bus.read16(addr);
    this.coreAccess = false;
    if (this.watchHook !== null) this.watchHook(addr >>> 0, 2, false, v);
    return v;
  }
  read32(addr: number): number {
    const off = addr - this.rdBase;
    if (off >= 0 && off < this.rdSize && (off & 3) === 0 && this.watchHook === null) return this.rdWords[off >>> 2];
    return this.read32Slow(addr);
  }
  private read32Slow(addr: number): number {
    // literal pools: word reads from the code region (often read-only flash, not cached for data)
    const codeOff = addr - this.codeBase;
    if (codeOff >= 0 && codeOff < this.codeSize && (codeOff & 3) === 0 && this.watchHook === null) return this.codeWords[codeOff >>> 2];
    if ((addr & 3) !== 0 && (this.scb.ccr & CCR_UNALIGN_TRP) !== 0) this.fault(Fault.Unaligned);
    this.cacheRead(addr);
    this.coreAccess = true;
    const v = this.bus.read32(addr);
    this.coreAccess = false;
    if (this.watchHook !== null) this.watchHook(addr >>> 0, 4, false, v);
    return v;
  }
  write8(addr: number, v: number): void {
    const off = addr - this.dataBase;
    if (off >= 0 && off < this.dataSize && this.watchHook === null) {
      this.dataBytes[off] = v;
      if (this.codePages !== null && this.codePages[addr >>> 12] !== 0) this.codeWriteGen++;
      return;
    }
    this.cacheData(addr);
    this.coreAccess = true;
    this.bus.write8(addr, v & 0xff);
    this.coreAccess = false;
    if (this.watchHook !== null) this.watchHook(addr >>> 0, 1, true, v & 0xff);
  }
  write16(addr: number, v: number): void {
    const off = addr - this.dataBase;
    if (off >= 0 && off < this.dataSize && (off & 1) === 0 && this.watchHook === null) {
      this.dataHalves[off >>> 1] = v;
      if (this.codePages !== null && this.codePages[addr >>> 12] !== 0) this.codeWriteGen++;
      return;
    }
    if ((addr & 1) !== 0 && (this.scb.ccr & CCR_UNALIGN_TRP) !== 0) this.fault(Fault.Unaligned);
    this.cacheData(addr);
    this.coreAccess = true;
    this.bus.write16(addr, v & 0xffff);
    this.coreAccess = false;
    if (this.watchHook !== null) this.watchHook(addr >>> 0, 2, true, v & 0xffff);
  }
  write32(addr: number, v: number): void {
    const off = addr - this.dataBase;
    if (off >= 0 && off < this.dataSize && (off & 3) === 0 && this.watchHook === null) {
      this.dataWords[off >>> 2] = v;
      if (this.codePages !== null && this.codePages[addr >>> 12] !== 0) this.codeWriteGen++;
      return;
    }
    if ((addr & 3) !== 0 && (this.scb.ccr & CCR_UNALIGN_TRP) !== 0) this.fault(Fault.Unaligned);
    this.cacheData(addr);
    this.coreAccess = true;
    this.bus.write32(addr, v >>> 0);
    this.coreAccess = false;
    if (this.watchHook !== null) this.watchHook(addr >>> 0, 4, true, v >>> 0);
  }
  /** Accesses that must be aligned whatever CCR says (LDM/STM, LDRD/STRD, LDREX/STREX). */
  read32Aligned(addr: number): number {
    if ((addr & 3) !== 0) this.fault(Fault.Unaligned);
    return this.read32(addr);
  }
  write32Aligned(addr: number, v: number): void {
    if ((addr & 3) !== 0) this.fault(Fault.Unaligned);
    this.write32(addr, v);
  }
  read16Aligned(addr: number): number {
    if ((addr & 1) !== 0) this.fault(Fault.Unaligned);
    return this.read16(addr);
  }
  write16Aligned(addr: number, v: number): void {
    if ((addr & 1) !== 0) this.fault(Fault.Unaligned);
    this.write16(addr, v);
  }

  // ---- execution ---------------------------------------------------------------------

  /**
   * Execute one instruction, or one exception entry when one is pending and allowed. What the
   * instruction started completes within the step, as QEMU shows it: an exception return,
   * and the entry of an exception it raised (SVC, a fault, a pended interrupt).
   */
  step(): StopReason {
    if (this.resetHeld) return StopReason.Halted;
    const why = this.loop(Infinity, true);
    if (why !== StopReason.Budget) return why;
    if (this.excReturn !== -1 && !this._lockedUp) this.performExceptionReturn();
    for (let k = 0; k < 4 && !this._lockedUp && !this._halted; k++) {
      const n = nextExceptionToTake(this);
      if (n === 0) break;
      this._sleeping = false;
      takeException(this, n);
    }
    if (this._lockedUp) return StopReason.Lockup;
    if (this._halted) return StopReason.Halted; // e.g. a debugger took a BKPT
    // (a semihosting exit requested by this instruction is reported by the next step/run,
    // so that the step that made the request still counts as a normal instruction)
    return StopReason.Budget;
  }

  /** Run until clock.now has advanced by maxCycles, or the core halts, sleeps, locks up or exits. */
  run(maxCycles: number): StopReason {
    // Held in reset by the nRST pin: nothing runs until it is released (the board's run loop waits for a kick).
    if (this.resetHeld) return StopReason.Halted;
    const clock = this.clock;
    const end = clock.now + maxCycles;
    for (;;) {
      const deadline = clock.nextDeadline();
      const limit = deadline < end ? deadline : end;
      if (clock.now < limit) {
        const why = this.loop(limit, false);
        if (why !== StopReason.Budget) return why;
      }
      clock.fireDue(); // events due by now, including one at the end of the slice
      if (clock.now >= end) return StopReason.Budget;
    }
  }

  private loop(limit: number, single: boolean): StopReason {
    const clock = this.clock;
    const r = this.r;
    const t16 = this.table16;
    const t32 = this.table32;
    const hot16 = this.hot16;
    const hot32 = this.hot32;
    for (;;) {
      // the cached code region, in locals (refreshed after a fetch outside it)
      let codeBase = this.codeBase;
      let codeSize = this.codeSize;
      let code = this.codeHalves;
      try {
        let now = clock.now;
        while (now < limit) {
          if (this.attention) {
            const why = this.service();
            if (why >= 0) return why;
            if (why !== SERVICE_CONTINUE) {
              // an exception entry, or a fault raised before the instruction: a step of its own
              clock.now = ++now;
              if (single) return StopReason.Budget;
              continue;
            }
          }
          const pc = this._pc;
          let off = pc - codeBase;
          if (off < 0 || off + 4 > codeSize) {
            this.fetchSlow(pc);
            codeBase = this.codeBase;
            codeSize = this.codeSize;
            code = this.codeHalves;
            off = pc - codeBase;
          }
          // (not while anything wants a look before every instruction: a debug hook, sleep...)
          if (!single && this.translate && !this.attention && this.itstate === 0) {
            // straight-line code as a translated block
            const slot = (pc >>> 1) & (BLOCK_SLOTS - 1);
            let b = this.blocks[slot];
            if (b !== null && b.pc === pc && b.gen !== this.codeWriteGen) {
              // code memory was written since: still the same instructions?
              if (blockIsCurrent(b, code)) b.gen = this.codeWriteGen;
              else b = null;
            }
            if (b === null || b.pc !== pc) {
              // translate code that runs often; run-once code (start-up) stays interpreted
              if (this.heatPc[slot] !== pc) {
                this.heatPc[slot] = pc;
                this.heat[slot] = 0;
              }
              if (++this.heat[slot] >= this.translateAfter) {
                b = off >= 0 && off + 2 <= codeSize ? this.translateAt(pc, code, codeBase, codeSize) : null;
                this.blocks[slot] = b;
              } else b = null;
            }
            if (b !== null && now + b.len <= limit) {
              this.blockRunning = b;
              const n = b.run(this, b.handlers, r, clock, now, limit, this.codeWriteGen);
              this.blockRunning = null;
              now += n;
              clock.now = now;
              continue;
            }
          }
          r[15] = pc + 4; // before the fetch: an aborted fetch finds its address here
          let hw: number;
          if (off >= 0 && off + 2 <= codeSize) hw = code[off >>> 1];
          else hw = this.fetchHalf(pc);
          const it = this.itstate;
          if (hw < 0xe800) {
            this._pc = pc + 2;
            if (it === 0 || this.conditionPassed(it >>> 4)) {
              switch (hot16[hw]) {
                case 1: exec_MOV_immediate_T1(this, hw); break;
                case 2: exec_CMP_immediate_T1(this, hw); break;
                case 3: exec_ADD_immediate_T2(this, hw); break;
                case 4: exec_SUB_immediate_T2(this, hw); break;
                case 5: exec_B_T1(this, hw); break;
                case 6: exec_B_T2(this, hw); break;
                case 7: exec_LDR_immediate_T1(this, hw); break;
                case 8: exec_STR_immediate_T1(this, hw); break;
                case 9: exec_ADD_register_T1(this, hw); break;
                case 10: exec_SUB_register_T1(this, hw); break;
                case 11: exec_ADD_immediate_T1(this, hw); break;
                case 12: exec_SUB_immediate_T1(this, hw); break;
                case 13: exec_LSL_immediate_T1(this, hw); break;
                case 14: exec_data_processing_register_T1(this, hw); break;
                case 15: exec_PUSH_T1(this, hw); break;
                case 16: exec_POP_T1(this, hw); break;
                case 17: exec_LSR_immediate_T1(this, hw); break;
                case 18: exec_ADD_register_T2(this, hw); break;
                case 19: exec_CMP_register_T2(this, hw); break;
                case 20: exec_MOV_register_T1(this, hw); break;
                case 21: exec_BX_T1(this, hw); break;
                case 22: exec_LDR_literal_T1(this, hw); break;
                case 23: exec_LDRB_immediate_T1(this, hw); break;
                case 24: exec_STRB_immediate_T1(this, hw); break;
                case 25: exec_LDRH_immediate_T1(this, hw); break;
                case 26: exec_STRH_immediate_T1(this, hw); break;
                case 27: exec_LDR_immediate_T2(this, hw); break;
                case 28: exec_STR_immediate_T2(this, hw); break;
                case 29: exec_LDR_register_T1(this, hw); break;
                case 30: exec_STR_register_T1(this, hw); break;
                case 31: exec_LDRB_register_T1(this, hw); break;
                case 32: exec_ADD_SP_plus_immediate_T1(this, hw); break;
                case 33: exec_ADD_SP_plus_immediate_T2(this, hw); break;
                case 34: exec_SUB_SP_minus_immediate_T1(this, hw); break;
                case 35: exec_CBZ_CBNZ_T1(this, hw); break;
                case 36: exec_UXTB_T1(this, hw); break;
                case 37: exec_LDM_T1(this, hw); break;
                case 38: exec_STM_T1(this, hw); break;
                default: t16[hw](this, hw);
              }
            }
          } else {
            const hw2 = off >= 0 && off + 4 <= codeSize ? code[(off >>> 1) + 1] : this.fetchHalf(pc + 2);
            this._pc = pc + 4;
            // insn as an int32: a Smi, so the call does not box it
            if (it === 0 || this.conditionPassed(it >>> 4)) {
              const insn = (hw << 16) | hw2;
              const k1 = hw & 0x1fff;
              const k2 = hw2 >>> 4;
              switch (hot32[k1][k2]) {
                case 1: exec_BL_T1(this, insn); break;
                case 2: exec_dp_modified_immediate(this, insn); break;
                case 3: exec_dp_shifted_register(this, insn); break;
                case 4: exec_ldst_imm12(this, insn); break;
                case 5: exec_ldst_imm8(this, insn); break;
                case 6: exec_ldst_register(this, insn); break;
                case 7: exec_ld_literal(this, insn); break;
                case 8: exec_B_T3(this, insn); break;
                case 9: exec_B_T4(this, insn); break;
                case 10: exec_MOV_immediate_T3(this, insn); break;
                case 11: exec_MOVT_T1(this, insn); break;
                case 12: exec_ADD_immediate_T4(this, insn); break;
                case 13: exec_SUB_immediate_T4(this, insn); break;
                case 14: exec_SBFX_T1(this, insn); break;
                case 15: exec_UBFX_T1(this, insn); break;
                case 16: exec_BFI_T1(this, insn); break;
                case 17: exec_MUL_T2(this, insn); break;
                case 18: exec_MLA_T1(this, insn); break;
                case 19: exec_MLS_T1(this, insn); break;
                case 20: exec_UDIV_T1(this, insn); break;
                case 21: exec_SDIV_T1(this, insn); break;
                case 22: exec_ldrd_strd(this, insn); break;
                case 23: exec_ldm_stm(this, insn); break;
                case 24: exec_CLZ_T1(this, insn); break;
                default: t32[k1][k2](this, insn);
              }
            }
          }
          if (it !== 0) this.itstate = (it & 7) === 0 ? 0 : (it & 0xe0) | ((it << 1) & 0x1f);
          clock.now = ++now;
          if (single) return StopReason.Budget;
        }
        return StopReason.Budget;
      } catch (e) {
        const b = this.blockRunning;
        if (b !== null) {
          // count the instructions of the block that completed before the one that faulted
          this.blockRunning = null;
          const k = b.addrs.indexOf((r[15] - 4) >>> 0);
          if (k > 0) clock.now += k;
        }
        this.instructionAborted(e);
        clock.now++;
        if (single) return StopReason.Budget;
      }
    }
  }

  /** An instruction was abandoned: a fault is already pended, or the bus threw. */
  private instructionAborted(e: unknown): void {
    if (!this._lockedUp) this._pc = (this.r[15] - 4) >>> 0; // back to the faulting instruction
    this.coreAccess = false;
    if (e === ABORT) return;
    if (e instanceof BusFault) {
      raiseFault(this, Fault.PreciseErr, e.address);
      return;
    }
    throw e; // a bug in the simulator or a device model, not something the firmware did
  }

  /** The slow checks before an instruction. Returns a StopReason, SERVICE_CONTINUE or SERVICE_ENTERED. */
  private service(): number {
    this.attention = false;
    // A reset request (e.g. SYSRESETREQ written by a debugger) resets a halted or locked-up core too.
    if (this.resetRequest !== null) {
      const kind = this.resetRequest;
      this.resetRequest = null;
      if (kind === 'system' && this.onSysResetReq !== null) this.onSysResetReq();
      else this.reset();
      this.attention = true;
      return SERVICE_ENTERED;
    }
    if (this._lockedUp) {
      this.attention = true;
      return StopReason.Lockup;
    }
    if (this._halted) {
      this.attention = true;
      return StopReason.Halted;
    }
    if (this.exitRequested) {
      this.attention = true;
      return StopReason.Exit;
    }
    if (this.excReturn !== -1) {
      this.performExceptionReturn();
      if (this._lockedUp) {
        this.attention = true;
        return StopReason.Lockup;
      }
    }
    const n = nextExceptionToTake(this);
    if (n !== 0) {
      this._sleeping = false;
      takeException(this, n);
      this.attention = true;
      return this._lockedUp ? StopReason.Lockup : SERVICE_ENTERED;
    }
    if (this._sleeping) {
      if (this.sleepIsWfe ? this.eventRegister !== 0 || wakeupPending(this) : wakeupPending(this)) {
        if (this.sleepIsWfe) this.eventRegister = 0;
        this._sleeping = false;
      } else {
        this.attention = true;
        return StopReason.Sleeping;
      }
    }
    if (this._debugHook !== null) {
      this.attention = true; // look again before the next instruction
      if (this._debugHook(this._pc)) {
        this._halted = true;
        return StopReason.Halted;
      }
    }
    if (this.tbit === 0) {
      this.attention = true;
      raiseFault(this, Fault.InvState);
      return SERVICE_FAULTED;
    }
    return SERVICE_CONTINUE;
  }

  private performExceptionReturn(): void {
    const value = this.excReturn;
    this.excReturn = -1;
    exceptionReturn(this, value);
    this.attention = true;
  }

  /** Counts writes to memory that holds translated code (a block re-checks itself when it changed). */
  codeWriteGen = 0;
  private readonly watchedCode = new Set<Region>();
  /** Regions whose onWrite is our hook alone (the data-write cache may still serve them). */
  private readonly ownCodeWatch = new Map<Region, (offset: number, size: number) => void>();
  /** 4 KiB pages holding translated code (1 byte per page of the 4 GiB space), once translating. */
  private codePages: Uint8Array | null = null;

  private translateAt(pc: number, code: Uint16Array, codeBase: number, codeSize: number): Block | null {
    const region = this.bus.find(pc);
    if (region === undefined) return null;
    const pages = (this.codePages ??= new Uint8Array(1 << 20));
    if (!this.watchedCode.has(region)) {
      // writes from outside the core (debugger, loader) into pages with code bump the
      // generation; the core's own writes are checked in its data-write fast path
      const previous = region.onWrite;
      const base = region.base;
      const hook = (offset: number, size: number): void => {
        const first = (base + offset) >>> 12;
        const last = (base + offset + Math.max(size, 1) - 1) >>> 12;
        for (let p = first; p <= last; p++) {
          if (pages[p] !== 0) {
            this.codeWriteGen++;
            break;
          }
        }
        if (previous) previous(offset, size);
      };
      region.onWrite = hook;
      this.watchedCode.add(region);
      if (!previous) this.ownCodeWatch.set(region, hook);
      this.flushDataCache();
    }
    const b = translateBlock(this.decoder, code, codeBase, codeSize, pc, exec_IT_T1, this.codeWriteGen);
    if (b !== null) {
      const end = b.addrs[b.len - 1] + 4;
      for (let p = pc >>> 12; p <= (end - 1) >>> 12; p++) pages[p] = 1;
    }
    return b;
  }

  /** Instruction fetch outside the cached code region: refill the cache when it is memory. */
  private fetchSlow(addr: number): void {
    addr >>>= 0;
    const reg = this.bus.find(addr);
    if (reg !== undefined && reg.halves !== undefined) {
      this.codeBase = reg.base;
      this.codeSize = reg.size;
      this.codeHalves = reg.halves;
      this.codeWords = reg.words!;
      this.codeBytes = reg.bytes!;
    }
  }

  /** Fetch one halfword that is not in the cached code region (devices, unmapped: fault). */
  private fetchHalf(addr: number): number {
    addr >>>= 0;
    const reg = this.bus.find(addr);
    if (reg !== undefined && reg.halves !== undefined) return reg.halves[(addr - reg.base) >>> 1];
    if (reg !== undefined && reg.device !== undefined && addr < 0xe0000000) {
      try {
        return reg.device.read(addr - reg.base, 2) & 0xffff;
      } catch (e) {
        if (!(e instanceof BusFault)) throw e;
      }
    }
    if (addr >= 0xe0000000) this.fault(Fault.IAccViol); // the System region is execute-never
    return this.fault(Fault.IBusErr);
  }

  /** Forget the cached code region (after the bus map changed). */
  flushCodeCache(): void {
    this.codeBase = 0;
    this.codeSize = 0;
    this.codeHalves = new Uint16Array(0);
    this.codeWords = new Uint32Array(0);
    this.codeBytes = new Uint8Array(0);
    this.flushDataCache();
    // translated blocks and the write watches are rebuilt on demand
    this.blocks.fill(null);
    this.watchedCode.clear();
    this.ownCodeWatch.clear();
  }

  /** The core will not run until someone intervenes (debug halt, lockup, semihosting exit). */
  get stopped(): boolean {
    return this._halted || this._lockedUp || this.exitRequested;
  }
}

const BLOCK_SLOTS = 1 << 14;

// service() results that are not StopReasons.
const SERVICE_CONTINUE = -1;
const SERVICE_ENTERED = -2;
// A fault was raised before the instruction (INVSTATE): taken at the next step.
const SERVICE_FAULTED = -3;
