// What every simulated board does the same way: a core on its bus and clock, the
// memory map recorded as it is built, semihosting on BKPT 0xAB (other BKPTs go to the
// debug unit), SYSRESETREQ resetting the board, image loading checked against the map.
// A board family (mps2.ts, stm32h7.ts) maps its memories and peripherals and says how
// it resets.
import { Bus, type Device, type Region } from '../bus.js';
import { Clock } from '../clock.js';
import { Cpu, type CoreConfig } from '../cpu/cpu.js';
import { Semihosting } from '../semihosting.js';
import { Unimplemented } from '../periph/unimplemented.js';
import { mapUnmodelledPpb } from './ppb-defaults.js';
import type { ElfImage } from '../../image/elf.js';
import { BoardError, type Board, type BoardOptions, type ConsoleUart, type MapEntry } from './board.js';

export interface BoardIdentity {
  name: string;
  description: string;
  core: CoreConfig;
  /** The core clock at power-on. */
  clockHz: number;
  /** The RAM SYS_HEAPINFO places the heap and stack in. */
  heapRam: { base: number; size: number };
}

export abstract class BoardBase implements Board {
  readonly name: string;
  readonly description: string;
  readonly bus = new Bus();
  readonly clock: Clock;
  readonly cpu: Cpu;
  readonly semihosting: Semihosting;
  semihostingEnabled = true;
  debugBkptHook: ((imm8: number) => boolean) | null = null;
  debug: unknown | null = null;
  readonly memoryMap: MapEntry[] = [];
  abstract readonly uarts: readonly ConsoleUart[];

  constructor(id: BoardIdentity, opts: BoardOptions) {
    this.name = id.name;
    this.description = id.description;
    this.clock = new Clock(id.clockHz);
    // The core first: peripherals need its NVIC for their interrupt lines.
    this.cpu = new Cpu(id.core, this.bus, this.clock);
    this.semihosting = new Semihosting(this.bus, this.clock, {
      console: opts.console ?? { write: () => {}, read: () => new Uint8Array(0) },
      cmdline: opts.cmdline,
      fileRoot: opts.semihostingDir,
      heap: { ramBase: id.heapRam.base, ramSize: id.heapRam.size },
    });
    this.semihosting.onExit = (exit) => {
      // The core stops before the next instruction and run() returns StopReason.Exit.
      this.cpu.exitCode = exit.status;
      this.cpu.exitRequested = true;
      this.cpu.attention = true;
    };
    this.cpu.bkptHook = (imm8) => {
      if (imm8 === 0xab && this.semihostingEnabled) {
        this.semihosting.call(this.cpu);
        return true;
      }
      return this.debugBkptHook ? this.debugBkptHook(imm8) : false;
    };
    this.cpu.onSysResetReq = () => this.reset();
  }

  abstract load(image: ElfImage): void;
  abstract reset(): void;

  mapPpbDefaults(): void {
    mapUnmodelledPpb(this.bus, this.memoryMap);
  }

  protected mapEntry(name: string, base: number, size: number, kind: MapEntry['kind']): void {
    this.memoryMap.push({ name, base, size, kind });
  }

  protected mapRam(name: string, base: number, size: number): Region {
    const r = this.bus.mapMemory(name, base, size);
    this.mapEntry(name, base, size, 'ram');
    return r;
  }

  /** A window that reads as zero and ignores writes (answering bytes, fixed registers: see Unimplemented). */
  protected mapUnimplemented(name: string, base: number, size: number, answering = size, fixed: Record<number, number> = {}): void {
    this.bus.mapDevice(name, base, size, new Unimplemented(name, base, answering, fixed));
    this.mapEntry(name, base, size, 'unimplemented');
  }

  protected mapPeripheral(name: string, base: number, dev: Device, size = 0x1000): void {
    this.bus.mapDevice(name, base, size, dev);
    this.mapEntry(name, base, size, 'peripheral');
  }

  /**
   * The image's loadable segments, after checking that each one lies in memory;
   * `linkHint` ends the error message (where to link for this board).
   */
  protected loadableChunks(image: ElfImage, linkHint: string): { addr: number; data: Uint8Array }[] {
    const chunks = image.loadChunks();
    const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
    for (const c of chunks) {
      for (const probe of [c.addr, c.addr + c.data.length - 1]) {
        const r = this.bus.find(probe >>> 0);
        if (!r || !r.bytes) {
          const where = r ? `${r.name}, which is not memory` : 'unmapped space';
          throw new BoardError(
            `${image.file}: a segment loads at ${hex(c.addr)}-${hex(c.addr + c.data.length - 1)}, which reaches ${where} on ${this.name}; ${linkHint}`,
          );
        }
      }
    }
    return chunks;
  }
}
