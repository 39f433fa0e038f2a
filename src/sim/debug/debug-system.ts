// The debug side of a simulated Cortex-M: an SWJ-DP (SW-DP v1 or v2) with one AHB-AP
// in front of the system bus, the CoreSight ROM table(s), FPB, DWT, ITM, TPIU and the
// halting debug registers of the SCS. A board creates one with `attachDebug(board)`.
import type { Bus, Device } from '../bus.js';
import type { Clock } from '../clock.js';
import { SwDp, DPIDR_VALUES, type SwDpConfig } from './sw-dp.js';
import { SwjPort } from './swj-port.js';
import { MemAp, AHB_AP, type BusMaster, type MemApConfig } from './mem-ap.js';
import { cortexMRomTables, type RomTable } from './rom-table.js';
import { FpbUnit } from './fpb.js';
import { DwtUnit } from './dwt.js';
import { ItmUnit } from './itm.js';
import { TpiuUnit } from './tpiu.js';
import { SwoPin, type SwoPortSettings } from './swo-pin.js';
import { HaltingDebug, type DebugMonitorPort } from './halting-debug.js';
import { executionPriority } from '../cpu/exceptions.js';
import type { Cpu } from '../cpu/cpu.js';
import type { DebugCore } from './debug-core.js';
import type { AccessPortDevice } from './access-port.js';
import { DESIGNER_ARM } from '../../arch/dp.js';

export type CoreName = 'cortex-m3' | 'cortex-m4' | 'cortex-m7';

export interface DebugSystemOptions {
  core: CoreName;
  /** 1: SW-DP v1 (DPIDR 0x2BA01477, as on Cortex-M3/M4 parts); 2: SW-DP v2 with TARGETID, DLPIDR, dormant. */
  dpVersion?: 1 | 2;
  /** TARGETID[27:12] (DPv2); our boards use their number, e.g. 0x385. */
  targetPart?: number;
  /** Overrides for the DP (DPIDR, power-up delay). */
  dp?: Partial<SwDpConfig>;
  /** Overrides for the AHB-AP (e.g. busyPolls for WAIT tests). */
  ap?: Partial<MemApConfig>;
  /** What the nRST pin does: a system reset of the board. */
  systemReset?: () => void;
  /** Where DFSR lives (the core's SCB). */
  dfsr?: { get(): number; set(v: number): void };
  /** The DebugMonitor exception, for monitor-mode debug. */
  monitor?: DebugMonitorPort;
  /** The AHB-AP's index on the DP (0 unless the chip puts it elsewhere). */
  ahbApIndex?: number;
  /** More access ports the chip has (e.g. the STM32H7's D3 AHB-AP and APB-AP), by APSEL. */
  extraAps?: { index: number; ap: AccessPortDevice & { reset?(): void } }[];
  /**
   * Where the SWO pin takes its settings and whether the ITM's packets reach it, when the
   * chip's path is not the core's TPIU: `port` the unit that drives the pin (default the
   * core TPIU at 0xE0040000), `enabled` the gate (default always open; closed, packets
   * are dropped), `reset` called at power-on for the board's trace blocks.
   */
  swo?: { port?: SwoPortSettings; enabled?: () => boolean; reset?(): void };
}

/** The parts of a board the debug system plugs into (see sim/boards/board.ts). */
export interface DebuggableBoard {
  readonly name: string;
  readonly cpu: DebugCore & {
    readonly config: { readonly name: string };
    readonly scs?: { debugRegisters: Device | null };
    readonly scb?: { dfsr: number };
  };
  readonly bus: Bus;
  readonly clock: Clock;
  debugBkptHook: ((imm8: number) => boolean) | null;
  debug: unknown | null;
  reset(): void;
  /** The board's own debug port facts (DPIDR, extra APs), merged under attachDebug's options. */
  readonly debugOptions?: Partial<DebugSystemOptions>;
}

export class DebugSystem {
  readonly dp: SwDp;
  readonly swj: SwjPort;
  readonly ahbAp: MemAp;
  readonly romTables: RomTable[];
  readonly fpb: FpbUnit;
  readonly dwt: DwtUnit;
  readonly itm: ItmUnit;
  readonly tpiu: TpiuUnit;
  /** The SWO trace pin: the ITM's packets leave here at the TPIU's (or the chip's SWO unit's) rate. */
  readonly swo: SwoPin;
  readonly halting: HaltingDebug;
  /** Set while the AHB-AP drives the bus (debug registers accept some writes only from the debugger). */
  readonly master: BusMaster = { fromDebugger: false };
  private nrstAsserted = false;
  /** DFSR when the core has no SCB to keep it. */
  private ownDfsr = 0;

