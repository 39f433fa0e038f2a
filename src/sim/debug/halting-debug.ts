// Halting debug (ARMv7-M ARM C1.6): DHCSR, DCRSR, DCRDR, DEMCR and DFSR, and the debug
// events that stop the core: halt requests, single steps, BKPT, FPB breakpoints, DWT
// watchpoints and PC matches, and vector catches (reset and faults).
import type { AccessSize, Device } from '../bus.js';
import type { Clock } from '../clock.js';
import { DBGKEY, DEMCR, DFSR, DHCSR } from '../../arch/scs-debug.js';
import type { DebugCore } from './debug-core.js';
import type { FpbUnit } from './fpb.js';
import type { DwtUnit } from './dwt.js';
import type { BusMaster } from './mem-ap.js';

const H = DHCSR.fields;
const D = DEMCR.fields;
const S = DFSR.fields;
const C_BITS = (H.C_DEBUGEN.mask | H.C_HALT.mask | H.C_STEP.mask | H.C_MASKINTS.mask | H.C_SNAPSTALL.mask) >>> 0;
/** DEMCR bits that catch a fault's handler entry (all but VC_CORERESET). */
const VC_FAULTS = (D.VC_HARDERR.mask | D.VC_INTERR.mask | D.VC_BUSERR.mask | D.VC_STATERR.mask | D.VC_CHKERR.mask | D.VC_NOCPERR.mask | D.VC_MMERR.mask) >>> 0;
const DEMCR_WRITABLE = (D.TRCENA.mask | D.MON_REQ.mask | D.MON_STEP.mask | D.MON_PEND.mask | D.MON_EN.mask | VC_FAULTS | D.VC_CORERESET.mask) >>> 0;

export interface HaltingDebugDeps {
  core: DebugCore;
  clock: Clock;
  fpb: FpbUnit;
  dwt: DwtUnit;
  master: BusMaster;
  /** A 32-bit read for the vector table and fault status (vector catch), without side effects. */
  peek32(addr: number): number | undefined;
  /** DEMCR.TRCENA changed. */
  traceEnable(on: boolean): void;
  /** DFSR lives in the SCB: read it and set bits in it. */
  dfsr: { get(): number; set(v: number): void };
  /** The DebugMonitor exception (12), for monitor-mode debug (DEMCR.MON_*); absent: not supported. */
  monitor?: DebugMonitorPort;
}

/** What monitor-mode debug needs from the exception model. */
export interface DebugMonitorPort {
  /** Would DebugMonitor preempt the current execution priority? */
  canTake(): boolean;
  pend(): void;
  unpend(): void;
  isPending(): boolean;
  /** Make the BKPT being executed the return address (the monitor decides how to go on). */
  returnToBkpt(): void;
}

export class HaltingDebug implements Device {
  private ctrl = 0; // DHCSR C_* bits
  private demcr = 0;
  private dcrdr = 0;
  private regRdy = true;
  private resetSticky = false;
  private retireMark = 0;
  /** A single step is under way: halt once `clock.now` moves past `stepFrom`. */
  private stepping = false;
  private stepFrom = 0;
  /** A watchpoint matched during the last instruction: halt before the next one. */
  private watchPending = false;
  /** Vector catch: the exception number seen at the previous instruction. */
  private lastIpsr = 0;

  constructor(private readonly d: HaltingDebugDeps) {
    this.lastIpsr = d.core.ipsr;
  }

  get debugEnabled(): boolean {
    return (this.ctrl & H.C_DEBUGEN.mask) !== 0;
  }

  get dhcsr(): number {
    const core = this.d.core;
    let v = this.ctrl;
    if (this.regRdy) v |= H.S_REGRDY.mask;
    if (core.halted) v |= H.S_HALT.mask;
    if (core.sleeping) v |= H.S_SLEEP.mask;
    if (core.lockedUp) v |= H.S_LOCKUP.mask;
    if (this.resetSticky) v |= H.S_RESET_ST.mask;
    if (this.d.clock.now !== this.retireMark) v |= H.S_RETIRE_ST.mask;
    return v >>> 0;
  }

