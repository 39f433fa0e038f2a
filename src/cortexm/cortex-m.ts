// Run control of a Cortex-M core through its MEM-AP: halt, resume, single-step with
// interrupts masked, halt reasons, core registers, breakpoints, watchpoints, reset
// (with halt at the reset vector through VC_CORERESET) and vector catch.
import { AIRCR, CPUID, CPU_PARTNO, DBGKEY, DCRDR, DCRSR, DEMCR, DFSR, DHCSR, VECTKEY } from '../arch/scs-debug.js';
import { hex32 } from '../arch/register.js';
import type { MemAccessPort } from '../adi/mem-ap.js';
import { Breakpoints } from './breakpoints.js';
import { Watchpoints } from './watchpoints.js';
import { coreRegister, type CoreRegister } from './registers.js';
import { haltKindFromDfsr, type HaltReason } from './halt-reason.js';

const H = DHCSR.fields;
const D = DEMCR.fields;

export class CortexMError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CortexMError';
  }
}

export interface CoreStatus {
  halted: boolean;
  sleeping: boolean;
  lockup: boolean;
  resetSinceLastRead: boolean;
  retiredSinceLastRead: boolean;
  dhcsr: number;
}

/** Vector catch names as gdb/OpenOCD users know them, and their DEMCR bits. */
export const VECTOR_CATCH: Record<string, number> = {
  reset: D.VC_CORERESET.mask,
  hard_err: D.VC_HARDERR.mask,
  int_err: D.VC_INTERR.mask,
  bus_err: D.VC_BUSERR.mask,
  state_err: D.VC_STATERR.mask,
  chk_err: D.VC_CHKERR.mask,
  nocp_err: D.VC_NOCPERR.mask,
  mm_err: D.VC_MMERR.mask,
};

/** Resolves on the next turn of the event loop (lets a simulated target run). */
const nextTurn = () => new Promise<void>((r) => setImmediate(r));

export class CortexM {
  cpuid = 0;
  readonly breakpoints: Breakpoints;
  readonly watchpoints: Watchpoints;
  /** The last resume was a single step (for halt reasons). */
  private lastWasStep = false;
  /** DHCSR.C_MASKINTS is set (while halted between steps). */
  private maskIntsSet = false;
  /** C_MASKINTS is kept while stepping. */
  /** How long halt, step and reset wait for the core (monitor halt_timeout sets it). */
  haltTimeoutMs: number;

  constructor(
    readonly mem: MemAccessPort,
    opts: { haltTimeoutMs?: number } = {},
  ) {
    this.breakpoints = new Breakpoints(mem);
    this.watchpoints = new Watchpoints(mem);
    this.haltTimeoutMs = opts.haltTimeoutMs ?? 2000;
  }

  /** Read CPUID, enable halting debug, set up the FPB and DWT. */
  async init(): Promise<this> {
    this.cpuid = await this.mem.read32(CPUID.address);
    const dhcsr = await this.mem.read32(DHCSR.address);
    const keep = dhcsr & (H.C_HALT.mask | H.C_MASKINTS.mask);
    await this.mem.write32(DHCSR.address, DBGKEY | H.C_DEBUGEN.mask | keep);
    await this.breakpoints.init();
    await this.watchpoints.init();
    return this;
  }

  get coreName(): string {
    return CPU_PARTNO[(this.cpuid >>> 4) & 0xfff] ?? `unknown core (CPUID ${hex32(this.cpuid)})`;
  }

  /** 'r2p1' from CPUID's VARIANT and REVISION. */
  get revision(): string {
    const f = CPUID.decode(this.cpuid);
    return `r${f.VARIANT}p${f.REVISION}`;
  }

  async status(): Promise<CoreStatus> {
    const v = await this.mem.read32(DHCSR.address);
    return {
      halted: (v & H.S_HALT.mask) !== 0,
      sleeping: (v & H.S_SLEEP.mask) !== 0,
      lockup: (v & H.S_LOCKUP.mask) !== 0,
      resetSinceLastRead: (v & H.S_RESET_ST.mask) !== 0,
      retiredSinceLastRead: (v & H.S_RETIRE_ST.mask) !== 0,
      dhcsr: v,
    };
  }

  async isHalted(): Promise<boolean> {
    return (await this.status()).halted;
  }

  /** Poll DHCSR.S_HALT until set; the error names where the core was. */
  async waitForHalt(timeoutMs = this.haltTimeoutMs): Promise<void> {
    const start = Date.now();
    for (let polls = 0; ; polls++) {
      const s = await this.status();
      if (s.halted) return;
      if (Date.now() - start > timeoutMs) {
        throw new CortexMError(`the core did not halt within ${timeoutMs} ms${s.sleeping ? ' (it sleeps in WFI/WFE)' : ''}${s.lockup ? ' (it is locked up)' : ''}; try 'halt'`);
      }
      if (polls > 2) await nextTurn();
    }
  }

