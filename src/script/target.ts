// The scripting face's Target: a typed, promise-based API over src/cortexm, for scripts,
// the REPL, the MicroPython bridge and people who write their own tools. It reaches the
// target only through a ProbeSession's arbitrated wire, like the gdb server does.
//
// Every operation goes through one serial queue, so `t.mem32[a] = v` (a property set,
// which cannot be awaited) is still written before the next `await t.read32(a)`; an error
// from such a write shows up on the next operation (or `await t.flush()`).
import { readFileSync } from 'node:fs';
import { ProbeSession } from '../probe/session.js';
import { openTarget } from '../probe/open-target.js';
import { connectCortexM, type Connection } from '../cortexm/connect.js';
import { BASE_REGISTER_NAMES, coreRegister } from '../cortexm/registers.js';
import type { HaltReason } from '../cortexm/halt-reason.js';
import type { WatchKind } from '../cortexm/watchpoints.js';
import { parseElf, ElfError, type ElfImage } from '../image/elf.js';
import { readImage, parseImage, ImageError, type Image, type ImageSegment } from '../image/image.js';
import { detectTarget } from '../targets/registry.js';
import type { TargetInfo as DetectedTarget } from '../targets/target-info.js';
import { FlashError, type FlashDriver, type FlashProgress } from '../targets/flash.js';
import { programImage } from '../targets/flash-loader.js';
import { loadImage } from '../targets/load-image.js';
import { hex32 } from '../arch/register.js';
import { MemView, type MemWidth } from './mem-view.js';
import { startSwoTrace, type SwoTrace } from '../cortexm/swo-stream.js';
import { SwoSetupError } from '../cortexm/swo.js';
import { findRtt, ramSearchRanges, RttError, takeFromRing, type RttChannel, type RttSearch, type TargetRing } from '../cortexm/rtt.js';
import { PollLoop } from '../util/poll-loop.js';
import type { SwoMode } from '../wire/debug-wire.js';

/** How long a run of back-to-back calls may keep the event loop from other work. */
const YIELD_EVERY_MS = 5;

export class ScriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScriptError';
  }
}

export interface TargetInfo {
  /** 'sim:mps2-an385' */
  target: string;
  board: string;
  dpidr: number;
  cpuid: number;
  core: string;
  revision: string;
  breakpoints: number;
  watchpoints: number;
}

export interface MemoryRegion {
  name: string;
  start: number;
  length: number;
  type: 'ram' | 'flash' | 'rom' | 'peripheral' | 'system';
  blockSize?: number;
}

export interface FlashImageOptions {
  /** Read the flash back and compare. */
  verify?: boolean;
  /** Mass-erase first instead of erasing the sectors the image touches. */
  eraseAll?: boolean;
  /** Where a raw .bin goes (default: the start of flash). */
  addr?: number;
  progress?: FlashProgress;
}

export interface FlashImageResult {
  erasedBytes: number;
  programmedBytes: number;
  verifiedBytes: number;
}

export interface OpenOptions {
  /** Write this ELF through the debug port and stop at its reset vector. */
  load?: string;
  /** Who uses the wire (arbitration, busy messages). */
  owner?: string;
  /** A CMSIS-DAP probe instead of a simulated target (`--probe`), and its SWD clock. */
  probe?: string;
  frequency?: string;
}

function checkAddress(addr: unknown, what = 'address'): number {
  if (typeof addr !== 'number' || !Number.isInteger(addr) || addr < -0x80000000 || addr > 0xffffffff) {
    throw new ScriptError(`${what} ${String(addr)} is not a 32-bit integer (use a number such as 0x20000000)`);
  }
  return addr >>> 0;
}

function checkValue(v: unknown, bits: 8 | 16 | 32): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ScriptError(`value ${String(v)} is not an integer`);
  if (v < -(2 ** (bits - 1)) || v >= 2 ** bits) throw new ScriptError(`value ${v} does not fit in ${bits} bits`);
  return bits === 32 ? v >>> 0 : v & ((1 << bits) - 1);
}