  constructor(
    readonly core: DebugCore,
    readonly bus: Bus,
    readonly clock: Clock,
    readonly options: DebugSystemOptions,
  ) {
    const m7 = options.core === 'cortex-m7';
    const version = options.dpVersion ?? 2;
    const dpidr = version === 2 ? DPIDR_VALUES.SOC400_SWDP_V2 : DPIDR_VALUES.CORTEX_M3_M4_SWDP_V1;
    const targetid = version === 2 ? (((options.targetPart ?? 0) & 0xffff) << 12 | (DESIGNER_ARM << 1) | 1) >>> 0 : undefined;
    this.dp = new SwDp({ dpidr, targetid, dlpidr: version === 2 ? 0x00000001 : undefined, powerUpDelay: 0, ...options.dp });
    this.swj = new SwjPort(this.dp);
    this.ahbAp = new MemAp(bus, { ...(m7 ? AHB_AP.CORTEX_M7 : AHB_AP.CORTEX_M3_M4), ...options.ap }, this.master);
    this.dp.aps[options.ahbApIndex ?? 0] = this.ahbAp;
    for (const { index, ap } of options.extraAps ?? []) this.dp.aps[index] = ap;

    const hooksChanged = () => this.halting?.update();
    this.fpb = m7 ? new FpbUnit(2, 8, 0, hooksChanged) : new FpbUnit(1, 6, 2, hooksChanged, bus);
    this.dwt = new DwtUnit(4, clock, () => (core.halted ? undefined : core.pc), hooksChanged);
    this.itm = new ItmUnit();
    this.tpiu = new TpiuUnit(options.core === 'cortex-m3' ? 0x923 : options.core === 'cortex-m4' ? 0x9a1 : 0x9a9);
    this.swo = new SwoPin(clock, options.swo?.port ?? this.tpiu, () => core.halted, options.swo?.enabled);
    this.itm.sink = this.swo;
    this.romTables = cortexMRomTables(options.core, { itm: true, tpiu: !m7, etm: false });
    this.halting = new HaltingDebug({
      core,
      clock,
      fpb: this.fpb,
      dwt: this.dwt,
      master: this.master,
      peek32: (a) => {
        try {
          return bus.read32(a);
        } catch {
          return undefined;
        }
      },
      traceEnable: (on) => {
        this.dwt.setTraceEnable(on);
        this.itm.trcena = on;
      },
      dfsr: options.dfsr ?? { get: () => this.ownDfsr, set: (v) => (this.ownDfsr = v >>> 0) },
      monitor: options.monitor,
    });
  }

  /** Map the CoreSight components on the bus (the SCS itself belongs to the core). */
  mapComponents(): void {
    const map = (name: string, base: number, dev: Parameters<Bus['mapDevice']>[3]) => {
      if (!this.bus.find(base)) this.bus.mapDevice(name, base, 0x1000, dev);
    };
    map('ITM', 0xe0000000, this.itm);
    map('DWT', 0xe0001000, this.dwt);
    map('FPB', 0xe0002000, this.fpb);
    map('TPIU', 0xe0040000, this.tpiu);
    for (const t of this.romTables) map(t.base === 0xe00ff000 ? 'PPB ROM table' : 'processor ROM table', t.base, t);
  }

  /** Power-on: the DP in JTAG mode and unpowered, all debug logic reset. */
  powerOn(): void {
    this.dp.powerOn();
    this.swj.resync();
    this.ahbAp.reset();
    for (const { ap } of this.options.extraAps ?? []) ap.reset?.();
    this.fpb.reset();
    this.dwt.reset();
    this.itm.reset();
    this.tpiu.reset();
    this.options.swo?.reset?.();
    this.swo.reset();
    this.halting.powerOn();
  }

  /** Called after every reset of the core (system reset, VECTRESET, nRST). */
  coreReset(): void {
    this.fpb.applyPatches(); // a system reset may have reloaded the patched code
    this.swo.reset(); // trace in flight is lost; the ITM and TPIU settings stay (debug domain)
    this.halting.coreReset();
  }