  /** Power-on reset of the debug logic (a system reset leaves it alone). */
  powerOn(): void {
    this.ctrl = 0;
    this.demcr = 0;
    this.d.dfsr.set(0);
    this.stepping = false;
    this.watchPending = false;
    this.d.traceEnable(false);
    this.update();
  }

  /** After every core reset: S_RESET_ST, and halt at the reset vector on VC_CORERESET. */
  coreReset(): void {
    this.resetSticky = true;
    this.stepping = false;
    this.watchPending = false;
    this.lastIpsr = 0;
    const catchReset = this.debugEnabled && (this.demcr & D.VC_CORERESET.mask) !== 0;
    if (catchReset) {
      this.enterDebug(S.VCATCH.mask);
    } else {
      // A reset takes the core out of debug state.
      this.ctrl &= ~(H.C_HALT.mask | H.C_STEP.mask);
      this.d.core.halted = false;
    }
    this.update();
  }

  /** The core leaves a reset held by nRST: VC_CORERESET set during the hold still catches it. */
  leaveReset(): void {
    if (this.d.core.halted) return; // caught at the assertion, or halted by a request during the hold
    if (this.debugEnabled && (this.demcr & D.VC_CORERESET.mask) !== 0) {
      this.enterDebug(S.VCATCH.mask);
      this.update();
    }
  }

  /** Stop the core: debug state, the reason in DFSR, and C_HALT reads as 1. */
  enterDebug(reason: number): void {
    this.d.dfsr.set((this.d.dfsr.get() | reason) >>> 0);
    this.ctrl |= H.C_HALT.mask;
    this.stepping = false;
    const core = this.d.core;
    core.halted = true;
    core.debugMaskInts = false;
    // A halt wakes a sleeping core: the WFI/WFE has completed when it resumes.
    if (core.sleeping) core.sleeping = false;
    // Debug state entry ends lockup (ARMv7-M C1.6.2, DHCSR.S_LOCKUP "clears to 0 when the
    // processor enters Debug state"): the debugger can then fix the PC and go on.
    if (core.lockedUp) core.lockedUp = false;
  }

  /**
   * The core is about to sleep (WFI/WFE). A pending step's halt is a debug event, which is
   * a wake-up event (ARMv7-M B1.5.19): the step ends at the next instruction, awake.
   * Returns true when the sleep is cancelled.
   */
  onSleep(): boolean {
    if (!this.stepping) return false;
    this.enterDebug(S.HALTED.mask);
    this.update();
    return true;
  }

  /**
   * BKPT executed: halt if a debugger has enabled halting debug; else, with DEMCR.MON_EN,
   * take the DebugMonitor exception if its priority allows. False: the core escalates the
   * debug event to HardFault (HFSR.DEBUGEVT).
   */
  onBkpt(): boolean {
    if (this.debugEnabled) {
      this.enterDebug(S.BKPT.mask);
      return true;
    }
    const mon = this.d.monitor;
    if (mon && this.demcr & D.MON_EN.mask && mon.canTake()) {
      this.d.dfsr.set((this.d.dfsr.get() | S.BKPT.mask) >>> 0);
      mon.returnToBkpt();
      mon.pend();
      return true;
    }
    return false;
  }

  /** DEMCR.MON_STEP with halting debug off: one instruction outside the monitor, then DebugMonitor again. */
  private get monitorStepping(): boolean {
    return !this.debugEnabled && this.d.monitor !== undefined && (this.demcr & (D.MON_EN.mask | D.MON_STEP.mask)) === (D.MON_EN.mask | D.MON_STEP.mask);
  }

