// An in-memory DebugTarget for the server's unit tests: a toy "core" whose every
// instruction is 2 bytes long and, as a side effect, increments the word at COUNTER
// (a write) and reads the word at INPUT. That is enough to exercise breakpoints,
// watchpoints, stepping, faults, exit, console output and interrupts without a CPU.

import { armMRegisters } from '../../src/gdb/arm-m-registers.js';
import { MemoryFault, TargetError, type BreakKind, type DebugTarget, type FlashProgrammer, type HaltReason, type MemoryRegion, type MonitorHooks, type WatchKind } from '../../src/gdb/target.js';

export const FLASH_BASE = 0x08000000;
export const FLASH_SIZE = 0x10000;
export const RAM_BASE = 0x20000000;
export const RAM_SIZE = 0x10000;
export const COUNTER = 0x20000100; // written by every instruction
export const INPUT = 0x20000104; // read by every instruction
export const FAULT_PC = 0x08000f00; // executing here faults
export const EXIT_PC = 0x08000f80; // executing here exits with status r0
export const PRINT_PC = 0x08000e00; // executing here prints "hello\n"
export const LOOP_END = 0x08001000; // pc wraps back to FLASH_BASE here

interface Watch {
  kind: WatchKind;
  addr: number;
  len: number;
}

export class FakeTarget implements DebugTarget {
  readonly description = 'fake Cortex-M for tests';
  readonly registers;
  readonly flash?: FlashProgrammer;
  readonly monitor: MonitorHooks;
  readonly flashBytes = new Uint8Array(FLASH_SIZE).fill(0xff);
  readonly ram = new Uint8Array(RAM_SIZE);
  regs: Uint8Array;
  running = false;
  stepsPerPoll = 64;
  haltReason: HaltReason = { kind: 'interrupt' };
  readonly breakpoints = new Map<number, BreakKind>();
  readonly watches: Watch[] = [];
  maxHwBreakpoints = 6;
  resets = 0;
  /** Makes poll() fail as a probe that lost the target would. */
  wireLost = false;
  /** Makes every memory read slow (a slow wire), for the keepalive test. */
  readDelayMs = 0;
  flashDoneCalls = 0;
  vectorCatch = new Set<string>();
  log: string[] = [];
  private console: ((text: string) => void) | null = null;

  constructor(opts: { fpu?: boolean; flash?: boolean } = {}) {
    this.registers = armMRegisters({ fpu: opts.fpu ?? false });
    this.regs = new Uint8Array(this.registers.reduce((n, r) => n + r.bitsize / 8, 0));
    this.pc = FLASH_BASE;
    this.setReg(13, RAM_BASE + RAM_SIZE);
    if (opts.flash !== false) {
      this.flash = {
        erase: async (address, length) => {
          this.log.push(`erase ${address.toString(16)},${length.toString(16)}`);
          for (let a = address; a < address + length; a++) this.flashBytes[a - FLASH_BASE] = 0xff;
        },
        write: async (address, data) => {
          this.log.push(`write ${address.toString(16)},${data.length.toString(16)}`);
          // Flash can only clear bits: writing over unerased data shows up as corruption.
          for (let i = 0; i < data.length; i++) this.flashBytes[address - FLASH_BASE + i]! &= data[i]!;
        },
        done: async () => {
          this.flashDoneCalls++;
        },
        eraseMass: async () => {
          this.flashBytes.fill(0xff);
        },
      };
    }
    this.monitor = {
      vectorCatch: async (enable, names) => {
        for (const n of names) enable ? this.vectorCatch.add(n) : this.vectorCatch.delete(n);
        return [...this.vectorCatch];
      },
      command: async (cmd) => (cmd === 'fake_hello' ? 'hello from the fake target\n' : null),
    };
  }

  memoryMap(): readonly MemoryRegion[] {
    return [
      { type: 'flash', start: FLASH_BASE, length: FLASH_SIZE, blockSize: 0x400 },
      { type: 'ram', start: RAM_BASE, length: RAM_SIZE },
    ];
  }

  // ---- the toy core ----

  private offsetOf(regnum: number): { off: number; size: number } {
    let off = 0;
    for (const r of this.registers) {
      if (r.regnum === regnum) return { off, size: r.bitsize / 8 };
      off += r.bitsize / 8;
    }
    throw new TargetError(`no register ${regnum}`);
  }

  reg(regnum: number): number {
    const { off } = this.offsetOf(regnum);
    return new DataView(this.regs.buffer).getUint32(off, true);
  }

  setReg(regnum: number, v: number): void {
    const { off } = this.offsetOf(regnum);
    new DataView(this.regs.buffer).setUint32(off, v >>> 0, true);
  }

  get pc(): number {
    return this.reg(15);
  }

  set pc(v: number) {
    this.setReg(15, v);
  }

