// The ARMv7-M exception model (ARM ARM B1.5): priorities with grouping, which pending
// exception to take, exception entry (stacking, EXC_RETURN), exception return (unstacking,
// INVPC checks), synchronous faults with escalation to HardFault, and lockup.
//
// Tail-chaining: an exception return leaves `attention` set, and the run loop looks for a
// pending exception before the next instruction, so a pending exception that can preempt the
// returned-to context is entered at once, before any instruction of that context runs. The
// frame is popped and pushed again rather than kept; memory and registers end up as the
// architecture allows (R0-R3, R12 are UNKNOWN on entry) and as QEMU shows them.

import { BusFault } from '../bus.js';
import { type Cpu, Fault, LOCKUP_ADDRESS } from './cpu.js';
import { stackFpContext, unstackFpContext } from './fpu/state.js';

// Exception numbers.
export const RESET = 1;
export const NMI = 2;
export const HARDFAULT = 3;
export const MEMMANAGE = 4;
export const BUSFAULT = 5;
export const USAGEFAULT = 6;
export const SVCALL = 11;
export const DEBUGMONITOR = 12;
export const PENDSV = 14;
export const SYSTICK = 15;

// CFSR bits by fault kind, and the exception each fault kind belongs to.
const CFSR_BIT: Record<string, number> = {
  [Fault.IAccViol]: 1 << 0,
  [Fault.DAccViol]: 1 << 1,
  [Fault.IBusErr]: 1 << 8,
  [Fault.PreciseErr]: 1 << 9,
  [Fault.ImpreciseErr]: 1 << 10,
  [Fault.UnstkErr]: 1 << 11,
  [Fault.StkErr]: 1 << 12,
  [Fault.LspErr]: 1 << 13,
  [Fault.UndefInstr]: 1 << 16,
  [Fault.InvState]: 1 << 17,
  [Fault.InvPc]: 1 << 18,
  [Fault.NoCp]: 1 << 19,
  [Fault.Unaligned]: 1 << 24,
  [Fault.DivByZero]: 1 << 25,
};
const CFSR_MMARVALID = 1 << 7;
const CFSR_BFARVALID = 1 << 15;
const HFSR_VECTTBL = 1 << 1;
const HFSR_FORCED = 1 << 30;
const HFSR_DEBUGEVT = 1 << 31;

function faultException(kind: Fault): number {
  const bit = CFSR_BIT[kind];
  if (bit < 0x100) return MEMMANAGE;
  if (bit < 0x10000) return BUSFAULT;
  return USAGEFAULT;
}

/** Group priority of a configurable priority value, as AIRCR.PRIGROUP splits it. */
function groupPriority(cpu: Cpu, pri: number): number {
  if (pri < 0) return pri;
  return pri & ~((2 << cpu.scb.prigroup) - 1);
}

/** The priority of exception n (negative for Reset, NMI, HardFault). */
export function exceptionPriority(cpu: Cpu, n: number): number {
  if (n <= 3) return n - 4;
  return cpu.nvic.priority[n];
}

/** ExecutionPriority(): the current priority from active exceptions and the mask registers. */
export function executionPriority(cpu: Cpu, ignorePrimask = false): number {
  const nvic = cpu.nvic;
  let highest = 256;
  // Active exceptions: the lowest group priority wins.
  const active = nvic.active;
  for (let n = 1; n < nvic.count; n++) {
    if (active[n] !== 0) {
      const p = groupPriority(cpu, exceptionPriority(cpu, n));
      if (p < highest) highest = p;
    }
  }
  let boosted = 256;
  if (cpu.basepri !== 0) boosted = groupPriority(cpu, cpu.basepri);
  if (!ignorePrimask && cpu.primask !== 0) boosted = 0;
  if (cpu.faultmask !== 0) boosted = -1;
  return boosted < highest ? boosted : highest;
}

/** Is exception n able to run at all (enabled)? */
function isEnabled(cpu: Cpu, n: number): boolean {
  // DHCSR.C_MASKINTS (set by the debug unit while stepping): PendSV, SysTick and IRQs wait.
  if (n >= 14 && cpu.debugMaskInts) return false;
  if (n >= 16) return cpu.nvic.enabled[n] !== 0;
  const shcsr = cpu.scb.shcsrEnables;
  if (n === MEMMANAGE) return (shcsr & (1 << 16)) !== 0;
  if (n === BUSFAULT) return (shcsr & (1 << 17)) !== 0;
  if (n === USAGEFAULT) return (shcsr & (1 << 18)) !== 0;
  return true;
}