  /** The look before every instruction while a debug event can happen. */
  readonly beforeInstruction = (pc: number): boolean => {
    if (!this.debugEnabled) {
      // Monitor stepping: pend DebugMonitor now, so it is taken right after this instruction.
      const mon = this.d.monitor!;
      if (this.d.core.ipsr !== 12 && mon.canTake() && !mon.isPending()) {
        this.d.dfsr.set((this.d.dfsr.get() | S.HALTED.mask) >>> 0);
        mon.pend();
      }
      return false;
    }
    if (this.watchPending) {
      this.watchPending = false;
      this.enterDebug(S.DWTTRAP.mask);
      this.update();
      return true;
    }
    if (this.stepping && this.d.clock.now !== this.stepFrom) {
      this.enterDebug(S.HALTED.mask);
      this.update();
      return true;
    }
    const ipsr = this.d.core.ipsr;
    if (ipsr !== this.lastIpsr) {
      this.lastIpsr = ipsr;
      if (this.demcr & VC_FAULTS && this.vectorCaught(ipsr, pc)) {
        this.enterDebug(S.VCATCH.mask);
        this.update();
        return true;
      }
    }
    if (this.d.fpb.hits(pc)) {
      this.enterDebug(S.BKPT.mask);
      this.update();
      return true;
    }
    if (this.d.dwt.pcActive && this.d.dwt.pcMatch(pc)) {
      this.enterDebug(S.DWTTRAP.mask);
      this.update();
      return true;
    }
    return false;
  };

  /** A data access by the core (installed while DWT data comparators are active). */
  readonly onDataAccess = (addr: number, size: number, write: boolean): void => {
    if (this.d.dwt.access(addr, size, write) && this.debugEnabled) {
      // Watchpoints are imprecise on ARMv7-M: the core stops after the instruction.
      this.watchPending = true;
      this.d.core.debugHook = this.beforeInstruction;
    }
  };

  /** Is entering exception `ipsr` at `pc` (its handler's first instruction) a caught vector? */
  private vectorCaught(ipsr: number, pc: number): boolean {
    if (ipsr < 3 || ipsr > 6) return false;
    const vtor = this.d.peek32(0xe000ed08) ?? 0;
    const vector = this.d.peek32((vtor + 4 * ipsr) >>> 0);
    if (vector === undefined || ((vector & ~1) >>> 0) !== pc) return false; // a return into a handler
    const cfsr = this.d.peek32(0xe000ed28) ?? 0;
    const dm = this.demcr;
    switch (ipsr) {
      case 3: return (dm & D.VC_HARDERR.mask) !== 0;
      case 4: return (dm & D.VC_MMERR.mask) !== 0 || ((dm & D.VC_INTERR.mask) !== 0 && (cfsr & 0x18) !== 0);
      case 5: return (dm & D.VC_BUSERR.mask) !== 0 || ((dm & D.VC_INTERR.mask) !== 0 && (cfsr & 0x1800) !== 0);
      default: {
        const ufsr = cfsr >>> 16;
        if (ufsr & 0x8) return (dm & D.VC_NOCPERR.mask) !== 0; // NOCP
        if (ufsr & 0x300) return (dm & D.VC_CHKERR.mask) !== 0; // UNALIGNED, DIVBYZERO
        return (dm & D.VC_STATERR.mask) !== 0; // UNDEFINSTR, INVSTATE, INVPC
      }
    }
  }

  /** Install or remove the core hooks so an idle debug unit costs the core nothing. */
  update(): void {
    const core = this.d.core;
    const en = this.debugEnabled;
    const need = (en && (this.stepping || this.watchPending || this.d.fpb.active || this.d.dwt.pcActive || (this.demcr & VC_FAULTS) !== 0)) || this.monitorStepping;
    if (need && core.debugHook === null) this.lastIpsr = core.ipsr;
    core.debugHook = need ? this.beforeInstruction : null;
    core.watchHook = this.d.dwt.dataActive ? this.onDataAccess : null;
  }

  get dfsr(): number {
    return this.d.dfsr.get();
  }