  /** One instruction. Returns a halt reason or null to go on. */
  private execOne(first: boolean): HaltReason | null {
    const pc = this.pc;
    const bp = this.breakpoints.get(pc);
    if (bp && !first) return { kind: 'breakpoint', type: bp, address: pc };
    if (pc === FAULT_PC) return { kind: 'fault', name: 'HardFault (FORCED, PRECISERR)' };
    if (pc === EXIT_PC) return { kind: 'exit', status: this.reg(0) };
    if (pc === PRINT_PC) this.console?.('hello\n');
    // Side effects: read INPUT, then increment COUNTER.
    const input = this.word(INPUT);
    const count = this.word(COUNTER);
    this.setWord(COUNTER, count + 1 + input * 0);
    this.pc = pc + 2 >= LOOP_END ? FLASH_BASE : pc + 2;
    for (const w of this.watches) {
      const hitsWrite = COUNTER >= w.addr && COUNTER < w.addr + w.len && w.kind !== 'read';
      const hitsRead = INPUT >= w.addr && INPUT < w.addr + w.len && w.kind !== 'write';
      if (hitsWrite) return { kind: 'watchpoint', address: COUNTER, access: w.kind };
      if (hitsRead) return { kind: 'watchpoint', address: INPUT, access: w.kind };
    }
    return null;
  }

  word(addr: number): number {
    return new DataView(this.ram.buffer).getUint32(addr - RAM_BASE, true);
  }

  setWord(addr: number, v: number): void {
    new DataView(this.ram.buffer).setUint32(addr - RAM_BASE, v >>> 0, true);
  }

  // ---- DebugTarget ----

  async halt(): Promise<void> {
    if (this.running) {
      this.running = false;
      this.haltReason = { kind: 'interrupt' };
    }
  }

  async resume(): Promise<void> {
    this.running = true;
    // Step off a breakpoint at the current pc, as a real core does after gdb's step-over.
    const r = this.execOne(true);
    if (r) {
      this.running = false;
      this.haltReason = r;
    }
  }

  async step(): Promise<HaltReason> {
    const r = this.execOne(true);
    this.haltReason = r ?? { kind: 'step' };
    return this.haltReason;
  }

  async poll(): Promise<HaltReason | null> {
    if (this.wireLost) throw new Error('SWD wire: no ACK (target powered off?)');
    if (!this.running) return this.haltReason;
    for (let i = 0; i < this.stepsPerPoll; i++) {
      const r = this.execOne(false);
      if (r) {
        this.running = false;
        this.haltReason = r;
        return r;
      }
    }
    return null;
  }

  async reset(halt: boolean): Promise<void> {
    this.resets++;
    this.regs.fill(0);
    this.pc = FLASH_BASE;
    this.setReg(13, RAM_BASE + RAM_SIZE);
    this.running = !halt;
    this.haltReason = { kind: 'step' };
  }

  private assertHalted(): void {
    if (this.running) throw new TargetError('target running');
  }

  async readRegisters(): Promise<Uint8Array> {
    this.assertHalted();
    return this.regs.slice();
  }

  async writeRegisters(data: Uint8Array): Promise<void> {
    this.assertHalted();
    this.regs.set(data);
  }

  async readRegister(regnum: number): Promise<Uint8Array> {
    const { off, size } = this.offsetOf(regnum);
    return this.regs.slice(off, off + size);
  }

  async writeRegister(regnum: number, value: Uint8Array): Promise<void> {
    const { off, size } = this.offsetOf(regnum);
    if (value.length !== size) throw new TargetError('bad size');
    this.regs.set(value, off);
  }

  private region(address: number, length: number, write: boolean): { mem: Uint8Array; off: number } {
    for (const [base, mem] of [
      [FLASH_BASE, this.flashBytes],
      [RAM_BASE, this.ram],
    ] as const) {
      if (address >= base && address < base + mem.length) {
        if (address + length > base + mem.length) throw new MemoryFault(base + mem.length, write);
        return { mem, off: address - base };
      }
    }
    throw new MemoryFault(address, write);
  }

  async readMemory(address: number, length: number): Promise<Uint8Array> {
    if (this.readDelayMs) await new Promise((r) => setTimeout(r, this.readDelayMs));
    if (length === 0) return new Uint8Array(0);
    const { mem, off } = this.region(address, length, false);
    return mem.slice(off, off + length);
  }

  async writeMemory(address: number, data: Uint8Array): Promise<void> {
    if (data.length === 0) return;
    const { mem, off } = this.region(address, data.length, true);
    if (mem === this.flashBytes) throw new MemoryFault(address, true, 'flash is written with vFlashWrite');
    mem.set(data, off);
  }

  async addBreakpoint(kind: BreakKind, address: number): Promise<void> {
    if (this.breakpoints.size >= this.maxHwBreakpoints && !this.breakpoints.has(address)) throw new TargetError('no free breakpoint comparator');
    this.breakpoints.set(address, kind);
  }

  async removeBreakpoint(_kind: BreakKind, address: number): Promise<void> {
    this.breakpoints.delete(address);
  }

  async addWatchpoint(kind: WatchKind, address: number, length: number): Promise<void> {
    if (this.watches.length >= 4) throw new TargetError('no free watchpoint comparator');
    this.watches.push({ kind, addr: address, len: length });
  }

  async removeWatchpoint(kind: WatchKind, address: number, length: number): Promise<void> {
    const i = this.watches.findIndex((w) => w.kind === kind && w.addr === address && w.len === length);
    if (i >= 0) this.watches.splice(i, 1);
  }

  setConsoleListener(listener: ((text: string) => void) | null): void {
    this.console = listener;
  }
}