  async halt(): Promise<void> {
    await this.mem.write32(DHCSR.address, DBGKEY | H.C_DEBUGEN.mask | H.C_HALT.mask);
    await this.waitForHalt();
    this.lastWasStep = false;
    this.maskIntsSet = false;
  }

  private async clearDfsr(): Promise<void> {
    await this.mem.write32(DFSR.address, 0x1f);
  }

  /** Execute the instruction at pc with breakpoints there out of the way. */
  private async stepOverBreakpointAtPc(pc: number): Promise<void> {
    const hw = this.breakpoints.hasHardware(pc);
    const sw = this.breakpoints.software.get(pc);
    if (!hw && sw === undefined) return this.stepCore();
    if (hw) await this.breakpoints.removeHardware(pc);
    if (sw !== undefined) await this.mem.write16(pc, sw);
    try {
      await this.stepCore();
    } finally {
      if (hw) await this.breakpoints.addHardware(pc);
      if (sw !== undefined) await this.mem.write16(pc, 0xbe00);
    }
  }

  /**
   * One C_STEP with interrupts masked. C_MASKINTS may only change while halted, so it is
   * set first and then left set while the core stays halted (resume clears it): a run of
   * steps costs one write batch and one status poll each.
   */
  private async stepCore(): Promise<void> {
    const writes: [number, number][] = [[DFSR.address, 0x1f]];
    if (!this.maskIntsSet) writes.push([DHCSR.address, DBGKEY | H.C_DEBUGEN.mask | H.C_HALT.mask | H.C_MASKINTS.mask]);
    writes.push([DHCSR.address, DBGKEY | H.C_DEBUGEN.mask | H.C_MASKINTS.mask | H.C_STEP.mask]);
    await this.mem.writeMany32(writes);
    this.maskIntsSet = true;
    await this.waitForHalt();
  }

  /** Single-step one instruction (or one exception entry). The core must be halted. */
  async step(): Promise<void> {
    if (this.breakpoints.software.size > 0 || this.breakpoints.hardwareInUse.length > 0) {
      const pc = await this.readRegister('pc'); // also checks that the core is halted
      await this.stepOverBreakpointAtPc(pc);
    } else {
      await this.requireHalted('step');
      await this.stepCore();
    }
    this.lastWasStep = true;
  }

  /** Resume execution, first stepping off a breakpoint at the current pc. */
  async resume(): Promise<void> {
    const s = await this.status();
    if (!s.halted) return;
    const pc = await this.readRegister('pc');
    if (this.breakpoints.hasHardware(pc) || this.breakpoints.software.has(pc)) {
      await this.stepOverBreakpointAtPc(pc);
      const dfsr = await this.mem.read32(DFSR.address);
      if (dfsr & ~DFSR.fields.HALTED.mask & 0x1f) return; // the step itself hit something: stay halted
    }
    await this.mem.writeMany32([
      [DFSR.address, 0x1f],
      [DHCSR.address, DBGKEY | H.C_DEBUGEN.mask], // also clears C_MASKINTS
    ]);
    this.maskIntsSet = false;
    this.lastWasStep = false;
  }

  /** Why the core is halted, from DFSR (and which watchpoint matched). */
  async haltReason(clear = true): Promise<HaltReason> {
    const dfsr = await this.mem.read32(DFSR.address);
    const kind = haltKindFromDfsr(dfsr, this.lastWasStep);
    const reason: HaltReason = { kind, dfsr };
    if (kind === 'watchpoint') {
      const w = await this.watchpoints.matched();
      if (w) reason.watch = { comparator: w.comparator, address: w.address, access: w.kind };
    }
    if (clear) await this.clearDfsr();
    return reason;
  }

  private async requireHalted(what: string): Promise<void> {
    if (!(await this.isHalted())) throw new CortexMError(`cannot ${what}: the core is running; halt it first`);
  }

  // ---- registers ----

