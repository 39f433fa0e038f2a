// The gdb server's DebugTarget on top of src/cortexm: everything goes through the
// Cortex-M debug registers over a DebugWire, so the same code serves the simulator
// and, later, real hardware through a CMSIS-DAP probe.
//
// What the adapter adds to CortexM: gdb's register numbering, watch ranges that fit the
// DWT's power-of-two comparators, breakpoint bookkeeping per gdb kind (Z0 vs Z1),
// software-breakpoint shadowing on reads, fault names on vector catch, and probe-side
// semihosting (the core halts on BKPT 0xAB; we serve the call and let it run on).

import { parseNumber } from './monitor.js';
import { ramSearchRanges, Rtt, RttError, RttPoller, type RttSearch } from '../cortexm/rtt.js';
import { startSwoTrace, type SwoTrace } from '../cortexm/swo-stream.js';
import { disableSwoTrace, SwoSetupError } from '../cortexm/swo.js';
import { MemoryAccessError } from '../adi/mem-ap.js';
import { DBGKEY, DEMCR, DHCSR } from '../arch/scs-debug.js';
import type { Connection } from '../cortexm/connect.js';
import { BreakpointError } from '../cortexm/breakpoints.js';
import { CortexMError } from '../cortexm/cortex-m.js';
import { WatchpointError } from '../cortexm/watchpoints.js';
import { CRC32_ROUTINE_AREA, crc32OnTarget } from '../cortexm/crc32-routine.js';
import { RoutineError, type WorkArea } from '../cortexm/run-routine.js';
import { CRC32_INIT, crc32Update } from './crc32.js';
import { armMRegisters, type ArmMRegister } from './arm-m-registers.js';
import { HostSemihosting, SEMIHOSTING_BKPT } from './semihosting.js';
import { FlashError, type FlashDriver } from '../targets/flash.js';
import { FlashLoader } from '../targets/flash-loader.js';
import { gdbMemoryMap, rangeInside } from '../targets/memory-map.js';
import { detectTarget } from '../targets/registry.js';
import type { SwoRoute, TargetInfo } from '../targets/target-info.js';
import { MemoryFault, TargetError, type BreakKind, type DebugTarget, type FlashProgrammer, type HaltReason, type MemoryRegion, type MonitorHooks, type WatchKind } from './target.js';

const MVFR0 = 0xe000ef40; // reads non-zero when the core has an FPU
const CCR = 0xe000ed14; // DC (bit 16) and IC (bit 17): Cortex-M7 caches enabled
const CCR_DC = 1 << 16;
const CCR_IC = 1 << 17;
const CFSR = 0xe000ed28;
const HFSR = 0xe000ed2c;
const MMFAR = 0xe000ed34;
const BFAR = 0xe000ed38;

/** `monitor vector_catch` names (BMP's) -> CortexM's VECTOR_CATCH names. */
const VECTOR_CATCH_NAMES: Record<string, string> = {
  hard: 'hard_err',
  int: 'int_err',
  bus: 'bus_err',
  stat: 'state_err',
  chk: 'chk_err',
  nocp: 'nocp_err',
  mm: 'mm_err',
  reset: 'reset',
};

export interface CortexMTargetOptions {
  /** Where the core is, e.g. 'sim:mps2-an385'. */
  readonly where: string;
  /** Regions to give gdb (flash regions need `flash`); empty: gdb may access anything. */
  readonly memoryMap?: readonly MemoryRegion[];
  /** The flash driver behind vFlash* and `monitor erase_mass`/`erase_range`. */
  readonly flash?: FlashDriver;
  /** Chip name for the description ('STM32H743 rev V'); default: the core alone. */
  readonly chip?: string;
  /** Flash progress lines (for the server's log). */
  readonly log?: (line: string) => void;
  /** Serve semihosting calls (BKPT 0xAB) in the probe. Default true. */
  readonly semihosting?: boolean;
  /** Vector catches enabled on connect (BMP catches HardFault by default). */
  readonly vectorCatch?: readonly string[];
  /** Text for SYS_GET_CMDLINE. */
  readonly cmdline?: string;
  /**
   * The chip's own regions (detection's memory map, not gdb's): RAM for the work area of
   * routines run on the target, and the ranges the CRC routine may read.
   */
  readonly chipMemory?: readonly MemoryRegion[];
  /** Where qCRC is computed (`monitor qcrc` changes it): see crc32(); default 'auto'. */
  readonly crcOnTarget?: CrcMode;
  /** The TPIU's clock (TRACECLKIN), when known (a simulated board's): `monitor traceswo` then sets up TPIU and ITM itself. */
  readonly traceClockHz?: number;
  /** The chip's own SWO unit, when the core's TPIU does not drive the pin (detection's). */
  readonly swoRoute?: SwoRoute;
}

/** qCRC: 'target' = the CRC routine on the target's CPU when it can run, 'reads' = bulk reads, 'auto' = the faster. */
export type CrcMode = 'auto' | 'target' | 'reads';
/** Below this, 'auto' answers a qCRC from bulk reads: the routine's fixed cost (~15 round trips) cannot win. */
export const CRC_ON_TARGET_MIN = 4096;
/** 'auto' times this many bytes read and this many CRCed by the routine (plus an empty run) once. */
const CRC_SAMPLE = 16 * 1024;


interface GdbWatch {
  kind: WatchKind;
  addr: number;
  len: number;
  /** The comparator range covering [addr, addr+len). */
  base: number;
  size: number;
}

/** The smallest naturally aligned power-of-two range covering [addr, addr+len). */
export function coveringRange(addr: number, len: number): { base: number; size: number } {
  let size = 1;
  while (size < len) size *= 2;
  for (; size <= 0x8000; size *= 2) {
    const base = addr - (addr % size);
    if (base + size >= addr + len) return { base: base >>> 0, size };
  }
  throw new TargetError(`cannot watch ${len} bytes at 0x${addr.toString(16)}: the DWT covers at most 32 KiB aligned ranges`);
}

