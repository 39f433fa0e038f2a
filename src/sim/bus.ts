// The simulated system bus: a 4 GiB address space made of regions.
// Memories are typed arrays (fast path); peripherals are Device handlers.
// An access where nothing is mapped throws BusFault, which the CPU turns
// into a BusFault exception and the debug port into a sticky error.

export type AccessSize = 1 | 2 | 4;

/** A memory-mapped peripheral. Offsets are relative to the region base. */
export interface Device {
  read(offset: number, size: AccessSize): number;
  write(offset: number, size: AccessSize, value: number): void;
}

export class BusFault extends Error {
  constructor(
    readonly address: number,
    readonly write: boolean,
    readonly size: AccessSize,
    reason = 'no memory is mapped there',
  ) {
    super(`bus fault: ${write ? 'write' : 'read'} of ${size} byte(s) at 0x${(address >>> 0).toString(16).padStart(8, '0')}: ${reason}`);
    this.name = 'BusFault';
  }
}

export interface Region {
  readonly name: string;
  readonly base: number;
  readonly size: number;
  /** Set for memories: the backing store, indexed by (addr - base). */
  readonly bytes?: Uint8Array;
  /** 16- and 32-bit views of `bytes` (host is little-endian like the target). */
  readonly halves?: Uint16Array;
  readonly words?: Uint32Array;
  /** Memories that ignore writes from the CPU (the debugger may still write via `poke`). */
  readonly readonly?: boolean;
  /** Set for peripherals. */
  readonly device?: Device;
  /** Called after every write into a memory region (e.g. to invalidate decode caches). */
  onWrite?: (offset: number, size: number) => void;
  /**
   * For read-only memories: bus writes go here instead of being ignored (a flash
   * controller programs its array this way; reads stay plain memory reads).
   */
  readonly writeHandler?: (offset: number, size: AccessSize, value: number) => void;
}

const PAGE_SHIFT = 20; // 1 MiB top-level pages
const SUB_SHIFT = 12; // 4 KiB sub-pages for regions smaller than a page
const SUBS_PER_PAGE = 1 << (PAGE_SHIFT - SUB_SHIFT);

type PageEntry = Region | (Region | undefined)[] | undefined;

export class Bus {
  readonly regions: Region[] = [];
  private readonly pages: PageEntry[] = new Array(1 << (32 - PAGE_SHIFT));

  /** Map a RAM/ROM region backed by a fresh zeroed (or given) buffer. */
  mapMemory(
    name: string,
    base: number,
    size: number,
    opts: { readonly?: boolean; fill?: number; bytes?: Uint8Array; writeHandler?: (offset: number, size: AccessSize, value: number) => void } = {},
  ): Region {
    const bytes = opts.bytes ?? new Uint8Array(size);
    if (opts.fill !== undefined) bytes.fill(opts.fill);
    const region: Region = {
      name,
      base: base >>> 0,
      size,
      bytes,
      halves: new Uint16Array(bytes.buffer, bytes.byteOffset, size >>> 1),
      words: new Uint32Array(bytes.buffer, bytes.byteOffset, size >>> 2),
      readonly: opts.readonly,
      writeHandler: opts.writeHandler,
    };
    this.add(region);
    return region;
  }

  /** Map a peripheral. */
  mapDevice(name: string, base: number, size: number, device: Device): Region {
    const region: Region = { name, base: base >>> 0, size, device };
    this.add(region);
    return region;
  }

  private add(region: Region): void {
    if ((region.base & ((1 << SUB_SHIFT) - 1)) !== 0 || (region.size & ((1 << SUB_SHIFT) - 1)) !== 0) {
      throw new Error(`region ${region.name} must be 4 KiB aligned and sized`);
    }
    for (const r of this.regions) {
      if (region.base < r.base + r.size && r.base < region.base + region.size) {
        throw new Error(`region ${region.name} overlaps ${r.name}`);
      }
    }
    this.regions.push(region);
    const end = region.base + region.size; // may be 2^32
    for (let a = region.base; a < end; ) {
      const page = a >>> PAGE_SHIFT;
      const pageStart = page * (1 << PAGE_SHIFT);
      const pageEnd = pageStart + (1 << PAGE_SHIFT);
      if (a === pageStart && end >= pageEnd) {
        this.pages[page] = region;
        a = pageEnd;
        continue;
      }
      let entry = this.pages[page];
      if (!Array.isArray(entry)) {
        const subs: (Region | undefined)[] = new Array(SUBS_PER_PAGE).fill(entry);
        this.pages[page] = entry = subs;
      }
      const stop = Math.min(end, pageEnd);
      for (let s = a; s < stop; s += 1 << SUB_SHIFT) entry[(s >>> SUB_SHIFT) & (SUBS_PER_PAGE - 1)] = region;
      a = stop;
    }
  }

