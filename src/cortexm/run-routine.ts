// Running a small position-independent Thumb routine on a halted core, as probes do for
// CRCs and flash algorithms: the RAM it needs (a "work area") and the core registers are
// saved, the code and its data are written, r0-r3/SP/LR/PC are set, the core runs with
// interrupts masked (DHCSR.C_MASKINTS) until it stops on a BKPT, and everything is put
// back. Load once and call many times (a flash algorithm's init/erase/program), or use
// runRoutine() for a single call.
//
// What is restored: the work area's bytes, r0-r12, LR, PC, xPSR, MSP, PSP, PRIMASK,
// BASEPRI, FAULTMASK, CONTROL, DEMCR, DHCSR.C_MASKINTS and the DFSR bits the run set.
// The routine must not use the FPU (its registers are not saved). A fault inside the
// routine is caught (vector catch) and reported; the fault status bits it set are
// cleared, but the exception it entered cannot be undone through the debug registers,
// so callers should only point routines at memory known to exist.
import { CFSR, DBGKEY, DEMCR, DFSR, DHCSR, HFSR } from '../arch/scs-debug.js';
import type { MemAccessPort } from '../adi/mem-ap.js';
import type { CortexM } from './cortex-m.js';
import { coreRegister } from './registers.js';
import { DCRDR, DCRSR } from '../arch/scs-debug.js';

const H = DHCSR.fields;
const D = DEMCR.fields;
const hex = (n: number) => '0x' + (n >>> 0).toString(16).padStart(8, '0');

/** RAM the probe may use while the core is halted (it is saved and restored). */
export interface WorkArea {
  readonly start: number;
  readonly length: number;
  /** For messages: 'AXI SRAM'. */
  readonly name?: string;
}

export interface RoutineSpec {
  /** Thumb code, position independent; it ends by executing a BKPT or returning (BX LR). */
  readonly code: Uint8Array;
  /** Data placed after the code (word aligned); its address is `LoadedRoutine.dataAddress`. */
  readonly data?: Uint8Array;
  /** Stack for the routine (and for an exception it causes), bytes; default 64. */
  readonly stackSize?: number;
}

export class RoutineError extends Error {
  override name = 'RoutineError';
}

/** The routine did not halt on its BKPT in time; the core was halted and restored. */
export class RoutineTimeout extends RoutineError {
  override name = 'RoutineTimeout';
}

/** The routine faulted (caught by vector catch); the core was restored as far as possible. */
export class RoutineFault extends RoutineError {
  override name = 'RoutineFault';
}