/**
 * Normal memory in the ARMv7-M default address map (Code, SRAM, external RAM): reading
 * it has no side effects and, while the core is halted, nothing else changes it, so
 * reads may be cached until the core runs again. Peripherals and the PPB are never cached.
 */
function isNormalMemory(addr: number, len: number): boolean {
  const end = addr + len;
  return end <= 0x40000000 || (addr >= 0x60000000 && end <= 0xa0000000);
}

const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
const align8 = (n: number) => Math.ceil(n / 8) * 8;

const LINE = 64;
/** How often `monitor traceswo` polls the probe's SWO buffer. */
const SWO_POLL_MS = 50;
/** How often `monitor rtt` reads the up channel while the target runs. */
const RTT_POLL_MS = 20;
/** Reads up to this size go through the cache (gdb's many small frame-unwinding reads). */
const CACHED_READ_MAX = 256;

export class CortexMTarget implements DebugTarget {
  readonly description: string;
  readonly registers: readonly ArmMRegister[];
  readonly monitor: MonitorHooks;
  readonly flash?: FlashProgrammer;
  private readonly regNames: string[];
  private readonly breaks = new Map<number, BreakKind>();
  private readonly watches: GdbWatch[] = [];
  private readonly semihosting: HostSemihosting | null;
  private console: ((text: string) => void) | null = null;
  /** A stop found while we were not asked (semihosting exit seen during a step, ...). */
  private pendingStop: HaltReason | null = null;

  private constructor(
    private readonly conn: Connection,
    private readonly opts: CortexMTargetOptions,
    fpu: boolean,
  ) {
    const core = conn.core;
    this.description = `${opts.chip ? `${opts.chip} (${core.coreName} ${core.revision})` : `${core.coreName} ${core.revision}`} on ${opts.where}`;
    if (opts.flash) this.flash = this.flashProgrammer(opts.flash);
    this.registers = armMRegisters({ fpu });
    this.regNames = [];
    for (const r of this.registers) {
      const s = r.source;
      if (s.kind === 'double') this.regNames.push(`s${2 * s.index}`, `s${2 * s.index + 1}`);
      else this.regNames.push(r.name);
    }
    this.semihosting = opts.semihosting === false ? null : new HostSemihosting((t) => this.console?.(t), opts.cmdline);
    this.monitor = {
      scan: async () => [`${this.description}, DPIDR 0x${(conn.dap.dpidr >>> 0).toString(16).padStart(8, '0')}`],
      targets: async () => [this.description],
      vectorCatch: async (enable, names) => {
        const now = new Set(await core.getVectorCatch());
        for (const n of names) {
          const mapped = VECTOR_CATCH_NAMES[n];
          if (mapped) enable ? now.add(mapped) : now.delete(mapped);
        }
        await core.setVectorCatch([...now]);
        const back = Object.entries(VECTOR_CATCH_NAMES);
        return (await core.getVectorCatch()).map((c) => back.find(([, v]) => v === c)?.[0] ?? c);
      },
      haltTimeout: async (ms) => {
        if (ms !== undefined) core.haltTimeoutMs = Math.max(1, ms);
        return core.haltTimeoutMs;
      },
      connectReset: async (enable) => {
        if (enable !== undefined) this.connectUnderReset = enable;
        return this.connectUnderReset;
      },
      frequency: async (hz) => {
        if (hz !== undefined) await conn.dap.wire.setClock(hz);
        this.frequencyHz = hz ?? this.frequencyHz;
        return this.frequencyHz;
      },
      command: async (cmd, args) => {
        const c = cmd.toLowerCase();
        if (c === 'traceswo' || c === 'swo') return this.traceswoCommand(args);
        if (c === 'rtt') return this.rttCommand(args);
        return c === 'work_area' ? this.workAreaCommand(args) : c === 'qcrc' ? this.qcrcCommand(args) : null;
      },
      help: () => [
        'rtt [ADDR] | disable | status -- show RTT up channel 0 on the gdb console while the target runs (control block at ADDR, else found in RAM)',
        'traceswo [BAUD] [PORT...] [traceclk=HZ] | disable -- capture SWO and show the ITM stimulus ports (default: the fastest rate up to 2 Mbaud the trace clock makes, port 0) on the gdb console; with a known trace clock tsprobe sets up TPIU and ITM',
        'work_area [ADDR SIZE|auto|off] -- RAM for routines run on the target (qCRC); auto: the end of the largest RAM region',
        'qcrc [auto|target|reads] -- where compare-sections CRCs are computed: the faster (measured once), the target CPU, bulk reads',
      ],
    };
  }

  private frequencyHz = 1_000_000;
  /** `monitor connect_rst`: attach and reset hold nRST while the core is caught. */
  private connectUnderReset = false;
  /**
   * While halted, gdb re-reads the same few words many times per stop (unwinding, Thumb-2
   * checks) and retries addresses that fault: remember both until the core runs again.
   */
  private cacheOn = false;
  private readonly lines = new Map<number, Uint8Array>();
  private readonly faults = new Map<string, MemoryFault>();

  private halted(): void {
    this.lines.clear();
    this.faults.clear();
    this.cacheOn = true;
  }

  private running(): void {
    this.lines.clear();
    this.faults.clear();
    this.cacheOn = false;
  }

  /** Connects the adapter: finds out about the FPU, sets the default vector catches. */
  static async create(conn: Connection, opts: CortexMTargetOptions): Promise<CortexMTarget> {
    let fpu = false;
    try {
      fpu = (await conn.mem.read32(MVFR0)) !== 0;
    } catch {
      fpu = false;
    }
    const t = new CortexMTarget(conn, opts, fpu);
    const catches = opts.vectorCatch ?? ['hard_err'];
    if (catches.length) await conn.core.setVectorCatch([...new Set([...(await conn.core.getVectorCatch()), ...catches])]);
    return t;
  }

  memoryMap(): readonly MemoryRegion[] {
    return this.opts.memoryMap ?? [];
  }

  // ---- flash -----------------------------------------------------------------------