/** The highest-priority pending and enabled exception, or 0. */
export function highestPending(cpu: Cpu): number {
  const nvic = cpu.nvic;
  if (nvic.pendingCount === 0) return 0;
  let best = 0;
  let bestPri = 1000;
  const pending = nvic.pending;
  // DHCSR.C_MASKINTS: PendSV, SysTick and external interrupts wait
  const end = cpu.debugMaskInts ? 14 : nvic.count;
  for (let n = 1; n < end; n++) {
    if (pending[n] !== 0 && isEnabled(cpu, n)) {
      const p = exceptionPriority(cpu, n);
      if (p < bestPri) {
        bestPri = p;
        best = n;
      }
    }
  }
  return best;
}

/** The pending exception that preempts the current execution priority, or 0. */
export function nextExceptionToTake(cpu: Cpu): number {
  const n = highestPending(cpu);
  if (n === 0) return 0;
  return groupPriority(cpu, exceptionPriority(cpu, n)) < executionPriority(cpu) ? n : 0;
}

/** WFI wake-up: a pending exception that would preempt if PRIMASK were clear. */
export function wakeupPending(cpu: Cpu): boolean {
  const n = highestPending(cpu);
  if (n === 0) return false;
  return groupPriority(cpu, exceptionPriority(cpu, n)) < executionPriority(cpu, true);
}

// ---- entry -----------------------------------------------------------------------------

/** Exception entry: push the frame, set LR to EXC_RETURN, jump through the vector table. */
export function takeException(cpu: Cpu, n: number): void {
  const r = cpu.r;
  const returnAddress = cpu.pc;
  const threadMode = cpu.ipsr === 0;
  const onPsp = threadMode && (cpu.control & 2) !== 0;

  // PushStack: 8 words, 8-byte aligned when CCR.STKALIGN (bit 9 of the stacked xPSR records it).
  // With CONTROL.FPCA the extended frame (S0-S15, FPSCR, reserved): 0x68 bytes, always 8-aligned.
  const fpFrame = (cpu.control & 4) !== 0;
  const sp = r[13];
  const align = ((cpu.scb.ccr & (1 << 9)) !== 0 || fpFrame) && (sp & 4) !== 0 ? 4 : 0;
  const frame = (sp - (fpFrame ? 0x68 : 0x20) - align) >>> 0;
  const xpsr = (cpu.xpsr & ~(1 << 9)) | (align ? 1 << 9 : 0);
  const words = [r[0], r[1], r[2], r[3], r[12], r[14], returnAddress, xpsr >>> 0];
  let stackError = false;
  for (let i = 0; i < 8; i++) {
    try {
      cpu.bus.write32(frame + 4 * i, words[i]);
    } catch (e) {
      if (!(e instanceof BusFault)) throw e;
      stackError = true;
    }
  }
  if (fpFrame) {
    try {
      stackFpContext(cpu, frame, threadMode, executionPriority(cpu) > -1);
    } catch (e) {
      if (!(e instanceof BusFault)) throw e;
      stackError = true;
    }
  }
  r[13] = frame;

  // EXC_RETURN (bit 4 clear: an extended frame with FP context).
  r[14] = (threadMode ? (onPsp ? 0xfffffffd : 0xfffffff9) : 0xfffffff1) & ~(fpFrame ? 0x10 : 0);

  exceptionTaken(cpu, n);
  if (stackError) raiseFault(cpu, Fault.StkErr);
}