export class Target {
  private busy = false;
  private readonly waiting: (() => void)[] = [];
  private pendingError: unknown = null;
  private closed = false;
  private interrupted = false;
  private lastYield = performance.now();
  /** `await t.mem32[0x20000000]`, `t.mem32[0x20000000] = 5`: word access by index. */
  readonly mem32: MemView;
  readonly mem16: MemView;
  readonly mem8: MemView;
  /** The ELF written by open({load}) or load(), for symbol lookups. */
  image: ElfImage | undefined;

  private constructor(
    readonly session: ProbeSession,
    readonly conn: Connection,
    private readonly ownsSession: boolean,
  ) {
    const view = (w: MemWidth) =>
      new MemView(
        w,
        (a) => this.readN(w, a),
        (a, v) => {
          // Property sets cannot be awaited: queue the write, report a failure on the next call.
          this.run(async () => {
            try {
              await this.writeRaw(w, a, v);
            } catch (e) {
              this.pendingError = e;
            }
          }).catch(() => undefined);
        },
      );
    this.mem32 = view(4);
    this.mem16 = view(2);
    this.mem8 = view(1);
  }

  /** Open a target by name ('sim:mps2-an385') in its own session. */
  static async open(spec?: string, opts: OpenOptions = {}): Promise<Target> {
    const session = await openTarget({ target: spec, probe: opts.probe, frequency: opts.frequency }, { machine: { inputOpen: () => true } });
    try {
      const t = await Target.attach(session, { ...opts, ownsSession: true });
      return t;
    } catch (e) {
      await session.close();
      throw e;
    }
  }

  /** Use a target through a session someone else opened (serve, gdb, tests). */
  static async attach(session: ProbeSession, opts: OpenOptions & { ownsSession?: boolean } = {}): Promise<Target> {
    const board = session.simBoard;
    const describeAddress = (addr: number) => {
      if (!board) return `on the target behind ${session.description}`;
      const e = board.memoryMap.find((m) => addr >= m.base && addr - m.base < m.size);
      return e ? `it is in ${e.name} on ${board.name}` : `no memory is mapped there on ${board.name}`;
    };
    const conn = await connectCortexM(session.wireFor(opts.owner ?? 'script'), { describeAddress });
    const t = new Target(session, conn, !!opts.ownsSession);
    if (opts.load) await t.load(opts.load);
    return t;
  }

  /**
   * Remember where each call came from, so that an error from a script's `await
   * target.read32(...)` names the script's line (async stack traces stop at the wire).
   * Costs a stack capture per call (bench/script-reads.ts: about a third of the speed), so it is off by default: async stack traces already name the line of a directly awaited call.
   */
  callSites = false;