  /**
   * gdb's flash packets on the driver: the core is halted first (code running from flash
   * while it is erased would fault), erases happen at once, writes are collected and
   * programmed at vFlashDone; flash changes behind the read cache, so it is dropped.
   */
  private flashProgrammer(driver: FlashDriver): FlashProgrammer {
    let loader: FlashLoader | null = null;
    const begin = async (): Promise<FlashLoader> => {
      if (!loader) {
        if (!(await this.wrap(() => this.conn.core.isHalted()))) await this.halt();
        loader = new FlashLoader(driver);
      }
      return loader;
    };
    const changed = () => {
      this.lines.clear();
      this.faults.clear();
    };
    const flashOp = async <T>(fn: () => Promise<T>): Promise<T> => {
      try {
        return await fn();
      } catch (e) {
        if (e instanceof FlashError) throw new TargetError(e.message);
        throw e;
      } finally {
        changed();
      }
    };
    return {
      erase: (address, length) => flashOp(async () => (await begin()).erase(address, length)),
      write: async (address, data) => (await begin()).write(address, data),
      done: () =>
        flashOp(async () => {
          const l = loader;
          loader = null;
          if (!l) return driver.done();
          await l.done();
          if (l.programmedBytes || l.erasedBytes) this.opts.log?.(`flash: erased ${l.erasedBytes} bytes, programmed ${l.programmedBytes} bytes`);
        }),
      abort: () =>
        flashOp(async () => {
          const l = loader;
          loader = null;
          if (l && l.pending) this.opts.log?.(`flash: dropped ${l.pending} bytes not yet programmed`);
          await (l ? l.abort() : driver.done());
        }),
      eraseMass: () =>
        flashOp(async () => {
          if (!(await this.wrap(() => this.conn.core.isHalted()))) await this.halt();
          try {
            await driver.eraseMass();
          } finally {
            await driver.done();
          }
        }),
    };
  }

  setConsoleListener(listener: ((text: string) => void) | null): void {
    this.console = listener;
    if (!listener) {
      // the gdb connection is gone
      void this.stopSwo();
      void this.stopRtt();
    }
  }

  // ---- RTT (`monitor rtt`) -------------------------------------------------------------

  private rttPoller: RttPoller | null = null;
  private rttPolledAt = 0;

  private async stopRtt(): Promise<void> {
    this.rttPoller = null;
  }

  /**
   * Read RTT in the gdb session's own run-state polling (every RTT_POLL_MS while the
   * target runs; no timer of its own to stop); `force` at a stop, so all output the
   * firmware wrote before it reaches gdb first.
   */
  private async pollRtt(force: boolean): Promise<void> {
    const p = this.rttPoller;
    if (!p || (!force && performance.now() - this.rttPolledAt < RTT_POLL_MS)) return;
    this.rttPolledAt = performance.now();
    try {
      await p.poll();
    } catch (e) {
      if (this.rttPoller === p) this.rttPoller = null;
      this.console?.(`[RTT stopped: ${e instanceof Error ? e.message : String(e)}]\n`);
    }
  }

  /**
   * `monitor rtt [ADDR] | disable | status`: find the RTT control block (at ADDR, else by
   * scanning the chip's RAM, or the first 64 KiB of SRAM when the chip is unknown) and
   * send up channel 0 to the gdb console while the target runs, as Black Magic Probe's
   * `monitor rtt` does to its serial port; a stop first takes what is there.
   */
  private async rttCommand(args: string[]): Promise<string> {
    const what = args[0] ?? 'enable';
    if (what === 'disable' || what === 'off') {
      const was = this.rttPoller !== null;
      await this.stopRtt();
      return was ? 'RTT disabled\n' : 'RTT was not enabled\n';
    }
    if (what === 'status') return this.rttPoller ? `RTT enabled: ${this.rttPoller.rtt.describe()}, ${this.rttPoller.counts.up} bytes so far\n` : 'RTT disabled\n';
    const addrText = what === 'enable' ? args[1] : what;
    let search: RttSearch;
    if (addrText !== undefined) {
      const a = parseNumber(addrText);
      if (a === null) return 'usage: monitor rtt [ADDR] | disable | status\n';
      search = { address: a };
    } else {
      search = { ranges: ramSearchRanges(this.opts.chipMemory ?? []) };
    }
    await this.stopRtt();
    let rtt;
    try {
      rtt = await this.wrap(() => Rtt.find(this.conn.mem, search));
    } catch (e) {
      if (e instanceof RttError) return `${e.message}\n`;
      throw e;
    }
    if (rtt.up.length === 0) return `${rtt.describe()}: no up channel to show\n`;
    this.rttPoller = new RttPoller(rtt, { data: (_ch, bytes) => this.console?.(Buffer.from(bytes).toString('latin1')) });
    return `RTT enabled: ${rtt.describe()}; up channel 0 to the gdb console while the target runs\n`;
  }

  // ---- SWO trace (`monitor traceswo`) --------------------------------------------------

  private swoTrace: SwoTrace | null = null;

  /** Stop the capture (the ITM stays as it is: `disable` turns it off). */
  private async stopSwo(): Promise<void> {
    const trace = this.swoTrace;
    if (!trace) return;
    this.swoTrace = null;
    await trace.stream.stop();
    await this.conn.dap.wire.swo?.stop().catch(() => undefined);
  }

