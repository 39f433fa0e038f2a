// A MEM-AP in front of the system bus: the AHB-AP of Cortex-M3/M4/M7 (ADIv5.2 C2).
// DRW moves data at TAR through the byte lanes TAR[1:0] selects; TAR increments
// after each DRW access (single or packed) and wraps inside its auto-increment block
// (1 KiB as ADIv5 guarantees; 4 KiB on the Cortex-M3/M4 AHB-AP).
import { AP_ADDR, CSW, CSW_ADDRINC, CSW_SIZE } from '../../arch/ap.js';
import { BusFault, type Bus } from '../bus.js';
import type { AccessPortDevice } from './access-port.js';

export interface MemApConfig {
  /** IDR, e.g. 0x24770011 (AHB-AP of Cortex-M3/M4) or 0x74770001 (Cortex-M7's). */
  idr: number;
  /** BASE: the ROM table address with FORMAT and PRESENT set, e.g. 0xE00FF003. */
  base: number;
  /** Packed transfers of bytes and halfwords (CSW.AddrInc = 0b10). */
  packed: boolean;
  /** CSW after reset. */
  cswReset: number;
  /** AP accesses that answer WAIT after each DRW/BD access (a slow bus); 0: none. */
  busyPolls?: number;
  /**
   * TAR auto-increment range: ADIv5 guarantees 1 KiB; the Cortex-M3/M4 AHB-AP increments
   * across 4 KiB (TAR[11:0]) and hosts such as OpenOCD rely on it for those cores.
   */
  autoIncrementBlock: number;
}

const C = CSW.fields;
/** CSW bits the debugger can write: Prot, Mode, AddrInc, Size (DbgSwEnable is fixed on Cortex-M). */
const CSW_WRITABLE = (C.Prot.mask | C.Mode.mask | C.AddrInc.mask | C.Size.mask) >>> 0;

/** Who is using the bus right now; debug registers accept some writes only from the debugger. */
export interface BusMaster {
  fromDebugger: boolean;
}

export class MemAp implements AccessPortDevice {
  private csw: number;
  private tar = 0;
  private busyLeft = 0;
  error: string | null = null;

  constructor(
    readonly bus: Bus,
    readonly config: MemApConfig,
    private readonly master: BusMaster = { fromDebugger: false },
  ) {
    this.csw = config.cswReset >>> 0;
  }

  busy(): boolean {
    if (this.busyLeft > 0) {
      this.busyLeft--;
      return true;
    }
    return false;
  }

  abort(): void {
    this.busyLeft = 0;
  }

  reset(): void {
    this.csw = this.config.cswReset >>> 0;
    this.tar = 0;
    this.busyLeft = 0;
  }

  read(addr: number): number {
    this.error = null;
    switch (addr) {
      case AP_ADDR.CSW:
        return (this.csw | C.DeviceEn.mask | (this.busyLeft > 0 ? C.TrInProg.mask : 0)) >>> 0;
      case AP_ADDR.TAR:
        return this.tar;
      case AP_ADDR.DRW:
        return this.dataAccess(false, 0);
      case AP_ADDR.BD0:
      case AP_ADDR.BD1:
      case AP_ADDR.BD2:
      case AP_ADDR.BD3:
        return this.bankedAccess(addr, false, 0);
      case AP_ADDR.CFG:
        return 0; // little-endian, 32-bit addresses and data
      case AP_ADDR.BASE:
        return this.config.base >>> 0;
      case AP_ADDR.IDR:
        return this.config.idr >>> 0;
      default:
        return 0;
    }
  }

  write(addr: number, value: number): void {
    this.error = null;
    value >>>= 0;
    switch (addr) {
      case AP_ADDR.CSW: {
        let v = (value & CSW_WRITABLE) >>> 0;
        // Reserved sizes (64 bits and up) and unsupported packed mode are not stored: a host
        // learns what the AP supports by reading CSW back.
        const size = v & C.Size.mask;
        if (size > CSW_SIZE.WORD) v = (v & ~C.Size.mask) | (this.csw & C.Size.mask);
        const inc = (v & C.AddrInc.mask) >>> C.AddrInc.lsb;
        if (inc === 3 || (inc === CSW_ADDRINC.PACKED && !this.config.packed)) v = (v & ~C.AddrInc.mask) | (this.csw & C.AddrInc.mask);
        this.csw = (v | (this.csw & ~CSW_WRITABLE)) >>> 0;
        return;
      }
      case AP_ADDR.TAR:
        this.tar = value;
        return;
      case AP_ADDR.DRW:
        this.dataAccess(true, value);
        return;
      case AP_ADDR.BD0:
      case AP_ADDR.BD1:
      case AP_ADDR.BD2:
      case AP_ADDR.BD3:
        this.bankedAccess(addr, true, value);
        return;
      default:
        return; // read-only or reserved
    }
  }