  /** The region containing addr, or undefined. */
  find(addr: number): Region | undefined {
    const e = this.pages[addr >>> PAGE_SHIFT];
    if (e === undefined || !Array.isArray(e)) return e;
    return e[(addr >>> SUB_SHIFT) & (SUBS_PER_PAGE - 1)];
  }

  /** Name of what is mapped at addr, for error messages. */
  describe(addr: number): string {
    const r = this.find(addr >>> 0);
    return r ? r.name : 'nothing';
  }

  read8(addr: number): number {
    addr >>>= 0;
    const r = this.find(addr);
    if (r === undefined) throw new BusFault(addr, false, 1);
    const off = addr - r.base;
    if (r.bytes) return r.bytes[off];
    return r.device!.read(off, 1) & 0xff;
  }

  read16(addr: number): number {
    addr >>>= 0;
    const r = this.find(addr);
    if (r === undefined) throw new BusFault(addr, false, 2);
    const off = addr - r.base;
    if (r.halves) {
      if ((off & 1) === 0) return r.halves[off >>> 1];
      return this.slowRead(addr, 2);
    }
    return r.device!.read(off, 2) & 0xffff;
  }

  read32(addr: number): number {
    addr >>>= 0;
    const r = this.find(addr);
    if (r === undefined) throw new BusFault(addr, false, 4);
    const off = addr - r.base;
    if (r.words) {
      if ((off & 3) === 0) return r.words[off >>> 2];
      return this.slowRead(addr, 4);
    }
    return r.device!.read(off, 4) >>> 0;
  }

  write8(addr: number, value: number): void {
    addr >>>= 0;
    const r = this.find(addr);
    if (r === undefined) throw new BusFault(addr, true, 1);
    const off = addr - r.base;
    if (r.bytes) {
      if (r.readonly) {
        if (r.writeHandler) r.writeHandler(off, 1, value & 0xff);
        return;
      }
      r.bytes[off] = value;
      if (r.onWrite) r.onWrite(off, 1);
      return;
    }
    r.device!.write(off, 1, value & 0xff);
  }

  write16(addr: number, value: number): void {
    addr >>>= 0;
    const r = this.find(addr);
    if (r === undefined) throw new BusFault(addr, true, 2);
    const off = addr - r.base;
    if (r.halves) {
      if (r.readonly) {
        if (r.writeHandler) r.writeHandler(off, 2, value & 0xffff);
        return;
      }
      if ((off & 1) === 0) r.halves[off >>> 1] = value;
      else return this.slowWrite(addr, 2, value);
      if (r.onWrite) r.onWrite(off, 2);
      return;
    }
    r.device!.write(off, 2, value & 0xffff);
  }

  write32(addr: number, value: number): void {
    addr >>>= 0;
    const r = this.find(addr);
    if (r === undefined) throw new BusFault(addr, true, 4);
    const off = addr - r.base;
    if (r.words) {
      if (r.readonly) {
        if (r.writeHandler) r.writeHandler(off, 4, value >>> 0);
        return;
      }
      if ((off & 3) === 0) r.words[off >>> 2] = value;
      else return this.slowWrite(addr, 4, value);
      if (r.onWrite) r.onWrite(off, 4);
      return;
    }
    r.device!.write(off, 4, value >>> 0);
  }

  /** Unaligned or region-crossing access, byte by byte (little-endian). */
  private slowRead(addr: number, size: number): number {
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.read8(addr + i) << (8 * i);
    return v >>> 0;
  }

  private slowWrite(addr: number, size: number, value: number): void {
    for (let i = 0; i < size; i++) this.write8(addr + i, (value >>> (8 * i)) & 0xff);
  }

  /** Copy bytes into memory regions, ignoring the read-only flag (loaders, flash programming, debugger). */
  load(addr: number, data: Uint8Array): void {
    for (let i = 0; i < data.length; ) {
      const a = (addr + i) >>> 0;
      const r = this.find(a);
      if (r === undefined || !r.bytes) throw new BusFault(a, true, 1, r ? `${r.name} is not memory` : 'no memory is mapped there');
      const off = a - r.base;
      const n = Math.min(data.length - i, r.size - off);
      r.bytes.set(data.subarray(i, i + n), off);
      if (r.onWrite) r.onWrite(off, n);
      i += n;
    }
  }
}