  /**
   * `monitor traceswo [BAUD] [PORT...] [traceclk=HZ]`: capture SWO (NRZ) and send what the
   * listed stimulus ports carry to the gdb console (as Black Magic Probe's traceswo with
   * decoding). With a known trace clock, TPIU and ITM are set up here; otherwise the
   * firmware (or the user) sets them up, as with BMP. `monitor traceswo disable` stops.
   */
  private async traceswoCommand(args: string[]): Promise<string> {
    const swo = this.conn.dap.wire.swo;
    if (!swo) return `${this.conn.dap.wire.description} has no SWO input\n`;
    if (args[0] === 'disable' || args[0] === 'off') {
      const trace = this.swoTrace;
      await this.stopSwo();
      if (trace?.tpiu) await this.wrap(() => disableSwoTrace(this.conn.mem));
      return trace ? 'SWO trace disabled\n' : 'SWO trace was not enabled\n';
    }
    let traceClockHz = this.opts.traceClockHz;
    const numbers: number[] = [];
    for (const a of args) {
      if (a === 'enable' || a === 'decode') continue;
      const clk = /^traceclk=(\d+)$/.exec(a);
      if (clk) traceClockHz = Number(clk[1]);
      else if (/^\d+$/.test(a)) numbers.push(Number(a));
      else return 'usage: monitor traceswo [BAUD] [PORT...] [traceclk=HZ] | disable\n';
    }
    const baud = numbers.shift(); // the rest are ports
    if (numbers.some((n) => n > 31)) return 'stimulus ports are 0 to 31\n';
    const ports = numbers.length ? numbers.reduce((m, n) => m | (1 << n), 0) >>> 0 : 1;
    await this.stopSwo();
    let trace;
    try {
      const route = traceClockHz !== undefined ? this.opts.swoRoute : undefined;
      const tpiu = route ? await this.wrap(() => route.prepare(this.conn)) : undefined;
      trace = await this.wrap(() =>
        startSwoTrace(swo, this.conn.mem, { mode: 'uart', baud, traceClockHz, ports, tpiu }, {
          stimulus: (port, bytes) => this.console?.(Buffer.from(bytes).toString('latin1')),
          packet: (p) => {
            if (p.kind === 'overflow') this.console?.('[SWO: ITM overflow, trace lost]\n');
          },
          trouble: (what) => this.console?.(what === 'overrun' ? '[SWO: probe buffer overrun]\n' : '[SWO: line errors: baud rate or mode?]\n'),
        }),
      );
    } catch (e) {
      if (e instanceof SwoSetupError) return `${e.message}\n`;
      throw e;
    }
    const how = trace.tpiu
      ? `TPIU prescaler ${trace.tpiu.prescaler} from ${traceClockHz} Hz, ITM ports 0x${ports.toString(16)} enabled`
      : 'TPIU and ITM left as the target set them (give traceclk=HZ to have tsprobe set them up)';
    this.swoTrace = trace;
    void trace.stream.run(SWO_POLL_MS).catch((e: unknown) => {
      if (this.swoTrace === trace) this.swoTrace = null;
      this.console?.(`[SWO capture stopped: ${e instanceof Error ? e.message : String(e)}]\n`);
    });
    return `SWO trace enabled: ${trace.probeBaud} baud NRZ, ports 0x${ports.toString(16)} to the gdb console while the target runs; ${how}\n`;
  }

  // ---- run control -----------------------------------------------------------------

  async halt(): Promise<void> {
    await this.wrap(() => this.conn.core.halt());
    this.halted();
  }

  async resume(): Promise<void> {
    this.pendingStop = null;
    this.running();
    await this.wrap(() => this.conn.core.resume());
  }

  async step(): Promise<HaltReason> {
    const core = this.conn.core;
    this.running();
    await this.wrap(() => core.step());
    this.halted();
    const reason = await this.reason();
    if (reason === 'semihosting') {
      // The step landed on (or executed) BKPT 0xAB: serve it; that completes the step.
      const outcome = await this.serveSemihosting();
      if (outcome) return outcome;
      return { kind: 'step' };
    }
    return reason;
  }

  async poll(): Promise<HaltReason | null> {
    if (this.pendingStop) return this.pendingStop;
    const core = this.conn.core;
    const s = await this.wrap(() => core.status());
    if (!s.halted) {
      this.running();
      await this.pollRtt(false);
      if (s.lockup) {
        // A locked-up core never halts by itself; debug state is the way out.
        await this.wrap(() => core.halt());
        this.halted();
        return { kind: 'fault', name: `Lockup: ${await this.faultName()}` };
      }
      return null;
    }
    this.halted();
    const reason = await this.reason();
    // Trace and RTT output written up to the stop reach the gdb console before the stop does.
    if (this.swoTrace) await this.swoTrace.stream.poll().catch(() => undefined);
    await this.pollRtt(true);
    if (reason !== 'semihosting') return reason;
    const outcome = await this.serveSemihosting();
    if (outcome) return outcome;
    this.running();
    await this.wrap(() => core.resume());
    return null;
  }

  /** Why the (halted) core stopped, in gdb's terms; 'semihosting' for BKPT 0xAB. */
  private async reason(): Promise<HaltReason | 'semihosting'> {
    const core = this.conn.core;
    const r = await this.wrap(() => core.haltReason());
    switch (r.kind) {
      case 'breakpoint': {
        const pc = await this.wrap(() => core.readRegister('pc'));
        const ours = this.breaks.get(pc);
        if (ours) return { kind: 'breakpoint', type: ours, address: pc };
        if (this.semihosting && (await this.read16(pc)) === SEMIHOSTING_BKPT) return 'semihosting';
        // A BKPT compiled into the program.
        return { kind: 'breakpoint', type: 'sw', address: pc };
      }
      case 'watchpoint': {
        const w = r.watch ? this.watches.find((g) => g.base === r.watch!.address && g.kind === r.watch!.access) : undefined;
        if (w) return { kind: 'watchpoint', address: w.addr, access: w.kind };
        if (r.watch && r.watch.access !== 'pc') return { kind: 'watchpoint', address: r.watch.address, access: r.watch.access };
        return { kind: 'interrupt' };
      }
      case 'vector-catch':
        return { kind: 'fault', name: await this.faultName() };
      case 'step':
        return { kind: 'step' };
      default:
        return { kind: 'interrupt' };
    }
  }