  /** Run one operation after all earlier ones (the wire is one conversation). */
  private run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.callSites) {
      const site = captureSite();
      return this.runQueued(fn).catch((e: unknown) => {
        const frames = site.stack?.split('\n').slice(1).filter((l) => !/[\\/]src[\\/]script[\\/](target|mem-view)\.[jt]s/.test(l));
        if (e instanceof Error && frames?.length) e.stack = `${e.name}: ${e.message}\n${frames.join('\n')}`;
        throw e;
      });
    }
    return this.runQueued(fn);
  }

  // An async function awaiting each step, so that V8's async stack traces lead from a
  // failing wire operation back to the script line that awaited it.
  private async runQueued<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new ScriptError('the target is detached; open it again with Target.open()');
    if (this.interrupted) throw new ScriptError('interrupted (Ctrl-C)');
    const turn = this.acquire();
    if (turn) await turn;
    try {
      if (this.closed) throw new ScriptError('the target is detached; open it again with Target.open()');
      // Over the simulated wire a call completes in microtasks alone: a script looping on
      // reads would starve the event loop (signals, sockets, the simulated core). Yield
      // to it every few milliseconds.
      const now = performance.now();
      if (now - this.lastYield > YIELD_EVERY_MS) {
        await new Promise((r) => setImmediate(r));
        this.lastYield = performance.now();
      }
      if (this.interrupted) throw new ScriptError('interrupted (Ctrl-C)');
      if (this.pendingError !== null) {
        const e = this.pendingError;
        this.pendingError = null;
        throw e;
      }
      return await fn();
    } finally {
      this.release();
    }
  }

  // The queue: a flag and the callers waiting their turn. An idle Target (the usual case
  // for a script's back-to-back reads) takes its turn without a promise or a microtask.
  private acquire(): Promise<void> | undefined {
    if (!this.busy) {
      this.busy = true;
      return undefined;
    }
    return new Promise<void>((r) => this.waiting.push(r));
  }
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy = false;
  }

  /**
   * Ctrl-C: every later call rejects with 'interrupted' (the operation in progress
   * completes, so the target is not left half-way), until resumeCalls().
   */
  interrupt(): void {
    this.interrupted = true;
  }
  resumeCalls(): void {
    this.interrupted = false;
  }

  /** Wait for queued writes (from `mem32[a] = v`) and report their errors. */
  flush(): Promise<void> {
    return this.run(async () => undefined);
  }

  get core() {
    return this.conn.core;
  }

  // ---- info ----

  info(): TargetInfo {
    const core = this.conn.core;
    return {
      target: this.session.description,
      board: this.session.simBoard?.name ?? this.session.description,
      dpidr: this.conn.dap.dpidr >>> 0,
      cpuid: core.cpuid >>> 0,
      core: core.coreName,
      revision: core.revision,
      breakpoints: core.breakpoints.numCode,
      watchpoints: core.watchpoints.numComp,
    };
  }

  /** The board's memory as regions (the MPS2 boards have RAM only; STM32H7 boards flash too). */
  memoryMap(): MemoryRegion[] {
    const out: MemoryRegion[] = [];
    for (const m of this.session.simBoard?.memoryMap ?? []) {
      if (m.kind === 'unimplemented' || m.kind === 'mirror' || m.kind === 'bitband') continue;
      out.push({ name: m.name, start: m.base >>> 0, length: m.size >>> 0, type: m.kind, ...(m.blockSize ? { blockSize: m.blockSize } : {}) });
    }
    return out;
  }

  // ---- run control ----

  halt(): Promise<void> {
    return this.run(async () => {
      if (!(await this.core.isHalted())) await this.core.halt();
    });
  }
  resume(): Promise<void> {
    return this.run(() => this.core.resume());
  }
  /** One instruction; halts first if running. Returns the new pc. */
  step(): Promise<number> {
    return this.run(async () => {
      if (!(await this.core.isHalted())) await this.core.halt();
      await this.core.step();
      return (await this.core.readRegister('pc')) >>> 0;
    });
  }
  reset(opts: { halt?: boolean } = {}): Promise<void> {
    return this.run(async () => {
      await this.core.reset({ halt: !!opts.halt });
      if (opts.halt) await this.core.haltReason();
    });
  }
  isHalted(): Promise<boolean> {
    return this.run(() => this.core.isHalted());
  }
  /** Resolves once halted; rejects after `timeoutMs` naming where the core was. */
  waitForHalt(timeoutMs = 2000): Promise<void> {
    return this.run(() => this.core.waitForHalt(timeoutMs));
  }
  /** Why the core halted (null while running); clears the sticky reason unless `clear` is false. */
  haltReason(clear = true): Promise<HaltReason | null> {
    return this.run(async () => ((await this.core.isHalted()) ? this.core.haltReason(clear) : null));
  }

  private async requireHalted(what: string): Promise<void> {
    if (!(await this.core.isHalted())) throw new ScriptError(`${what}: the target is not halted; call halt() first`);
  }

  // ---- registers ----

  /** A core register by name ('r0', 'sp', 'pc', 'xpsr', 'msp', 'control', ...). The core must be halted. */
  reg(name: string): Promise<number> {
    return this.run(async () => {
      coreRegisterChecked(name);
      await this.requireHalted(`read register ${name}`);
      return (await this.core.readRegister(name)) >>> 0;
    });
  }
  setReg(name: string, value: number): Promise<void> {
    return this.run(async () => {
      coreRegisterChecked(name);
      const v = checkValue(value, 32);
      await this.requireHalted(`write register ${name}`);
      await this.core.writeRegister(name, v);
    });
  }
  /** Several registers at once (default: r0-r12, sp, lr, pc, xpsr, msp, psp, primask, basepri, faultmask, control). */
  regs(names: readonly string[] = BASE_REGISTER_NAMES): Promise<Record<string, number>> {
    return this.run(async () => {
      for (const n of names) coreRegisterChecked(n);
      await this.requireHalted('read registers');
      const m = await this.core.readRegisters(names);
      const out: Record<string, number> = {};
      for (const n of names) out[n] = m.get(n)! >>> 0;
      return out;
    });
  }

  // ---- memory ----

  private readN(w: MemWidth, addr: number): Promise<number> {
    // Not an async closure: runQueued awaits the MEM-AP's promise itself (one async frame
    // less per read; its results are unsigned already).
    return this.run(() => {
      const a = checkAddress(addr);
      checkAligned(a, w);
      const m = this.conn.mem;
      return w === 4 ? m.read32(a) : w === 2 ? m.read16(a) : m.read8(a);
    });
  }
  private async writeRaw(w: MemWidth, addr: number, value: number): Promise<void> {
    const a = checkAddress(addr);
    checkAligned(a, w);
    const v = checkValue(value, (w * 8) as 8 | 16 | 32);
    const m = this.conn.mem;
    if (w === 4) await m.write32(a, v);
    else if (w === 2) await m.write16(a, v);
    else await m.write8(a, v);
  }
  read32(addr: number): Promise<number> {
    return this.readN(4, addr);
  }
  read16(addr: number): Promise<number> {
    return this.readN(2, addr);
  }
  read8(addr: number): Promise<number> {
    return this.readN(1, addr);
  }
  write32(addr: number, value: number): Promise<void> {
    return this.run(() => this.writeRaw(4, addr, value));
  }
  write16(addr: number, value: number): Promise<void> {
    return this.run(() => this.writeRaw(2, addr, value));
  }
  write8(addr: number, value: number): Promise<void> {
    return this.run(() => this.writeRaw(1, addr, value));
  }
  readBlock(addr: number, length: number): Promise<Uint8Array> {
    return this.run(async () => {
      const a = checkAddress(addr);
      if (!Number.isInteger(length) || length < 0 || length > 64 * 1024 * 1024) throw new ScriptError(`readBlock length ${length}: use 0 to 64 MiB`);
      return this.conn.mem.readBlock(a, length);
    });
  }
  writeBlock(addr: number, data: Uint8Array | ArrayLike<number>): Promise<void> {
    return this.run(async () => {
      const a = checkAddress(addr);
      const bytes = data instanceof Uint8Array ? data : Uint8Array.from(data);
      await this.conn.mem.writeBlock(a, bytes);
    });
  }
  /** Several words: faster than a loop of read32 (one batch on the wire). */
  readWords(addr: number, count: number): Promise<Uint32Array> {
    return this.run(async () => {
      const a = checkAddress(addr);
      checkAligned(a, 4);
      return this.conn.mem.readWords(a, count);
    });
  }

  // ---- breakpoints and watchpoints ----

  /** A breakpoint at `addr` (FPB comparator when possible, else a BKPT in RAM). */
  addBreakpoint(addr: number, kind: 'auto' | 'hardware' | 'software' = 'auto'): Promise<'hardware' | 'software'> {
    return this.run(() => this.core.breakpoints.add(checkAddress(addr) & ~1, kind));
  }
  removeBreakpoint(addr: number): Promise<boolean> {
    return this.run(() => this.core.breakpoints.remove(checkAddress(addr) & ~1));
  }
  /** A DWT data watchpoint on `size` bytes (a power of two, aligned). */
  addWatchpoint(addr: number, size: number, kind: WatchKind = 'write'): Promise<void> {
    return this.run(async () => {
      await this.core.watchpoints.add(checkAddress(addr), size, kind);
    });
  }
  removeWatchpoint(addr: number, size?: number, kind?: WatchKind): Promise<boolean> {
    return this.run(() => this.core.watchpoints.remove(checkAddress(addr), size, kind));
  }

  // ---- images and flash ----

  /** Load an ELF as gdb's `load` does (flash through the chip's driver, RAM through the debug port) and stop at its reset vector. */
  load(file: string): Promise<ElfImage> {
    return this.run(async () => {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(readFileSync(file));
      } catch (e) {
        throw new ScriptError(`cannot read ${file}: ${(e as Error).message}`);
      }
      const image = parseElf(bytes, file);
      try {
        await loadImage(this.conn, parseImage(bytes, file, { format: 'elf' }).segments);
      } catch (e) {
        if (e instanceof FlashError || e instanceof ImageError) throw new ScriptError(`load ${file}: ${e.message}`);
        throw e;
      }
      this.image = image;
      return image;
    });
  }

  /** A symbol's address from the loaded ELF. */
  symbol(name: string): number {
    const v = this.image?.symbol(name);
    if (v === undefined) throw new ScriptError(this.image ? `no symbol '${name}' in ${this.image.file}` : `no ELF loaded: open the target with {load: 'fw.elf'} or call load() to look up '${name}'`);
    return v >>> 0;
  }

  private detected: Promise<DetectedTarget> | undefined;

  /** The chip behind the connection (detected once, on first use): name, memory map, flash driver. */
  detect(): Promise<DetectedTarget> {
    return this.run(() => this.detectNow());
  }
  private detectNow(): Promise<DetectedTarget> {
    this.detected ??= detectTarget(this.conn).catch((e) => {
      this.detected = undefined;
      throw e;
    });
    return this.detected;
  }

  private async flashDriver(op: string): Promise<FlashDriver> {
    const info = await this.detectNow();
    if (info.flash) {
      // As OpenOCD and Black Magic Probe require: no firmware running from (or writing to)
      // flash while it changes. A locked-up core (erased flash) is halted too.
      if (!(await this.core.isHalted())) await this.core.halt();
      return info.flash;
    }
    const hasFlash = this.memoryMap().some((m) => m.type === 'flash') || info.memoryMap.some((m) => m.type === 'flash');
    throw new ScriptError(
      hasFlash
        ? `${op}: tsprobe has no flash driver for ${info.description} on ${this.session.description}; write RAM with writeBlock`
        : `${op}: no flash on this target (${info.description} on ${this.session.description}); write RAM with writeBlock`,
    );
  }

  private static flashCall<T>(op: string, fn: () => Promise<T>): Promise<T> {
    return fn().catch((e: unknown) => {
      if (e instanceof FlashError) throw new ScriptError(`${op}: ${e.message}`);
      throw e;
    });
  }

  /** Erase every flash sector that overlaps [addr, addr+length). Halts the core first. */
  flashErase(addr: number, length: number): Promise<void> {
    return this.run(async () => {
      const a = checkAddress(addr);
      if (!Number.isInteger(length) || length <= 0 || a + length > 0x100000000) throw new ScriptError(`flash erase length ${length}: use a positive byte count within the address space`);
      const op = `flash erase of ${length} bytes at ${hex32(a)}`;
      const flash = await this.flashDriver(op);
      await Target.flashCall(op, () => flash.erase(a, length));
    });
  }
  /** Program erased flash at `addr` (any length; the driver pads to whole flash words). */
  flashProgram(addr: number, data: Uint8Array | ArrayLike<number>): Promise<void> {
    return this.run(async () => {
      const a = checkAddress(addr);
      const bytes = data instanceof Uint8Array ? data : Uint8Array.from(data);
      const op = `flash program of ${bytes.length} bytes at ${hex32(a)}`;
      const flash = await this.flashDriver(op);
      await Target.flashCall(op, () => flash.program(a, bytes));
    });
  }
  /** Leave the flash controller locked, as found; call after the last flashProgram. */
  flashDone(): Promise<void> {
    return this.run(async () => {
      const info = await this.detectNow();
      await info.flash?.done();
    });
  }
  /**
   * Program an image (an ELF, Intel HEX or .bin file, or segments) into flash: halts the
   * core through a reset, erases the sectors it touches (or all flash), programs, and
   * with `verify` reads it back. The core is left halted.
   */
  flashImage(image: string | Image | readonly ImageSegment[], opts: FlashImageOptions = {}): Promise<FlashImageResult> {
    return this.run(async () => {
      const op = `flash ${typeof image === 'string' ? image : 'image'}`;
      const flash = await this.flashDriver(op);
      let segments: readonly ImageSegment[];
      if (typeof image === 'string') {
        try {
          const flashStart = Math.min(...flash.regions.map((r) => r.start));
          segments = readImage(image, { addr: opts.addr, defaultAddr: flashStart }).segments;
        } catch (e) {
          if (e instanceof ImageError || e instanceof ElfError) throw new ScriptError(e.message);
          throw e;
        }
      } else segments = Array.isArray(image) ? (image as readonly ImageSegment[]) : (image as Image).segments;
      await this.core.reset({ halt: true });
      await this.core.haltReason();
      try {
        return await Target.flashCall(op, () =>
          programImage(this.conn.mem, flash, segments.map((s) => ({ address: s.address, data: s.data })), { verify: !!opts.verify, eraseAll: !!opts.eraseAll, progress: opts.progress }),
        );
      } finally {
        await flash.done().catch(() => undefined);
      }
    });
  }
  /** Compare memory with `data`; returns the first differing address, or null when equal. Works on any memory. */
  verify(addr: number, data: Uint8Array): Promise<number | null> {
    return this.run(async () => {
      const a = checkAddress(addr);
      const got = await this.conn.mem.readBlock(a, data.length);
      for (let i = 0; i < data.length; i++) if (got[i] !== data[i]) return (a + i) >>> 0;
      return null;
    });
  }

  // ---- end ----

  // ---- SWO trace ----

  private swoTrace: SwoTrace | null = null;

  /**
   * SWO trace: capture the probe's SWO input and hand each ITM stimulus port write to
   * `onStimulus` (default: port 0's bytes to stdout as text, other ports as
   * `itm[N] 0x...` lines). With a known trace clock (a simulated board's, or
   * `traceClockHz`) TPIU and ITM are set up for `ports`; otherwise the firmware has done
   * it. Polls in the background until stopSwo() or detach(); one trace at a time.
   */
  async traceSwo(opts: SwoScriptOptions = {}): Promise<{ probeBaud: number; tpiu?: { prescaler: number; baud: number } }> {
    const swo = this.conn.dap.wire.swo;
    if (!swo) throw new ScriptError(`${this.session.description} has no SWO input`);
    await this.stopSwo();
    const ports = (opts.ports ?? [0]).reduce((m, p) => {
      if (!Number.isInteger(p) || p < 0 || p > 31) throw new ScriptError(`stimulus port ${p}: ports are 0 to 31`);
      return m | (1 << p);
    }, 0) >>> 0;
    const out = opts.onStimulus ?? defaultStimulusOutput();
    const traceClockHz = opts.traceClockHz ?? this.session.simBoard?.clock.hz;
    // A chip that drives SWO from its own SWO unit (STM32H7) says where it is.
    const route = traceClockHz !== undefined ? (await this.detect()).swo : undefined;
    const trace = await this.run(async () => {
      try {
        const tpiu = route ? await route.prepare(this.conn) : undefined;
        return await startSwoTrace(swo, this.conn.mem, { mode: opts.mode, baud: opts.baud, traceClockHz, ports, tpiu }, {
          stimulus: (port, bytes) => out(port, Uint8Array.from(bytes)),
        });
      } catch (e) {
        if (e instanceof SwoSetupError) throw new ScriptError(e.message);
        throw e;
      }
    });
    this.swoTrace = trace;
    void trace.stream.run(50).catch(() => undefined);
    return { probeBaud: trace.probeBaud, tpiu: trace.tpiu };
  }

  /** Stop an SWO trace started by traceSwo() (nothing when none runs). */
  async stopSwo(): Promise<void> {
    const t = this.swoTrace;
    this.swoTrace = null;
    if (t) await t.stop();
  }

  // ---- RTT ----

  /**
   * The firmware's RTT control block: at `search.address`, at the loaded ELF's
   * `_SEGGER_RTT`, or found by scanning `search.ranges` (default: the chip's RAM, else the
   * first 64 KiB of SRAM). Waits up to `timeoutMs` for the firmware to set it up (the core
   * must be running). Then `rtt.read(ch)` takes an up channel's bytes and
   * `rtt.write(ch, bytes)` feeds a down channel.
   */
  async rtt(search: RttSearch = {}, timeoutMs = 2000): Promise<ScriptRtt> {
    let s = search;
    if (s.address === undefined && !s.ranges) {
      const sym = this.image?.symbol('_SEGGER_RTT');
      if (sym !== undefined) s = { ...s, address: sym >>> 0 };
      else s = { ...s, ranges: ramSearchRanges((await this.detect()).memoryMap) };
    }
    const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
      try {
        return await fn();
      } catch (e) {
        if (e instanceof RttError) throw new ScriptError(e.message);
        throw e;
      }
    };
    const rtt = await guard(() => findRtt(this.conn.mem, s, timeoutMs));
    // Reads and writes take their turn in this Target's queue, like every other access.
    return {
      address: rtt.address,
      up: rtt.up,
      down: rtt.down,
      describe: () => rtt.describe(),
      read: (channel = 0) => this.run(() => guard(() => rtt.read(channel))),
      write: (channel, data) => this.run(() => guard(() => rtt.write(channel, typeof data === 'string' ? new TextEncoder().encode(data) : Uint8Array.from(data)))),
    };
  }

  private ringLoop: PollLoop | null = null;

  /**
   * Log a ring buffer the firmware fills (the old probe's bmp.tracebuf): every `intervalMs`
   * what lies between the read and the write offset goes to `onData` (default: stdout)
   * and the read offset moves on. One ring at a time; stopRing() or detach() ends it.
   */
  async traceRing(ring: TargetRing, onData: (bytes: Uint8Array) => void = (b) => process.stdout.write(b), intervalMs = 20): Promise<void> {
    await this.stopRing();
    for (const [k, v] of Object.entries(ring)) checkAddress(v as number, k);
    if (ring.size < 2) throw new ScriptError(`ring of ${ring.size} bytes: too small`);
    const loop = new PollLoop(() =>
      this.run(async () => {
        try {
          const d = await takeFromRing(this.conn.mem, ring, 'ring buffer');
          if (d.length) onData(d);
          return false;
        } catch (e) {
          if (e instanceof RttError) throw new ScriptError(e.message);
          throw e;
        }
      }),
    );
    this.ringLoop = loop;
    void loop.run(intervalMs).catch((e: unknown) => {
      if (this.ringLoop === loop) this.ringLoop = null;
      process.stderr.write(`tsprobe: ring buffer log stopped: ${e instanceof Error ? e.message : String(e)}\n`);
    });
  }

  /** Stop traceRing(); what the ring held by then has been handed out. */
  async stopRing(): Promise<void> {
    const l = this.ringLoop;
    this.ringLoop = null;
    await l?.stop();
  }

  /** Release the wire; closes the session when this Target opened it. */
  async detach(): Promise<void> {
    if (this.closed) return;
    await this.stopSwo();
    await this.stopRing();
    await this.acquire();
    this.closed = true;
    this.release();
    await this.conn.dap.wire.close();
    if (this.ownsSession) await this.session.close();
  }
}