  /** A DRW access at TAR; returns the lanes read. */
  private dataAccess(write: boolean, value: number): number {
    const size = this.csw & C.Size.mask;
    const inc = (this.csw & C.AddrInc.mask) >>> C.AddrInc.lsb;
    const bytes = 1 << size;
    let tar = this.tar;
    let result = 0;
    let moved = 0;
    this.master.fromDebugger = true;
    try {
      if (size === CSW_SIZE.WORD || inc !== CSW_ADDRINC.PACKED) {
        result = this.laneAccess(tar, size, write, value);
        moved = bytes;
      } else {
        // Packed: as many transfers of `bytes` as fit in the rest of this word, each in its lane.
        do {
          result |= this.laneAccess(tar + moved, size, write, value);
          moved += bytes;
        } while (((tar + moved) & 3) !== 0);
      }
    } catch (e) {
      if (!(e instanceof BusFault)) throw e;
      this.error = e.message;
      return 0;
    } finally {
      this.master.fromDebugger = false;
    }
    if (inc !== CSW_ADDRINC.OFF) this.tar = this.tarAfter(tar, moved);
    this.busyLeft = this.config.busyPolls ?? 0;
    return result >>> 0;
  }

  /** Words from TAR that stay in region `r` and in TAR's auto-increment block, at most `left`. */
  private stretch(tar: number, r: { base: number; size: number }, left: number): number {
    const end = Math.min(this.blockEnd(tar), r.base + r.size);
    return Math.min(left, (end - ((tar & ~3) >>> 0)) >>> 2);
  }

  /** No access would leave the AP busy (no WAIT to model): runs may be done in one go. */
  runReady(): boolean {
    return this.busyLeft === 0 && !this.config.busyPolls;
  }

  /**
   * `count` reads of `addr` as read() would do them one by one. Word reads of DRW that
   * stay in one memory region and one auto-increment block are copied straight from its
   * store (the same words bus.read32 returns, without a call per word).
   */
  readRun(addr: number, out: Uint32Array, count: number): number {
    if (addr !== AP_ADDR.DRW || (this.csw & C.Size.mask) !== CSW_SIZE.WORD) {
      for (let i = 0; i < count; i++) {
        out[i] = this.read(addr);
        if (this.error !== null) return i + 1;
      }
      return count;
    }
    this.error = null;
    const inc = (this.csw & C.AddrInc.mask) >>> C.AddrInc.lsb;
    const bus = this.bus;
    let tar = this.tar;
    let i = 0;
    this.master.fromDebugger = true;
    try {
      while (i < count) {
        const a = (tar & ~3) >>> 0;
        const r = inc !== CSW_ADDRINC.OFF ? bus.find(a) : undefined;
        if (r !== undefined && r.words !== undefined) {
          const n = this.stretch(tar, r, count - i);
          const off = (a - r.base) >>> 2;
          out.set(r.words.subarray(off, off + n), i);
          i += n;
          tar = this.tarAfter(tar, 4 * n);
          continue;
        }
        out[i] = bus.read32(a);
        i++;
        if (inc !== CSW_ADDRINC.OFF) tar = this.tarAfter(tar, 4);
      }
    } catch (e) {
      if (!(e instanceof BusFault)) throw e;
      // As dataAccess: the failed access reads 0 and leaves TAR where it was.
      this.error = e.message;
      out[i] = 0;
      this.tar = tar;
      return i + 1;
    } finally {
      this.master.fromDebugger = false;
    }
    this.tar = tar;
    return count;
  }