  /** Serves one semihosting call; returns the stop to report (exit), or null to go on. */
  private async serveSemihosting(): Promise<HaltReason | null> {
    const core = this.conn.core;
    const regs = await this.wrap(() => core.readRegisters(['r0', 'r1', 'pc']));
    const outcome = await this.semihosting!.call(regs.get('r0')!, regs.get('r1')!, {
      readMemory: (a, n) => this.readMemory(a, n),
      writeMemory: (a, d) => this.writeMemory(a, d),
    });
    if (outcome.kind === 'exit') {
      this.pendingStop = { kind: 'exit', status: outcome.status };
      return this.pendingStop;
    }
    await this.wrap(() => core.writeRegister('r0', outcome.r0));
    await this.wrap(() => core.writeRegister('pc', (regs.get('pc')! + 2) >>> 0));
    return null;
  }

  /** "HardFault (FORCED; PRECISERR at 0x60000000)" from HFSR/CFSR/BFAR/MMFAR and IPSR. */
  private async faultName(): Promise<string> {
    try {
      const [cfsr, hfsr, mmfar, bfar] = await this.conn.mem.readMany32([CFSR, HFSR, MMFAR, BFAR]);
      const xpsr = await this.conn.core.readRegister('xpsr');
      const exc = xpsr & 0x1ff;
      const names = ['Thread', 'Reset', 'NMI', 'HardFault', 'MemManage', 'BusFault', 'UsageFault'];
      const bits: string[] = [];
      if (hfsr & (1 << 30)) bits.push('FORCED');
      if (hfsr & (1 << 1)) bits.push('VECTTBL');
      const cfsrBits: [number, string][] = [
        [0, 'IACCVIOL'], [1, 'DACCVIOL'], [3, 'MUNSTKERR'], [4, 'MSTKERR'], [5, 'MLSPERR'],
        [8, 'IBUSERR'], [9, 'PRECISERR'], [10, 'IMPRECISERR'], [11, 'UNSTKERR'], [12, 'STKERR'], [13, 'LSPERR'],
        [16, 'UNDEFINSTR'], [17, 'INVSTATE'], [18, 'INVPC'], [19, 'NOCP'], [24, 'UNALIGNED'], [25, 'DIVBYZERO'],
      ];
      for (const [bit, name] of cfsrBits) {
        if (!(cfsr & (1 << bit))) continue;
        if (bit === 9 && cfsr & (1 << 15)) bits.push(`PRECISERR at 0x${(bfar >>> 0).toString(16)}`);
        else if (bit === 1 && cfsr & (1 << 7)) bits.push(`DACCVIOL at 0x${(mmfar >>> 0).toString(16)}`);
        else bits.push(name);
      }
      const where = exc < names.length ? names[exc] : `exception ${exc}`;
      return `${where}${bits.length ? ` (${bits.join(', ')})` : ''}`;
    } catch {
      return 'fault';
    }
  }

  async attach(): Promise<void> {
    if (!this.connectUnderReset) return this.halt();
    this.pendingStop = null;
    this.running();
    await this.wrap(() => this.resetThroughPin(true));
    this.halted();
  }

  async reset(halt: boolean): Promise<void> {
    this.pendingStop = null;
    this.running();
    if (this.connectUnderReset) {
      await this.wrap(() => this.resetThroughPin(halt));
      if (halt) this.halted();
      return;
    }
    await this.wrap(() => this.conn.core.reset({ halt }));
    if (halt) {
      await this.wrap(() => this.conn.core.haltReason());
      this.halted();
    }
  }

  /**
   * Black Magic Probe's connect_rst: hold nRST while the debug port is connected again and
   * the core is told to stop at its reset vector, then release it. Firmware that turns
   * the SWD pins into GPIOs or sleeps with debug off early never gets to run first: while
   * nRST is held the pins are SWD again. Without `halt` the core runs from the release.
   */
  private async resetThroughPin(halt: boolean): Promise<void> {
    const { dap, mem, core } = this.conn;
    const catchAtVector = DEMCR.fields.VC_CORERESET.mask;
    let demcr: number | undefined;
    const arm = async () => {
      const now = await mem.read32(DEMCR.address);
      demcr ??= now; // the user's catches, restored once the core is caught
      await mem.write32(DEMCR.address, now | catchAtVector);
      await mem.write32(DHCSR.address, DBGKEY | DHCSR.fields.C_DEBUGEN.mask | DHCSR.fields.C_HALT.mask);
    };
    if (halt) {
      // Arm the catch before asserting when the core still answers: a chip that resets
      // on the assertion edge (the simulator does) stops at the vector too.
      await arm().catch(() => {});
    }
    await dap.wire.setReset(true);
    try {
      await dap.connect();
      await dap.powerUp();
      if (halt) await arm();
      // Without halt, clear C_HALT so the core runs from the release.
      else await mem.write32(DHCSR.address, DBGKEY | DHCSR.fields.C_DEBUGEN.mask);
    } finally {
      await dap.wire.setReset(false);
    }
    if (!halt) return;
    await core.halt(); // waits for the halt at the vector; also forgets step/mask state
    await core.haltReason();
    if (demcr !== undefined) await mem.write32(DEMCR.address, demcr);
  }

  async detach(): Promise<void> {
    for (const [addr] of this.breaks) await this.wrap(() => this.conn.core.breakpoints.remove(addr));
    this.breaks.clear();
  }

  // ---- registers -------------------------------------------------------------------

  async readRegisters(): Promise<Uint8Array> {
    const values = await this.wrap(() => this.conn.core.readRegisters(this.regNames));
    const out = new Uint8Array(this.registers.reduce((n, r) => n + r.bitsize / 8, 0));
    const view = new DataView(out.buffer);
    let off = 0;
    for (const r of this.registers) {
      const s = r.source;
      if (s.kind === 'double') {
        view.setUint32(off, values.get(`s${2 * s.index}`)!, true);
        view.setUint32(off + 4, values.get(`s${2 * s.index + 1}`)!, true);
      } else if (r.bitsize === 8) view.setUint8(off, values.get(r.name)! & 0xff);
      else view.setUint32(off, values.get(r.name)!, true);
      off += r.bitsize / 8;
    }
    return out;
  }

  async writeRegisters(data: Uint8Array): Promise<void> {
    let off = 0;
    for (const r of this.registers) {
      const size = r.bitsize / 8;
      await this.writeRegister(r.regnum, data.subarray(off, off + size));
      off += size;
    }
  }