/** An RTT control block as scripts use it (see Target.rtt). */
export interface ScriptRtt {
  readonly address: number;
  readonly up: readonly RttChannel[];
  readonly down: readonly RttChannel[];
  describe(): string;
  /** What up channel `channel` holds (target -> host). */
  read(channel?: number): Promise<Uint8Array>;
  /** Put as much as fits into down channel `channel`; returns the bytes that went. */
  write(channel: number, data: Uint8Array | ArrayLike<number> | string): Promise<number>;
}

export interface SwoScriptOptions {
  mode?: SwoMode;
  /** Default: the fastest rate up to 2 Mbaud that the trace clock makes. */
  baud?: number;
  /** TRACECLKIN; known for simulated boards. Without it TPIU and ITM are left as the target set them. */
  traceClockHz?: number;
  /** Stimulus ports to enable (default [0]). */
  ports?: number[];
  /** Each stimulus port write's bytes. */
  onStimulus?(port: number, bytes: Uint8Array): void;
}

/** Port 0 as text on stdout, other ports as one line per write. */
function defaultStimulusOutput(): (port: number, bytes: Uint8Array) => void {
  return (port, bytes) => {
    if (port === 0) process.stdout.write(bytes);
    else process.stdout.write(`itm[${port}] 0x${[...bytes].reverse().map((b) => b.toString(16).padStart(2, '0')).join('')}\n`);
  };
}

/** Where a call came from; formatted only if the call fails (formatting is the costly part). */
function captureSite(): { stack?: string } {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 8;
  Error.captureStackTrace(holder, captureSite);
  Error.stackTraceLimit = limit;
  return holder;
}

function checkAligned(a: number, w: MemWidth): void {
  if (a % w !== 0) throw new ScriptError(`${w * 8}-bit access at ${hex32(a)}: the address must be a multiple of ${w}`);
}

function coreRegisterChecked(name: string): void {
  try {
    coreRegister(name);
  } catch (e) {
    throw new ScriptError((e as Error).message);
  }
}