const SAVED = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'lr', 'pc', 'xpsr', 'msp', 'psp', 'primask', 'basepri', 'faultmask', 'control'] as const;
// Restore order after the special registers (CONTROL selects which stack 'sp' is): the stacks, then the rest.
const RESTORE_ORDER = ['msp', 'psp', 'r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'lr', 'xpsr', 'pc'] as const;

/** Every fault halts the core at once while a routine runs. */
const FAULT_CATCHES = D.VC_HARDERR.mask | D.VC_INTERR.mask | D.VC_BUSERR.mask | D.VC_STATERR.mask | D.VC_CHKERR.mask | D.VC_NOCPERR.mask | D.VC_MMERR.mask;
const BKPT_0 = 0xbe00;
const align = (n: number, a: number) => Math.ceil(n / a) * a;

export interface Core {
  readonly mem: MemAccessPort;
  readonly core: CortexM;
}

/** A routine written into a work area; call() runs it, unload() restores RAM and registers. */
export class LoadedRoutine {
  /** Where the code starts (Thumb: call with this address | 1). */
  readonly codeAddress: number;
  /** Where `spec.data` was placed. */
  readonly dataAddress: number;
  /** The BKPT that LR points at: a routine returning with BX LR stops there. */
  readonly returnAddress: number;
  /** The initial SP (8-byte aligned, top of the routine's stack). */
  readonly stackTop: number;
  /** Bytes of the work area in use (saved and restored). */
  readonly used: number;
  private open = true;
  /** The core was let run and has not been seen halted since. */
  private mayRun = false;

  private constructor(
    private readonly target: Core,
    readonly area: WorkArea,
    private readonly saved: { regs: Map<string, number>; ram: Uint8Array; demcr: number; dhcsr: number; dfsr: number; cfsr: number; hfsr: number },
    layout: { code: number; data: number; ret: number; stackTop: number; used: number },
  ) {
    this.codeAddress = layout.code;
    this.dataAddress = layout.data;
    this.returnAddress = layout.ret;
    this.stackTop = layout.stackTop;
    this.used = layout.used;
  }

  /** Bytes of work area `spec` needs. */
  static sizeFor(spec: RoutineSpec): number {
    return align(align(spec.code.length, 2) + 2, 4) + align(spec.data?.length ?? 0, 4) + align(spec.stackSize ?? 64, 8) + 8;
  }

  /** Save what the routine will change and write it into `area`; the core must be halted. */
  static async load(target: Core, area: WorkArea, spec: RoutineSpec): Promise<LoadedRoutine> {
    const { mem, core } = target;
    const start = align(area.start >>> 0, 8);
    const code = start;
    const ret = code + align(spec.code.length, 2);
    const data = align(ret + 2, 4);
    const stackTop = align(data + (spec.data?.length ?? 0) + (spec.stackSize ?? 64), 8);
    const used = stackTop - start;
    const areaName = `the work area ${hex(area.start)}+${area.length}${area.name ? ` (${area.name})` : ''}`;
    if (stackTop > area.start + area.length) throw new RoutineError(`a routine of ${spec.code.length} bytes with ${spec.data?.length ?? 0} bytes of data needs ${LoadedRoutine.sizeFor(spec)} bytes; ${areaName} is too small`);
    const { words, regs } = await readState(target, [DHCSR.address, DEMCR.address, DFSR.address, CFSR.address, HFSR.address], SAVED);
    const [dhcsr, demcr, dfsr, cfsr, hfsr] = words as [number, number, number, number, number];
    const ram = await mem.readBlock(start, used);
    const image = new Uint8Array(used);
    image.set(spec.code, 0);
    image[ret - start] = BKPT_0 & 0xff;
    image[ret - start + 1] = BKPT_0 >> 8;
    if (spec.data) image.set(spec.data, data - start);
    await mem.writeBlock(start, image.subarray(0, data - start + (spec.data?.length ?? 0)));
    return new LoadedRoutine(target, area, { regs, ram: ram.slice(), demcr, dhcsr, dfsr, cfsr, hfsr }, { code, data, ret, stackTop, used });
  }

  /**
   * Run from `entry` (an offset into the code, default 0) with r0-r3 = `args`; resolves
   * with r0-r3 when the core stops on a BKPT inside the routine (or the return BKPT).
   */
  async call(args: readonly number[], opts: { entry?: number; timeoutMs?: number } = {}): Promise<number[]> {
    if (!this.open) throw new RoutineError('the routine was unloaded');
    if (args.length > 4) throw new RoutineError(`a routine takes at most 4 arguments (r0-r3), not ${args.length}`);
    const { mem, core } = this.target;
    const xpsr = this.saved.regs.get('xpsr')!;
    // DFSR bits are write-one-to-clear: keep the ones the program's halt left (unload
    // can then put DFSR back as it was), clear the rest to see what this run sets.
    await writeRegisters(
      this.target,
      [
        ['sp', this.stackTop],
        ['lr', (this.returnAddress | 1) >>> 0],
        // Thumb state, no IT block in progress, the exception number as it was.
        ['xpsr', ((xpsr & 0x1ff) | 0x01000000) >>> 0],
        ['pc', (this.codeAddress + (opts.entry ?? 0)) & ~1],
        ...[0, 1, 2, 3].map((i) => [`r${i}`, (args[i] ?? 0) >>> 0] as [string, number]),
      ],
      [
        [DEMCR.address, this.saved.demcr | FAULT_CATCHES],
        [DFSR.address, 0x1f & ~this.saved.dfsr],
      ],
    );
    // C_MASKINTS may only change while halted: set it with C_HALT, then clear C_HALT.
    this.mayRun = true;
    await mem.writeMany32([
      [DHCSR.address, DBGKEY | H.C_DEBUGEN.mask | H.C_HALT.mask | H.C_MASKINTS.mask],
      [DHCSR.address, DBGKEY | H.C_DEBUGEN.mask | H.C_MASKINTS.mask],
    ]);
    const timeoutMs = opts.timeoutMs ?? core.haltTimeoutMs;
    try {
      await core.waitForHalt(timeoutMs);
      this.mayRun = false;
    } catch {
      const { lockup } = await core.status();
      await mem.write32(DHCSR.address, DBGKEY | H.C_DEBUGEN.mask | H.C_HALT.mask | H.C_MASKINTS.mask);
      await core.waitForHalt();
      this.mayRun = false;
      const pc = await core.readRegister('pc');
      // A fault while a fault handler is active (the core was halted in one) locks up.
      if (lockup) throw new RoutineFault(`the routine at ${hex(this.codeAddress)} faulted and locked up the core (it was halted inside a fault handler?)`);
      throw new RoutineTimeout(`the routine at ${hex(this.codeAddress)} did not finish within ${timeoutMs} ms; halted it at pc ${hex(pc)}`);
    }
    const { words, regs: out } = await readState(this.target, [DFSR.address], ['r0', 'r1', 'r2', 'r3', 'pc']);
    const dfsr = words[0]!;
    const pc = out.get('pc')!;
    const inside = pc >= this.codeAddress && pc <= this.returnAddress;
    if (dfsr & DFSR.fields.VCATCH.mask && !inside) {
      const [cfsr, hfsr] = await mem.readMany32([CFSR.address, HFSR.address]);
      // Clear the status bits this fault set (write-one-to-clear); keep the program's own.
      await mem.writeMany32([
        [CFSR.address, (cfsr & ~this.saved.cfsr) >>> 0],
        [HFSR.address, (hfsr & ~this.saved.hfsr) >>> 0],
      ]);
      throw new RoutineFault(`the routine at ${hex(this.codeAddress)} faulted (CFSR ${hex(cfsr)}, HFSR ${hex(hfsr)}); caught at pc ${hex(pc)}`);
    }
    if (!(dfsr & DFSR.fields.BKPT.mask) || !inside) {
      throw new RoutineError(`the routine at ${hex(this.codeAddress)} stopped at pc ${hex(pc)} (DFSR ${hex(dfsr)}), not on its BKPT: a breakpoint or watchpoint of the debugger's?`);
    }
    return [out.get('r0')!, out.get('r1')!, out.get('r2')!, out.get('r3')!];
  }

  /** Put the work area, the registers and the debug state back. Safe to call twice. */
  async unload(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    const { mem, core } = this.target;
    const s = this.saved;
    // The core may still run if a halt after a timeout failed: stop it before restoring.
    if (this.mayRun && !(await core.isHalted())) await core.halt();
    await mem.writeBlock(align(this.area.start >>> 0, 8), s.ram);
    // Every saved register goes back (the packed CONTROL/FAULTMASK/BASEPRI/PRIMASK as one
    // word, first: it selects the stack), with the debug registers, in one round trip.
    const r = (n: string) => s.regs.get(n)!;
    const special = (r('primask') | (r('basepri') << 8) | (r('faultmask') << 16) | (r('control') << 24)) >>> 0;
    await writeRegisters(
      this.target,
      [['special', special], ...RESTORE_ORDER.map((n) => [n, r(n)] as [string, number])],
      [
        [DEMCR.address, s.demcr],
        [DFSR.address, 0x1f & ~s.dfsr],
        [DHCSR.address, DBGKEY | H.C_DEBUGEN.mask | H.C_HALT.mask | (s.dhcsr & H.C_MASKINTS.mask)],
      ],
    );
  }
}

/**
 * Write core registers in one round trip (DCRDR, DCRSR, then DHCSR to see S_REGRDY, per
 * register); the packed special registers (CONTROL, PRIMASK, ...) go one at a time.
 */
async function writeRegisters(target: Core, pairs: readonly (readonly [string, number])[], then: readonly [number, number][] = []): Promise<void> {
  const ops: { addr: number; value?: number }[] = [];
  const names: string[] = [];
  for (const [name, value] of pairs) {
    // 'special': REGSEL 20 as a whole word (CONTROL, FAULTMASK, BASEPRI, PRIMASK).
    const r = name === 'special' ? { name, regsel: 20, byte: undefined } : coreRegister(name);
    if (r.byte !== undefined) {
      await target.core.writeRegister(name, value);
      continue;
    }
    ops.push({ addr: DCRDR.address, value: value >>> 0 }, { addr: DCRSR.address, value: r.regsel | DCRSR.fields.REGWnR.mask }, { addr: DHCSR.address });
    names.push(r.name);
  }
  for (const [addr, value] of then) ops.push({ addr, value: value >>> 0 });
  if (!ops.length) return;
  const vals = await target.mem.transact(ops);
  names.forEach((name, i) => {
    if (!(vals[i]! & H.S_REGRDY.mask)) throw new RoutineError(`writing ${name} did not complete (DHCSR.S_REGRDY stayed 0); is the core halted?`);
  });
}

/**
 * Words at `addrs` and core registers in one round trip (DCRSR, DHCSR, DCRDR per
 * register); the first DHCSR read also tells whether the core is halted.
 */
async function readState(target: Core, addrs: readonly number[], names: readonly string[]): Promise<{ words: number[]; regs: Map<string, number> }> {
  const regs = names.map((n) => coreRegister(n));
  const sels = [...new Set(regs.map((r) => r.regsel))];
  const ops: { addr: number; value?: number }[] = addrs.map((addr) => ({ addr }));
  for (const sel of sels) ops.push({ addr: DCRSR.address, value: sel }, { addr: DHCSR.address }, { addr: DCRDR.address });
  const vals = await target.mem.transact(ops);
  const words = vals.slice(0, addrs.length);
  if (sels.length && !(vals[addrs.length]! & H.S_HALT.mask)) throw new RoutineError('cannot run a routine on the target: the core is running; halt it first');
  const bySel = new Map<number, number>();
  let slow = false;
  sels.forEach((sel, i) => {
    if (!(vals[addrs.length + 2 * i]! & H.S_REGRDY.mask)) slow = true;
    bySel.set(sel, vals[addrs.length + 2 * i + 1]!);
  });
  // A register not ready in time: read them all the careful way.
  if (slow) return { words, regs: await target.core.readRegisters(names) };
  const out = new Map<string, number>();
  for (const r of regs) {
    const v = bySel.get(r.regsel)!;
    out.set(r.name, r.byte === undefined ? v >>> 0 : (v >>> (8 * r.byte)) & 0xff);
  }
  return { words, regs: out };
}

/** Load `spec` into `area`, call it once with `args`, restore everything; r0-r3 at its BKPT. */
export async function runRoutine(target: Core, area: WorkArea, spec: RoutineSpec, args: readonly number[] | ((r: LoadedRoutine) => readonly number[]), opts: { timeoutMs?: number } = {}): Promise<number[]> {
  const r = await LoadedRoutine.load(target, area, spec);
  try {
    return await r.call(typeof args === 'function' ? args(r) : args, opts);
  } finally {
    await r.unload();
  }
}