  // ---- registers (offsets from 0xE000EDF0) ----

  read(offset: number, size: AccessSize): number {
    const word = offset & ~3;
    let v: number;
    switch (word) {
      case 0x0:
        v = this.dhcsr;
        // S_RESET_ST and S_RETIRE_ST clear when read
        this.resetSticky = false;
        this.retireMark = this.d.clock.now;
        break;
      case 0x4: v = 0; break; // DCRSR is write-only
      case 0x8: v = this.dcrdr; break;
      case 0xc: {
        // MON_PEND shows the DebugMonitor exception's pending state
        const pend = this.d.monitor?.isPending() ? D.MON_PEND.mask : 0;
        v = ((this.demcr & ~D.MON_PEND.mask) | pend) >>> 0;
        break;
      }
      default: v = 0;
    }
    return size === 4 ? v >>> 0 : (v >>> ((offset & 3) * 8)) & (size === 1 ? 0xff : 0xffff);
  }

  write(offset: number, size: AccessSize, value: number): void {
    value >>>= 0;
    if (size !== 4) {
      // Sub-word writes merge into the register (DCRDR is byte-accessible).
      const word = offset & ~3;
      const cur = word === 0x8 ? this.dcrdr : word === 0xc ? this.demcr : 0;
      const shift = (offset & 3) * 8;
      const m = (size === 1 ? 0xff : 0xffff) << shift;
      value = ((cur & ~m) | ((value << shift) & m)) >>> 0;
      if (word === 0x0 || word === 0x4) return; // DHCSR needs the key in a word write
      offset = word;
    }
    switch (offset) {
      case 0x0: this.writeDhcsr(value); return;
      case 0x4: this.writeDcrsr(value); return;
      case 0x8: this.dcrdr = value; return;
      case 0xc: {
        const was = this.demcr;
        this.demcr = value & DEMCR_WRITABLE;
        const mon = this.d.monitor;
        if (mon) {
          if (value & D.MON_PEND.mask) mon.pend();
          else if (mon.isPending()) mon.unpend();
        }
        if ((was ^ this.demcr) & D.TRCENA.mask) this.d.traceEnable((this.demcr & D.TRCENA.mask) !== 0);
        this.update();
        return;
      }
    }
  }

  private writeDhcsr(v: number): void {
    if ((v & 0xffff0000) >>> 0 !== DBGKEY >>> 0) return; // without DBGKEY the write is ignored
    const core = this.d.core;
    let c = v & C_BITS;
    // Only the debugger can set or clear C_DEBUGEN; software keeps what it found.
    if (!this.d.master.fromDebugger) c = (c & ~H.C_DEBUGEN.mask) | (this.ctrl & H.C_DEBUGEN.mask);
    if ((c & H.C_DEBUGEN.mask) === 0) {
      // Halting debug off: the control bits mean nothing, and a halted core runs again.
      this.ctrl = c & H.C_SNAPSTALL.mask;
      this.stepping = false;
      core.debugMaskInts = false;
      if (core.halted) core.halted = false;
      this.update();
      return;
    }
    this.ctrl = c;
    if (c & H.C_HALT.mask) {
      if (!core.halted) this.enterDebug(S.HALTED.mask);
    } else if (core.halted) {
      // Leave debug state: run, or execute one instruction (C_STEP) and halt again.
      core.debugMaskInts = (c & H.C_MASKINTS.mask) !== 0;
      this.stepping = (c & H.C_STEP.mask) !== 0;
      this.stepFrom = this.d.clock.now;
      this.lastIpsr = core.ipsr;
      core.halted = false;
    }
    this.update();
  }

  private writeDcrsr(v: number): void {
    const sel = v & 0x7f;
    const core = this.d.core;
    if (v & 0x10000) core.writeCoreReg(sel, this.dcrdr);
    else this.dcrdr = core.readCoreReg(sel) >>> 0;
    this.regRdy = true; // transfers complete at once
  }
}