  /** EDBGRQ, the external debug request input (a cross-trigger or another core): halts with DFSR.EXTERNAL. */
  externalDebugRequest(): void {
    if (!this.halting.debugEnabled || this.core.halted) return;
    this.halting.enterDebug(0x10);
    this.halting.update();
  }

  /**
   * The nRST pin: asserting it resets the system and holds the core in reset (the debug
   * port stays reachable, as on silicon, so a debugger can set VC_CORERESET or C_HALT
   * meanwhile: "connect under reset"); the core starts at the release, halting at the
   * reset vector if VC_CORERESET or a halt request is then in force.
   */
  setNrst(asserted: boolean): void {
    if (asserted && !this.nrstAsserted) {
      (this.options.systemReset ?? (() => this.core.reset()))();
      this.core.resetHeld = true;
    } else if (!asserted && this.nrstAsserted) {
      this.core.resetHeld = false;
      this.halting.leaveReset();
    }
    this.nrstAsserted = asserted;
  }

  get nrst(): boolean {
    return this.nrstAsserted;
  }
}

/**
 * Give a board its debug port: map the components, hook BKPT, core resets and the SCS
 * debug registers, and put the DebugSystem in `board.debug`.
 */
export function attachDebug(board: DebuggableBoard, opts: Partial<DebugSystemOptions> = {}): DebugSystem {
  const cpu = board.cpu;
  const coreName = (opts.core ?? cpu.config.name) as CoreName;
  const digits = /(\d+)$/.exec(board.name);
  const targetPart = opts.targetPart ?? (digits ? parseInt(digits[1], 16) & 0xffff : 0);
  const scb = cpu.scb;
  const dfsr = scb ? { get: () => scb.dfsr, set: (v: number) => (scb.dfsr = v >>> 0) } : undefined;
  const dbg = new DebugSystem(cpu, board.bus, board.clock, { systemReset: () => board.reset(), targetPart, dfsr, monitor: debugMonitorOf(cpu), ...board.debugOptions, ...opts, core: coreName });
  dbg.mapComponents();
  dbg.powerOn();
  board.debugBkptHook = () => dbg.halting.onBkpt();
  // Every core reset goes through cpu.reset(): wrap it (an own property shadows the method).
  const coreResetMethod = cpu.reset.bind(cpu);
  cpu.reset = () => {
    coreResetMethod();
    dbg.coreReset();
  };
  // A step that executes WFI/WFE must not leave the core asleep: watch the sleeping flag
  // (the core sets it through its accessor) and let the debug unit cancel the sleep.
  const sleepDesc = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(cpu), 'sleeping');
  if (sleepDesc?.get && sleepDesc.set) {
    const { get, set } = sleepDesc;
    Object.defineProperty(cpu, 'sleeping', {
      configurable: true,
      get() {
        return get.call(this);
      },
      set(v: boolean) {
        set.call(this, v);
        if (v && dbg.halting.onSleep()) set.call(this, false);
      },
    });
  }
  // The SCS hands 0xE000EDF0-0xE000EEFF (DHCSR..DEMCR) to the debug unit, with offsets
  // from its own base; the halting registers count from 0xE000EDF0.
  const scs = cpu.scs;
  if (scs) {
    scs.debugRegisters = {
      read: (offset, size) => dbg.halting.read(offset - 0xdf0, size),
      write: (offset, size, value) => dbg.halting.write(offset - 0xdf0, size, value),
    };
  }
  board.debug = dbg;
  return dbg;
}

const DEBUG_MONITOR = 12;

/** The DebugMonitor exception of a simulated core (sim/cpu), when the core is one. */
function debugMonitorOf(core: unknown): DebugMonitorPort | undefined {
  const cpu = core as Cpu;
  if (!cpu.nvic || !cpu.scb || typeof cpu.nvic.setPending !== 'function') return undefined;
  return {
    canTake: () => {
      // group priority of DebugMonitor against the execution priority (AIRCR.PRIGROUP split)
      const group = cpu.nvic.priority[DEBUG_MONITOR] & ~((2 << cpu.scb.prigroup) - 1);
      return group < executionPriority(cpu);
    },
    pend: () => cpu.nvic.setPending(DEBUG_MONITOR),
    unpend: () => cpu.nvic.clearPending(DEBUG_MONITOR),
    isPending: () => cpu.nvic.pending[DEBUG_MONITOR] !== 0,
    returnToBkpt: () => {
      cpu.pc = (cpu.r[15] - 4) >>> 0; // r[15] is the BKPT's address + 4 while it executes
    },
  };
}