  private reg(regnum: number): ArmMRegister {
    const r = this.registers.find((x) => x.regnum === regnum);
    if (!r) throw new TargetError(`no register number ${regnum}`);
    return r;
  }

  async readRegister(regnum: number): Promise<Uint8Array> {
    const r = this.reg(regnum);
    const core = this.conn.core;
    const out = new Uint8Array(r.bitsize / 8);
    const view = new DataView(out.buffer);
    if (r.source.kind === 'double') {
      const i = r.source.index;
      const v = await this.wrap(() => core.readRegisters([`s${2 * i}`, `s${2 * i + 1}`]));
      view.setUint32(0, v.get(`s${2 * i}`)!, true);
      view.setUint32(4, v.get(`s${2 * i + 1}`)!, true);
    } else {
      const v = await this.wrap(() => core.readRegister(r.name));
      if (r.bitsize === 8) view.setUint8(0, v & 0xff);
      else view.setUint32(0, v, true);
    }
    return out;
  }

  async writeRegister(regnum: number, value: Uint8Array): Promise<void> {
    const r = this.reg(regnum);
    if (value.length !== r.bitsize / 8) throw new TargetError(`${r.name} takes ${r.bitsize / 8} bytes`);
    const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
    const core = this.conn.core;
    if (r.source.kind === 'double') {
      const i = r.source.index;
      await this.wrap(() => core.writeRegister(`s${2 * i}`, view.getUint32(0, true)));
      await this.wrap(() => core.writeRegister(`s${2 * i + 1}`, view.getUint32(4, true)));
    } else {
      await this.wrap(() => core.writeRegister(r.name, r.bitsize === 8 ? view.getUint8(0) : view.getUint32(0, true)));
    }
  }

  // ---- memory ----------------------------------------------------------------------

  private async read16(addr: number): Promise<number | undefined> {
    try {
      return await this.conn.mem.read16(addr);
    } catch {
      return undefined;
    }
  }

  async readMemory(address: number, length: number): Promise<Uint8Array> {
    const key = `${address >>> 0},${length}`;
    const fault = this.cacheOn ? this.faults.get(key) : undefined;
    if (fault) throw fault;
    let data: Uint8Array;
    try {
      data = this.cacheOn && length <= CACHED_READ_MAX && isNormalMemory(address, length) ? await this.cachedRead(address, length) : await this.memOp(false, () => this.conn.mem.readBlock(address, length));
    } catch (e) {
      if (e instanceof MemoryFault && this.cacheOn) this.faults.set(key, e);
      throw e;
    }
    // Show the program's instructions, not our BKPTs.
    for (const [addr, orig] of this.conn.core.breakpoints.software) {
      for (let k = 0; k < 2; k++) {
        const i = addr + k - address;
        if (i >= 0 && i < length) data[i] = (orig >> (8 * k)) & 0xff;
      }
    }
    return data;
  }

  /** A small read from whole cache lines; a line that faults is read exactly instead. */
  private async cachedRead(address: number, length: number): Promise<Uint8Array> {
    const first = address - (address % LINE);
    const last = address + length - 1 - ((address + length - 1) % LINE);
    const out = new Uint8Array(length);
    for (let line = first; line <= last; line += LINE) {
      let bytes = this.lines.get(line);
      if (!bytes) {
        try {
          bytes = await this.memOp(false, () => this.conn.mem.readBlock(line, LINE));
        } catch (e) {
          if (!(e instanceof MemoryFault)) throw e;
          return this.memOp(false, () => this.conn.mem.readBlock(address, length)).then((d) => d.slice());
        }
        this.lines.set(line, bytes);
      }
      const from = Math.max(address, line);
      const to = Math.min(address + length, line + LINE);
      out.set(bytes.subarray(from - line, to - line), from - address);
    }
    return out;
  }

  async writeMemory(address: number, data: Uint8Array): Promise<void> {
    this.lines.clear();
    this.faults.clear();
    await this.memOp(true, () => this.conn.mem.writeBlock(address, data));
    // A write over one of our BKPTs changes the instruction it stands for; keep the BKPT.
    const sw = this.conn.core.breakpoints.software;
    for (const [addr, orig] of [...sw]) {
      if (addr + 2 <= address || addr >= address + data.length) continue;
      const bytes = [orig & 0xff, orig >> 8];
      for (let k = 0; k < 2; k++) {
        const i = addr + k - address;
        if (i >= 0 && i < data.length) bytes[k] = data[i]!;
      }
      sw.set(addr, bytes[0]! | (bytes[1]! << 8));
      await this.memOp(true, () => this.conn.mem.write16(addr, 0xbe00));
    }
  }