/** ExceptionTaken: Handler mode, IPSR, vector fetch. A failing vector fetch becomes a HardFault (VECTTBL). */
function exceptionTaken(cpu: Cpu, n: number): void {
  const nvic = cpu.nvic;
  let vector: number;
  try {
    vector = cpu.bus.read32((cpu.scb.vtor + 4 * n) >>> 0);
  } catch (e) {
    if (!(e instanceof BusFault)) throw e;
    nvic.clearPending(n);
    if (n === HARDFAULT || n === NMI) {
      enterLockup(cpu);
      return;
    }
    cpu.scb.hfsr = (cpu.scb.hfsr | HFSR_VECTTBL) >>> 0;
    exceptionTaken(cpu, HARDFAULT);
    return;
  }
  nvic.clearPending(n);
  nvic.active[n] = 1;
  cpu.control = cpu.control & ~(cpu.config.fpu ? 6 : 2); // SPSEL = 0 (handlers use MSP), FPCA = 0
  cpu.ipsr = n;
  cpu.syncStackPointer();
  cpu.itstate = 0;
  cpu.tbit = vector & 1;
  cpu.pc = vector;
  cpu.exclusiveAddr = -1;
  cpu.eventRegister = 1;
  cpu.attention = true;
}

// ---- return ----------------------------------------------------------------------------

/** Exception return through an EXC_RETURN value written to the PC in Handler mode. */
export function exceptionReturn(cpu: Cpu, excReturn: number): void {
  const nvic = cpu.nvic;
  const returning = cpu.ipsr;
  const kind = excReturn & 0xf;
  const invalid =
    (excReturn & 0x0fffffe0) !== 0x0fffffe0 ||
    ((excReturn & 0x10) === 0 && !cpu.config.fpu) ||
    (kind !== 1 && kind !== 9 && kind !== 0xd) ||
    nvic.active[returning] === 0 ||
    (kind !== 1 && nvic.activeCount() !== 1 && (cpu.scb.ccr & 1) === 0);
  if (invalid) {
    invalidReturn(cpu, excReturn);
    return;
  }
  // Tail-chaining: once the returning exception is deactivated, a pending exception that can
  // preempt the context we would return to is taken at once, without unstacking (as QEMU 7.2
  // does; R0-R3 and R12 keep the previous handler's values). LR keeps this EXC_RETURN.
  nvic.active[returning] = 0;
  const savedFaultmask = cpu.faultmask;
  if (returning !== NMI) cpu.faultmask = 0;
  const chained = nextExceptionToTake(cpu);
  nvic.active[returning] = 1;
  cpu.faultmask = savedFaultmask;
  if (chained !== 0) {
    deactivate(cpu, returning);
    // a level interrupt re-pended by the deactivation may now win; take the highest
    const n = nextExceptionToTake(cpu) || chained;
    cpu.r[14] = excReturn >>> 0;
    exceptionTaken(cpu, n);
    return;
  }
  const toPsp = kind === 0xd;
  const frame = toPsp ? cpu.psp : cpu.msp;
  const w = new Array<number>(8);
  const fpFrame = (excReturn & 0x10) === 0;
  try {
    for (let i = 0; i < 8; i++) w[i] = cpu.bus.read32(frame + 4 * i);
    if (fpFrame) unstackFpContext(cpu, frame);
  } catch (e) {
    if (!(e instanceof BusFault)) throw e;
    // Unstacking failed: deactivate, stay in the handler context and take a BusFault (UNSTKERR).
    deactivate(cpu, returning);
    raiseFault(cpu, Fault.UnstkErr);
    return;
  }
  deactivate(cpu, returning);
  const psr = w[7];
  const newSp = (frame + (fpFrame ? 0x68 : 0x20) + ((psr & (1 << 9)) !== 0 && ((cpu.scb.ccr & (1 << 9)) !== 0 || fpFrame) ? 4 : 0)) >>> 0;
  if (toPsp) cpu.psp = newSp;
  else cpu.msp = newSp;
  const r = cpu.r;
  r[0] = w[0];
  r[1] = w[1];
  r[2] = w[2];
  r[3] = w[3];
  r[12] = w[4];
  r[14] = w[5];
  cpu.n = psr >>> 31;
  cpu.z = (psr >>> 30) & 1;
  cpu.c = (psr >>> 29) & 1;
  cpu.v = (psr >>> 28) & 1;
  cpu.q = (psr >>> 27) & 1;
  if (cpu.config.dsp) cpu.ge = (psr >>> 16) & 0xf;
  cpu.tbit = (psr >>> 24) & 1;
  cpu.itstate = ((psr >>> 25) & 3) | (((psr >>> 10) & 0x3f) << 2);
  cpu.ipsr = kind === 1 ? psr & 0x1ff : 0;
  const popped = psr & 0x1ff;
  cpu.control = (toPsp ? cpu.control | 2 : cpu.control & ~2) & ~(fpFrame ? 0 : 4) | (fpFrame ? 4 : 0);
  cpu.syncStackPointer();
  cpu.pc = w[6]; // bit 0 ignored, as QEMU and silicon do
  cpu.exclusiveAddr = -1;
  cpu.eventRegister = 1;
  cpu.attention = true;
  // The mode must agree with the stacked IPSR.
  if ((kind === 1) !== (popped !== 0)) {
    cpu.ipsr = popped;
    cpu.syncStackPointer();
    raiseFault(cpu, Fault.InvPc);
    return;
  }
  if (kind !== 1 && (cpu.scb.scr & 2) !== 0) {
    // SLEEPONEXIT: back in Thread mode, sleep as WFI would
    cpu.sleepIsWfe = false;
    cpu.sleeping = true;
  }
}