  /** `count` writes of `addr` from data[from..] as write() would do them one by one. */
  writeRun(addr: number, data: Uint32Array, from: number, count: number): number {
    if (addr !== AP_ADDR.DRW || (this.csw & C.Size.mask) !== CSW_SIZE.WORD) {
      for (let i = 0; i < count; i++) {
        this.write(addr, data[from + i]);
        if (this.error !== null) return i + 1;
      }
      return count;
    }
    this.error = null;
    const inc = (this.csw & C.AddrInc.mask) >>> C.AddrInc.lsb;
    const bus = this.bus;
    let tar = this.tar;
    let i = 0;
    this.master.fromDebugger = true;
    try {
      while (i < count) {
        const a = (tar & ~3) >>> 0;
        const r = inc !== CSW_ADDRINC.OFF ? bus.find(a) : undefined;
        // Plain writable memory: one copy and one onWrite for the stretch (bus.load does the same).
        if (r !== undefined && r.words !== undefined && !r.readonly) {
          const n = this.stretch(tar, r, count - i);
          const off = a - r.base;
          r.words.set(data.subarray(from + i, from + i + n), off >>> 2);
          if (r.onWrite) r.onWrite(off, 4 * n);
          i += n;
          tar = this.tarAfter(tar, 4 * n);
          continue;
        }
        bus.write32(a, data[from + i]);
        i++;
        if (inc !== CSW_ADDRINC.OFF) tar = this.tarAfter(tar, 4);
      }
    } catch (e) {
      if (!(e instanceof BusFault)) throw e;
      this.error = e.message;
      this.tar = tar;
      return i + 1;
    } finally {
      this.master.fromDebugger = false;
    }
    this.tar = tar;
    return count;
  }

  /** TAR after `bytes` of auto-increment: it wraps inside its auto-increment block. */
  private tarAfter(tar: number, bytes: number): number {
    const m = this.config.autoIncrementBlock - 1;
    return ((tar & ~m) | ((tar + bytes) & m)) >>> 0;
  }

  /** The end of the auto-increment block TAR is in (exclusive). */
  private blockEnd(tar: number): number {
    const m = this.config.autoIncrementBlock - 1;
    return ((tar & ~m) >>> 0) + m + 1;
  }

  /** One bus access of 2^size bytes at addr, data in the byte lanes addr[1:0] selects. */
  private laneAccess(addr: number, size: number, write: boolean, value: number): number {
    addr >>>= 0;
    const bus = this.bus;
    if (size === CSW_SIZE.WORD) {
      addr = (addr & ~3) >>> 0; // AHB transfers are aligned
      if (write) bus.write32(addr, value);
      else return bus.read32(addr);
      return 0;
    }
    if (size === CSW_SIZE.HALF) {
      addr = (addr & ~1) >>> 0;
      const shift = (addr & 2) * 8;
      if (write) bus.write16(addr, (value >>> shift) & 0xffff);
      else return (bus.read16(addr) << shift) >>> 0;
      return 0;
    }
    const shift = (addr & 3) * 8;
    if (write) bus.write8(addr, (value >>> shift) & 0xff);
    else return (bus.read8(addr) << shift) >>> 0;
    return 0;
  }

  /** BD0-BD3: word accesses at TAR[31:4] + n*4, TAR unchanged. */
  private bankedAccess(reg: number, write: boolean, value: number): number {
    const addr = ((this.tar & ~0xf) | (reg & 0xc)) >>> 0;
    this.master.fromDebugger = true;
    try {
      if (write) {
        this.bus.write32(addr, value);
        return 0;
      }
      return this.bus.read32(addr);
    } catch (e) {
      if (!(e instanceof BusFault)) throw e;
      this.error = e.message;
      return 0;
    } finally {
      this.master.fromDebugger = false;
      this.busyLeft = this.config.busyPolls ?? 0;
    }
  }
}

/** AHB-AP settings of real cores. */
export const AHB_AP = {
  /** Cortex-M3/M4 AHB-AP: IDR 0x24770011, CSW reset 0x03000040 (HPROT data+privileged), TAR increments across 4 KiB. */
  CORTEX_M3_M4: { idr: 0x24770011, base: 0xe00ff003, packed: false, cswReset: 0x03000040, autoIncrementBlock: 0x1000 },
  /** Cortex-M7 AHB-AP: IDR 0x74770001, ROM table one level up at 0xE00FE000, TAR increments across 1 KiB. */
  CORTEX_M7: { idr: 0x74770001, base: 0xe00fe003, packed: true, cswReset: 0x03000040, autoIncrementBlock: 0x400 },
} as const satisfies Record<string, MemApConfig>;