  /** Read registers by name in one round trip (DCRSR, DHCSR.S_REGRDY, DCRDR per register). */
  async readRegisters(names: readonly string[]): Promise<Map<string, number>> {
    const regs = names.map(coreRegister);
    const sels = [...new Set(regs.map((r) => r.regsel))];
    const ops: { addr: number; value?: number }[] = [];
    for (const sel of sels) ops.push({ addr: DCRSR.address, value: sel }, { addr: DHCSR.address }, { addr: DCRDR.address });
    const vals = await this.mem.transact(ops);
    // The DHCSR reads double as the check that the core is halted (DCRSR needs debug state).
    if (!(vals[0] & H.S_HALT.mask)) throw new CortexMError('cannot read core registers: the core is running; halt it first');
    const bySel = new Map<number, number>();
    for (let i = 0; i < sels.length; i++) {
      if (!(vals[2 * i] & H.S_REGRDY.mask)) bySel.set(sels[i], await this.readRegisterSlow(sels[i]));
      else bySel.set(sels[i], vals[2 * i + 1]);
    }
    const out = new Map<string, number>();
    for (const r of regs) out.set(r.name, this.extract(r, bySel.get(r.regsel)!));
    return out;
  }

  private extract(r: CoreRegister, v: number): number {
    return r.byte === undefined ? v >>> 0 : (v >>> (8 * r.byte)) & 0xff;
  }

  private async readRegisterSlow(sel: number): Promise<number> {
    await this.mem.write32(DCRSR.address, sel);
    for (let i = 0; i < 100; i++) {
      if ((await this.mem.read32(DHCSR.address)) & H.S_REGRDY.mask) return this.mem.read32(DCRDR.address);
    }
    throw new CortexMError(`core register ${sel} transfer never completed (DHCSR.S_REGRDY stayed 0)`);
  }

  async readRegister(name: string): Promise<number> {
    return (await this.readRegisters([name])).get(coreRegister(name).name)!;
  }

  async writeRegister(name: string, value: number): Promise<void> {
    await this.requireHalted('write core registers');
    const r = coreRegister(name);
    let v = value >>> 0;
    if (r.byte !== undefined) {
      const cur = await this.readRegisterSlow(20);
      const shift = 8 * r.byte;
      v = ((cur & ~(0xff << shift)) | ((value & 0xff) << shift)) >>> 0;
    }
    const vals = await this.mem.transact([{ addr: DCRDR.address, value: v }, { addr: DCRSR.address, value: r.regsel | DCRSR.fields.REGWnR.mask }, { addr: DHCSR.address }]);
    if (!(vals[0] & H.S_REGRDY.mask)) throw new CortexMError(`writing ${r.name} did not complete (DHCSR.S_REGRDY stayed 0)`);
  }

  // ---- reset and vector catch ----

  async getVectorCatch(): Promise<string[]> {
    const demcr = await this.mem.read32(DEMCR.address);
    return Object.entries(VECTOR_CATCH).filter(([, m]) => demcr & m).map(([n]) => n);
  }

  async setVectorCatch(names: readonly string[]): Promise<void> {
    let bits = 0;
    for (const n of names) {
      const m = VECTOR_CATCH[n];
      if (m === undefined) throw new CortexMError(`unknown vector catch '${n}'; known: ${Object.keys(VECTOR_CATCH).join(', ')}`);
      bits |= m;
    }
    const demcr = await this.mem.read32(DEMCR.address);
    const all = Object.values(VECTOR_CATCH).reduce((a, b) => a | b, 0);
    await this.mem.write32(DEMCR.address, (demcr & ~all) | bits);
  }

  /**
   * Reset the system (AIRCR.SYSRESETREQ, or VECTRESET for the core only, or the nRST pin
   * through `pinReset`). With `halt`, the core stops at the reset vector (VC_CORERESET).
   */
  async reset(opts: { halt?: boolean; method?: 'sysresetreq' | 'vectreset'; pinReset?: () => Promise<void> } = {}): Promise<void> {
    const demcr = await this.mem.read32(DEMCR.address);
    if (opts.halt) await this.mem.write32(DEMCR.address, demcr | D.VC_CORERESET.mask);
    await this.status(); // read DHCSR: clears S_RESET_ST so we can see the reset happen
    if (opts.pinReset) await opts.pinReset();
    else {
      const bit = opts.method === 'vectreset' ? AIRCR.fields.VECTRESET.mask : AIRCR.fields.SYSRESETREQ.mask;
      try {
        await this.mem.write32(AIRCR.address, VECTKEY | bit);
      } catch {
        // a real target may drop the transfer while it resets; the status read tells
      }
    }
    const start = Date.now();
    for (;;) {
      const s = await this.status();
      if (s.resetSinceLastRead || (opts.halt && s.halted)) break;
      if (Date.now() - start > this.haltTimeoutMs) throw new CortexMError(`the target did not reset within ${this.haltTimeoutMs} ms (DHCSR.S_RESET_ST never set)`);
      await nextTurn();
    }
    this.maskIntsSet = false; // a reset takes the core out of debug state; C_MASKINTS is stale
    if (opts.halt) {
      await this.waitForHalt();
      await this.mem.write32(DEMCR.address, demcr);
      this.lastWasStep = false;
    }
  }
}