/**
 * An EXC_RETURN that fails the integrity checks: as QEMU 7.2 does, the returning exception is
 * deactivated and a UsageFault (INVPC) is taken on the existing frame, with LR keeping the
 * bad EXC_RETURN (no unstacking, no new stacking).
 */
function invalidReturn(cpu: Cpu, excReturn: number): void {
  const returning = cpu.ipsr;
  if (cpu.nvic.active[returning] !== 0) deactivate(cpu, returning);
  raiseFault(cpu, Fault.InvPc);
  if (cpu.lockedUp) return;
  const n = nextExceptionToTake(cpu);
  if (n !== 0) {
    cpu.r[14] = excReturn >>> 0;
    exceptionTaken(cpu, n);
  }
}

function deactivate(cpu: Cpu, n: number): void {
  cpu.nvic.active[n] = 0;
  if (n !== NMI) cpu.faultmask = 0;
  cpu.nvic.exceptionDeactivated(n);
}

// ---- faults ----------------------------------------------------------------------------

/** Record a synchronous fault and pend its exception, escalating to HardFault or lockup. */
export function raiseFault(cpu: Cpu, kind: Fault, addr?: number): void {
  const scb = cpu.scb;
  let bits = CFSR_BIT[kind];
  if (addr !== undefined) {
    if (kind === Fault.PreciseErr) {
      scb.bfar = addr >>> 0;
      bits |= CFSR_BFARVALID;
    } else if (kind === Fault.DAccViol) {
      scb.mmfar = addr >>> 0;
      bits |= CFSR_MMARVALID;
    }
  }
  scb.cfsr = (scb.cfsr | bits) >>> 0;
  const n = faultException(kind);
  pendSynchronous(cpu, n);
}

/** SVC: SVCall if it can preempt, otherwise escalated to HardFault. */
export function raiseSvc(cpu: Cpu): void {
  pendSynchronous(cpu, SVCALL);
}

/** BKPT with nothing to handle it: HardFault with HFSR.DEBUGEVT. */
export function raiseDebugEvent(cpu: Cpu): void {
  cpu.scb.hfsr = (cpu.scb.hfsr | HFSR_DEBUGEVT) >>> 0;
  escalate(cpu, false);
}

function pendSynchronous(cpu: Cpu, n: number): void {
  if (isEnabled(cpu, n) && groupPriority(cpu, exceptionPriority(cpu, n)) < executionPriority(cpu)) {
    cpu.nvic.setPending(n);
    return;
  }
  escalate(cpu, true);
}

function escalate(cpu: Cpu, forced: boolean): void {
  if (executionPriority(cpu) <= -1) {
    enterLockup(cpu);
    return;
  }
  if (forced) cpu.scb.hfsr = (cpu.scb.hfsr | HFSR_FORCED) >>> 0;
  cpu.nvic.setPending(HARDFAULT);
}

/** Lockup: the core stops fetching and sits at 0xEFFFFFFE until reset. */
export function enterLockup(cpu: Cpu): void {
  cpu.lockupPc = cpu.pc; // where it happened, for the user's message (boards' run loop)
  cpu.pc = LOCKUP_ADDRESS;
  cpu.lockedUp = true;
}
