// What the GDB server needs from a debug target. The server knows nothing else about
// the target: src/cortexm implements this through an adapter (cortexm-target.ts), the
// tests with an in-memory fake. Keep it free of Cortex-M and simulator details so a
// real probe later plugs in unchanged.
import type { MemoryRegion } from '../targets/memory-map.js';

/** Why the target stopped. */
export type HaltReason =
  /** A breakpoint; `type` says which kind of comparator/instruction hit. */
  | { readonly kind: 'breakpoint'; readonly type: 'sw' | 'hw'; readonly address?: number }
  /** A data watchpoint; `address` is the watched address that was accessed. */
  | { readonly kind: 'watchpoint'; readonly address: number; readonly access: WatchKind }
  /** A single step finished. */
  | { readonly kind: 'step' }
  /** A halt request (ours or someone else's). */
  | { readonly kind: 'interrupt' }
  /** A fault the target caught (vector catch, lockup); `name` is shown to the user. */
  | { readonly kind: 'fault'; readonly name: string }
  /** The program ended (semihosting exit) with this status. */
  | { readonly kind: 'exit'; readonly status: number }
  /** The target went away (power, reset line, wire lost). */
  | { readonly kind: 'lost'; readonly detail?: string };

export type WatchKind = 'write' | 'read' | 'access';
export type BreakKind = 'sw' | 'hw';

/** One register as gdb sees it, in the order of the target description. */
export interface RegisterInfo {
  readonly name: string;
  /** gdb's register number (the target.xml regnum). */
  readonly regnum: number;
  readonly bitsize: number;
  /** Target description feature, e.g. 'org.gnu.gdb.arm.m-profile'. */
  readonly feature: string;
  readonly type?: string; // 'int', 'data_ptr', 'code_ptr', 'ieee_double', ...
  readonly group?: string; // 'general', 'float', 'system'
}

// The memory map type belongs to the target layer (detection fills it); re-exported here.
export type { MemoryRegion };

/** A memory access the target refused (bus fault, no such memory). */
export class MemoryFault extends Error {
  constructor(
    readonly address: number,
    readonly write: boolean,
    detail?: string,
  ) {
    super(`cannot ${write ? 'write' : 'read'} memory at 0x${(address >>> 0).toString(16).padStart(8, '0')}${detail ? `: ${detail}` : ''}`);
    this.name = 'MemoryFault';
  }
}

/** A target operation that failed for a reason worth telling the user. */
export class TargetError extends Error {
  override name = 'TargetError';
}

/** Flash programming, as gdb's `load` drives it (vFlashErase/Write/Done). */
export interface FlashProgrammer {
  erase(address: number, length: number): Promise<void>;
  write(address: number, data: Uint8Array): Promise<void>;
  /** Finish: flush buffered writes, restore the flash controller. */
  done(): Promise<void>;
  /** Erase the whole flash (`monitor erase_mass`). */
  eraseMass?(): Promise<void>;
  /** The client went away mid-load: drop unwritten data, restore the controller (locked). */
  abort?(): Promise<void>;
}

/** Optional hooks for the monitor commands that depend on the probe and target. */
export interface MonitorHooks {
  /** `swdp_scan`: scan the wire, return one line per target found. */
  scan?(): Promise<string[]>;
  /** `targets`: one line per known target. */
  targets?(): Promise<string[]>;
  /** `vector_catch enable|disable NAMES`; returns the names now enabled. */
  vectorCatch?(enable: boolean, names: string[]): Promise<string[]>;
  /** `frequency HZ`: set the wire clock; returns the frequency in effect. */
  frequency?(hz?: number): Promise<number>;
  /** `connect_rst enable|disable`. */
  connectReset?(enable?: boolean): Promise<boolean>;
  /** `halt_timeout MS`. */
  haltTimeout?(ms?: number): Promise<number>;
  /** Target-specific commands; return null when `cmd` is not one of them. `rest` is the line after `cmd` as typed (spaces kept). */
  command?(cmd: string, args: string[], rest?: string): Promise<string | null>;
  /** Extra help lines for `command`. */
  help?(): string[];
}

/**
 * A halted-or-running debug target. All methods are async because on real hardware each
 * is a round trip over the probe. Values are unsigned 32-bit numbers; register values are
 * little-endian byte arrays of bitsize/8 bytes (gdb's own layout), so 64-bit FPU registers
 * need no special case.
 */
export interface DebugTarget {
  /** One line for `monitor version` / `targets`, e.g. 'Cortex-M3 r2p1 on sim:mps2-an385'. */
  readonly description: string;
  /** Registers in target-description order (ascending regnum). */
  readonly registers: readonly RegisterInfo[];
  /** The regions gdb may access, and which of them are flash. */
  memoryMap(): readonly MemoryRegion[];

  /** Stop the core; resolves once it is halted. */
  halt(): Promise<void>;
  /** Stop the core for a debugger that attaches (connect, vAttach); default: halt(). */
  attach?(): Promise<void>;
  /** Let the core run from where it is. */
  resume(): Promise<void>;
  /** Execute one instruction and report why it stopped (normally `step`). */
  step(): Promise<HaltReason>;
  /** null while running, the reason once halted. Cheap: called in a loop while running. */
  poll(): Promise<HaltReason | null>;
  /** Reset the target; with `halt` it stops before the first instruction. */
  reset(halt: boolean): Promise<void>;

  /** All registers, concatenated in `registers` order. */
  readRegisters(): Promise<Uint8Array>;
  writeRegisters(data: Uint8Array): Promise<void>;
  readRegister(regnum: number): Promise<Uint8Array>;
  writeRegister(regnum: number, value: Uint8Array): Promise<void>;

  /** Throws MemoryFault naming the first address that failed. */
  readMemory(address: number, length: number): Promise<Uint8Array>;
  writeMemory(address: number, data: Uint8Array): Promise<void>;

  /** Throws TargetError when out of comparators or the kind is unsupported. */
  addBreakpoint(kind: BreakKind, address: number, length: number): Promise<void>;
  removeBreakpoint(kind: BreakKind, address: number, length: number): Promise<void>;
  addWatchpoint(kind: WatchKind, address: number, length: number): Promise<void>;
  removeWatchpoint(kind: WatchKind, address: number, length: number): Promise<void>;

  /** Flash programming, when the memory map has flash. */
  readonly flash?: FlashProgrammer;
  /** Monitor command hooks. */
  readonly monitor?: MonitorHooks;
  /** CRC-32 (gdb's compare-sections) computed on the target itself, when faster. */
  crc32?(address: number, length: number): Promise<number>;
  /** Text the target prints (semihosting, ITM) goes to this callback. */
  setConsoleListener?(listener: ((text: string) => void) | null): void;
  /** The server no longer uses the target (last client gone); release what is held. */
  detach?(): Promise<void>;
}