  private async memOp<T>(write: boolean, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof MemoryAccessError) throw new MemoryFault(e.address, write, e.message);
      throw e;
    }
  }

  // ---- qCRC on the target's CPU ----------------------------------------------------

  /** qCRC answers by where they were computed (tests and benchmarks look). */
  readonly crcStats = { target: 0, host: 0 };
  /** `monitor work_area`: null = from the chip's memory map, 'off' = never run routines. */
  private workAreaSetting: WorkArea | 'off' | null = null;
  private crcModeSet: CrcMode | null = null;
  private get crcMode(): CrcMode {
    return this.crcModeSet ?? this.opts.crcOnTarget ?? 'auto';
  }
  /**
   * 'auto's measurement (the first qCRC of at least 2 * CRC_SAMPLE bytes through a probe):
   * bulk reads in bytes/ms; the routine's fixed cost in ms and its CRC rate in bytes/ms.
   * `failed`: the routine could not run; reads from then on.
   */
  private crcSpeed: { readRate: number; fixedMs: number; cpuRate: number } | { failed: string } | null = null;

  private qcrcCommand(args: string[]): string {
    if (args.length > 1 || (args.length === 1 && !['auto', 'target', 'reads'].includes(args[0]!))) throw new TargetError('usage: qcrc [auto|target|reads]');
    if (args[0]) this.crcModeSet = args[0] as CrcMode;
    const s = this.crcSpeed;
    const measured = !s ? 'not measured yet' : 'failed' in s ? `the routine failed: ${s.failed}` : this.describeSpeed(s);
    return `qcrc: ${this.crcMode} (${measured}); answered on the target ${this.crcStats.target}, from reads ${this.crcStats.host}\n`;
  }

  private describeSpeed(s: { readRate: number; fixedMs: number; cpuRate: number }): string {
    const even = this.breakEven(s);
    return `reads ${(s.readRate / 1000).toFixed(2)} MB/s; routine ${s.fixedMs.toFixed(1)} ms + ${(s.cpuRate / 1000).toFixed(2)} MB/s: ${even === Infinity ? 'reads are faster at any size' : `the routine from ${Math.ceil(even / 1024)} KiB`}`;
  }

  /** The length above which the routine beats reads: fixed + n/cpu < n/read. */
  private breakEven(s: { readRate: number; fixedMs: number; cpuRate: number }): number {
    const gain = 1 / s.readRate - 1 / s.cpuRate; // ms saved per byte
    return gain > 0 ? Math.max(CRC_ON_TARGET_MIN, s.fixedMs / gain) : Infinity;
  }

  private workAreaCommand(args: string[]): string {
    const show = () => {
      const a = this.workAreaSetting;
      if (a === 'off') return 'work area: off (qCRC from memory reads)\n';
      if (a) return `work area: 0x${hex8(a.start)}, ${a.length} bytes\n`;
      const auto = this.autoWorkAreas()[0];
      return auto ? `work area: auto (0x${hex8(auto.start)}, ${auto.length} bytes at the end of ${auto.name})\n` : 'work area: auto (none: no RAM known for this chip; use work_area ADDR SIZE)\n';
    };
    if (args.length === 0) return show();
    if (args.length === 1 && (args[0] === 'off' || args[0] === 'auto')) {
      this.workAreaSetting = args[0] === 'off' ? 'off' : null;
      return show();
    }
    const start = Number(args[0]);
    const length = Number(args[1]);
    if (args.length !== 2 || !Number.isInteger(start) || start < 0 || start > 0xffffffff || !Number.isInteger(length) || length < CRC32_ROUTINE_AREA) {
      throw new TargetError(`usage: work_area ADDR SIZE (SIZE at least ${CRC32_ROUTINE_AREA} bytes) | auto | off`);
    }
    this.workAreaSetting = { start, length, name: 'work_area' };
    return show();
  }

  /**
   * Candidate work areas: the last CRC32_ROUTINE_AREA bytes of each RAM region the core
   * can execute from (the ARMv7-M default map's Code, SRAM and external RAM), largest first.
   */
  private autoWorkAreas(): WorkArea[] {
    const size = align8(CRC32_ROUTINE_AREA);
    return (this.opts.chipMemory ?? [])
      .filter((r) => r.type === 'ram' && r.length >= size && isNormalMemory(r.start, r.length))
      .sort((a, b) => b.length - a.length)
      .map((r) => ({ start: (r.start + r.length - size) >>> 0, length: size, name: r.name ?? `RAM at 0x${hex8(r.start)}` }));
  }

  /**
   * Where a qCRC of [address, address+length) is computed: a work area (the CRC routine
   * runs on the target's CPU) or the reason it is computed here from bulk reads.
   * The rule ('auto'): reads on the in-process simulator (its memory is read without any
   * I/O, far faster than the simulated CPU runs the loop: bench/gdb-crc.ts). Through a
   * probe it depends on the probe and the chip (a real Cortex-M CRCs at bus speed while
   * SWD reads crawl; a simulated chip behind `tsprobe dap` is the other way round), so
   * the first qCRC long enough measures both (crc32()) and each qCRC then takes the path
   * that is faster for its length.
   * Also from reads whenever running the routine would not give the same answer or could
   * not be undone: a software breakpoint in the range, a watchpoint set, caches on, a range
   * outside the chip's known memory (a fault there cannot be undone), or no work area.
   */
  private async crcPlan(address: number, length: number): Promise<WorkArea | string> {
    const mode = this.crcMode;
    if (mode === 'reads' || this.workAreaSetting === 'off') return 'routines are off';
    if (mode === 'auto') {
      if (length < CRC_ON_TARGET_MIN) return `shorter than ${CRC_ON_TARGET_MIN} bytes`;
      if (this.conn.dap.wire.description.startsWith('sim')) return 'the simulator is in this process';
      const s = this.crcSpeed;
      if (s && 'failed' in s) return 'the routine failed before';
      if (!s && length < 2 * CRC_SAMPLE) return 'not measured yet, and too short to measure';
      if (s && length < this.breakEven(s)) return 'reads are faster at this length';
    }
    if (length === 0) return 'empty range';
    const end = address + length;
    if (end > 0x1_0000_0000) return 'the range wraps';
    for (const [bp] of this.conn.core.breakpoints.software) if (bp + 2 > address && bp < end) return 'a software breakpoint is in the range';
    if (this.watches.length) return 'watchpoints are set';
    const known = this.opts.chipMemory ?? [];
    if (!(this.workAreaSetting && known.length === 0) && !rangeInside(known, address, length, ['ram', 'rom', 'flash'])) return 'the range is not in one known memory region';
    const areas = this.workAreaSetting ? [this.workAreaSetting] : this.autoWorkAreas();
    const area = areas.find((a) => a.start + a.length <= address || a.start >= end);
    if (!area) return areas.length ? 'the range overlaps the work area' : 'no RAM known for a work area';
    const [dhcsr, ccr] = await this.conn.mem.readMany32([DHCSR.address, CCR]);
    if (!(dhcsr! & DHCSR.fields.S_HALT.mask)) return 'the core is running';
    // Cortex-M7 caches: the debugger's writes (load) bypass them, so the CPU could CRC stale lines.
    if (ccr! & (CCR_DC | CCR_IC)) return 'the core has its caches on';
    return area;
  }

  /** gdb's compare-sections: on the target's CPU when that is faster (crcPlan), else from reads. */
  async crc32(address: number, length: number): Promise<number> {
    address >>>= 0;
    length >>>= 0;
    const at = `qCRC 0x${hex8(address)}+${length}`;
    const plan = await this.crcPlan(address, length);
    let crc = CRC32_INIT;
    let done = 0;
    if (typeof plan !== 'string') {
      try {
        if (this.crcMode === 'auto' && !this.crcSpeed) {
          // Measure on this range (its CRC goes on from the sample): CRC_SAMPLE bytes read,
          // an empty routine run (the fixed cost), CRC_SAMPLE bytes by the routine.
          const t0 = performance.now();
          crc = crc32Update(crc, await this.readMemory(address, CRC_SAMPLE));
          const t1 = performance.now();
          await this.crcRoutine(plan, address + CRC_SAMPLE, 0, crc);
          const t2 = performance.now();
          crc = await this.crcRoutine(plan, address + CRC_SAMPLE, CRC_SAMPLE, crc);
          const t3 = performance.now();
          done = 2 * CRC_SAMPLE;
          const s = { readRate: CRC_SAMPLE / Math.max(t1 - t0, 1e-3), fixedMs: t2 - t1, cpuRate: CRC_SAMPLE / Math.max(t3 - t2 - (t2 - t1), 1e-3) };
          this.crcSpeed = s;
          this.opts.log?.(`qCRC measured: ${this.describeSpeed(s)}`);
        }
        const rest = length - done;
        if (rest > 0 && (this.crcMode === 'target' || rest >= this.breakEven(this.crcSpeed as { readRate: number; fixedMs: number; cpuRate: number }))) {
          crc = await this.crcRoutine(plan, address + done, rest, crc);
          this.crcStats.target++;
          this.opts.log?.(`${at}: computed on the target (routine in ${plan.name ?? 'RAM'} at 0x${hex8(plan.start)})`);
          return crc;
        }
      } catch (e) {
        if (!(e instanceof RoutineError || e instanceof MemoryAccessError || e instanceof CortexMError)) throw e;
        if (this.crcMode === 'auto') this.crcSpeed = { failed: e.message };
        this.opts.log?.(`${at}: the routine on the target failed (${e.message}); computing it from memory reads`);
        crc = CRC32_INIT;
        done = 0;
      }
    }
    this.crcStats.host++;
    const chunk = 0x4000;
    for (; done < length; done += chunk) crc = crc32Update(crc, await this.readMemory((address + done) >>> 0, Math.min(chunk, length - done)));
    return crc;
  }

  private crcRoutine(area: WorkArea, address: number, length: number, crc: number): Promise<number> {
    // A slow target still finishes: allow ~1 s per 256 KiB beyond the halt timeout.
    return crc32OnTarget(this.conn, area, address, length, crc, { timeoutMs: this.conn.core.haltTimeoutMs + Math.ceil(length / 256) });
  }

  // ---- breakpoints and watchpoints ---------------------------------------------------

  async addBreakpoint(kind: BreakKind, address: number): Promise<void> {
    const addr = (address & ~1) >>> 0;
    const bp = this.conn.core.breakpoints;
    this.lines.clear(); // a software breakpoint rewrites memory behind the cache
    // Z0: the FPB when it can (flash works too), else a BKPT in RAM; Z1: the FPB only.
    await this.wrap(async () => {
      if (kind === 'hw') await bp.addHardware(addr);
      else await bp.add(addr, 'auto');
    });
    this.breaks.set(addr, kind);
  }

  async removeBreakpoint(_kind: BreakKind, address: number): Promise<void> {
    const addr = (address & ~1) >>> 0;
    this.lines.clear();
    await this.wrap(() => this.conn.core.breakpoints.remove(addr));
    this.breaks.delete(addr);
  }

  async addWatchpoint(kind: WatchKind, address: number, length: number): Promise<void> {
    const { base, size } = coveringRange(address >>> 0, Math.max(1, length));
    await this.wrap(() => this.conn.core.watchpoints.add(base, size, kind));
    this.watches.push({ kind, addr: address >>> 0, len: length, base, size });
  }

  async removeWatchpoint(kind: WatchKind, address: number, length: number): Promise<void> {
    const i = this.watches.findIndex((w) => w.kind === kind && w.addr === address >>> 0 && w.len === length);
    if (i < 0) return;
    const w = this.watches[i]!;
    this.watches.splice(i, 1);
    // Two gdb watches may share one comparator range: free it with the last of them.
    if (!this.watches.some((o) => o.base === w.base && o.size === w.size && o.kind === w.kind)) {
      await this.wrap(() => this.conn.core.watchpoints.remove(w.base, w.size, w.kind));
    }
  }

  /** Lower-layer errors the user can act on become TargetErrors with the same text. */
  private async wrap<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof BreakpointError || e instanceof WatchpointError || e instanceof CortexMError) throw new TargetError(e.message);
      throw e;
    }
  }
}

/**
 * The gdb server's target for a connection: the chip is detected (src/targets) so gdb
 * gets its memory map (flash regions + everything else as RAM) and `load` into flash
 * works through the chip's flash driver. `tsprobe gdb` and `tsprobe serve` share this.
 */
export async function createGdbTarget(conn: Connection, opts: CortexMTargetOptions): Promise<{ target: CortexMTarget; info: TargetInfo }> {
  const info = await detectTarget(conn);
  const known = info.family !== 'generic';
  const target = await CortexMTarget.create(conn, {
    ...opts,
    chip: opts.chip ?? (known ? `${info.chip}${info.revision ? ` rev ${info.revision}` : ''}` : undefined),
    memoryMap: opts.memoryMap ?? (info.flash ? gdbMemoryMap(info.memoryMap) : []),
    flash: opts.flash ?? info.flash,
    chipMemory: opts.chipMemory ?? info.memoryMap,
    swoRoute: opts.swoRoute ?? info.swo,
  });
  return { target, info };
}
