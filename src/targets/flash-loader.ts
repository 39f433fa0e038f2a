// Programming images into flash with a FlashDriver:
// - FlashLoader: gdb's way (vFlashErase / vFlashWrite / vFlashDone). Erases happen when
//   asked; writes are collected and programmed at done(), adjacent ones merged into
//   long runs padded to whole programming units, so packet boundaries (which fall
//   anywhere) never split a flash word.
// - programImage(): the CLI's way: a list of segments; the sectors they touch are erased,
//   flash parts programmed, RAM parts written, and everything read back to verify.
import type { MemAccessPort } from '../adi/mem-ap.js';
import { FlashError, type FlashDriver, type FlashProgress, type FlashRegion } from './flash.js';
import { formatRegion, rangeInside, type MemoryRegion } from './memory-map.js';

export interface ImageSegment {
  readonly address: number;
  readonly data: Uint8Array;
}

const hex = (n: number) => '0x' + (n >>> 0).toString(16).padStart(8, '0');

function unitOf(flash: FlashDriver): number {
  return Math.max(1, ...flash.regions.map((r) => r.writeSize));
}

/**
 * Merge writes into runs that never share a programming unit with another run: later
 * writes win where they overlap, gaps inside a unit are erased value, and runs are
 * not joined across whole erased units (programming those would use them up).
 */
export function mergeWrites(writes: readonly ImageSegment[], unit: number, erased = 0xff): ImageSegment[] {
  const order = writes.map((w, i) => ({ w, i })).filter((x) => x.w.data.length > 0);
  order.sort((a, b) => a.w.address - b.w.address || a.i - b.i);
  const runs: { start: number; end: number; members: number[] }[] = [];
  for (const { w, i } of order) {
    const last = runs[runs.length - 1];
    const end = w.address + w.data.length;
    if (last && w.address <= Math.ceil(last.end / unit) * unit) {
      last.end = Math.max(last.end, end);
      last.members.push(i);
    } else runs.push({ start: w.address, end, members: [i] });
  }
  return runs.map((r) => {
    const start = r.start - (r.start % unit);
    const end = Math.ceil(r.end / unit) * unit;
    const data = new Uint8Array(end - start).fill(erased);
    for (const i of r.members.sort((a, b) => a - b)) data.set(writes[i]!.data, writes[i]!.address - start);
    return { address: start, data };
  });
}

/** Every byte of [start, end) is in one of the (possibly adjoining) regions. */
function inFlash(regions: readonly FlashRegion[], start: number, end: number): boolean {
  let a = start;
  while (a < end) {
    const r = regions.find((x) => a >= x.start && a - x.start < x.length);
    if (!r) return false;
    a = r.start + r.length;
  }
  return true;
}

/** Collects gdb-style erase/write calls and programs at done(). */
export class FlashLoader {
  private writes: ImageSegment[] = [];
  private pendingBytes = 0;
  erasedBytes = 0;
  programmedBytes = 0;

  constructor(
    readonly flash: FlashDriver,
    private readonly progress?: FlashProgress,
  ) {}

  async erase(address: number, length: number): Promise<void> {
    await this.flash.erase(address, length, this.progress);
    // Whole sectors are erased: count those.
    for (const r of this.flash.regions) {
      const from = Math.max(address, r.start);
      const to = Math.min(address + length, r.start + r.length);
      if (from >= to) continue;
      const first = from - ((from - r.start) % r.sectorSize);
      this.erasedBytes += Math.ceil((to - first) / r.sectorSize) * r.sectorSize;
    }
  }

  /** Queue `data` for `address` (copied: callers reuse packet buffers). */
  async write(address: number, data: Uint8Array): Promise<void> {
    const end = address + data.length;
    if (data.length && !inFlash(this.flash.regions, address, end)) {
      throw new FlashError(`flash write of ${data.length} bytes at ${hex(address)}: not inside the flash of ${this.flash.name} (${this.flash.regions.map((r) => `${r.name} ${hex(r.start)}-${hex(r.start + r.length - 1)}`).join(', ')})`, address);
    }
    this.writes.push({ address: address >>> 0, data: Uint8Array.prototype.slice.call(data) });
    this.pendingBytes += data.length;
  }

  /** Program what was collected, then leave the controller locked. */
  async done(): Promise<void> {
    const runs = mergeWrites(this.writes, unitOf(this.flash));
    this.writes = [];
    this.pendingBytes = 0;
    try {
      const total = runs.reduce((n, r) => n + r.data.length, 0);
      let base = 0;
      for (const r of runs) {
        await this.flash.program(r.address, r.data, this.progress && ((phase, done) => this.progress!(phase, base + done, total)));
        base += r.data.length;
        this.programmedBytes += r.data.length;
      }
    } finally {
      await this.flash.done();
    }
  }

  /** Drop what was not programmed yet (the client went away) and lock the controller. */
  async abort(): Promise<void> {
    this.writes = [];
    this.pendingBytes = 0;
    await this.flash.done();
  }

  get pending(): number {
    return this.pendingBytes;
  }
}

export interface ProgramImageOptions {
  /** Read everything back and compare (FlashError at the first difference). */
  verify?: boolean;
  progress?: FlashProgress;
  /** Erase all flash first instead of only the sectors the image touches. */
  eraseAll?: boolean;
  /** The target's memory map: segments outside flash must then lie in RAM. */
  memoryMap?: readonly MemoryRegion[];
}

export interface ProgramImageResult {
  erasedBytes: number;
  programmedBytes: number;
  verifiedBytes: number;
}

function regionOf(regions: readonly FlashRegion[], a: number): FlashRegion | undefined {
  return regions.find((r) => a >= r.start && a - r.start < r.length);
}

/** Split segments into flash pieces and other pieces at flash region edges. */
function classify(segments: readonly ImageSegment[], regions: readonly FlashRegion[]): { flash: ImageSegment[]; other: ImageSegment[] } {
  const flash: ImageSegment[] = [];
  const other: ImageSegment[] = [];
  for (const s of segments) {
    let off = 0;
    while (off < s.data.length) {
      const a = (s.address + off) >>> 0;
      const r = regionOf(regions, a);
      let n: number;
      if (r) n = Math.min(s.data.length - off, r.start + r.length - a);
      else {
        const next = regions.filter((x) => x.start > a).reduce((m, x) => Math.min(m, x.start), Infinity);
        n = Math.min(s.data.length - off, next - a);
      }
      (r ? flash : other).push({ address: a, data: s.data.subarray(off, off + n) });
      off += n;
    }
  }
  return { flash, other };
}

/**
 * Write an image: flash segments through `flash` (only the sectors touched are erased,
 * or all with `eraseAll`), other segments with plain memory writes (RAM). The core
 * should be halted (code running from flash while it is erased faults).
 */
export async function programImage(mem: MemAccessPort, flash: FlashDriver | undefined, segments: readonly ImageSegment[], opts: ProgramImageOptions = {}): Promise<ProgramImageResult> {
  const regions = flash?.regions ?? [];
  const { flash: fl, other } = classify(segments, regions);
  const map = opts.memoryMap ?? [];
  if (map.length > 0) {
    for (const s of other) {
      if (!rangeInside(map, s.address, s.data.length, ['ram'])) {
        const mapFlash = map.some((r) => r.type === 'flash' && s.address >= r.start && s.address - r.start < r.length);
        throw new FlashError(
          `image segment at ${hex(s.address)} (${s.data.length} bytes) is ${mapFlash ? 'in flash, but there is no flash driver' : 'neither flash nor RAM'} on this target; memory map:\n  ${map.map(formatRegion).join('\n  ')}`,
          s.address,
        );
      }
    }
  }
  const result: ProgramImageResult = { erasedBytes: 0, programmedBytes: 0, verifiedBytes: 0 };
  if (fl.length > 0 || opts.eraseAll) {
    if (!flash) throw new FlashError(`image segment at ${hex(fl[0]!.address)} needs a flash driver`, fl[0]!.address);
    try {
      if (opts.eraseAll) {
        await flash.eraseMass(opts.progress);
        result.erasedBytes = regions.reduce((n, r) => n + r.length, 0);
      } else {
        // Sectors touched, as runs of neighbouring sectors (one erase call each).
        const sectors = new Set<number>();
        for (const s of fl) {
          const r = regionOf(regions, s.address)!;
          for (let a = s.address - ((s.address - r.start) % r.sectorSize); a < s.address + s.data.length; a += r.sectorSize) sectors.add(a);
        }
        const sorted = [...sectors].sort((a, b) => a - b);
        const runs: { start: number; length: number }[] = [];
        for (const a of sorted) {
          const size = regionOf(regions, a)!.sectorSize;
          const last = runs[runs.length - 1];
          if (last && last.start + last.length === a) last.length += size;
          else runs.push({ start: a, length: size });
        }
        const total = runs.reduce((n, r) => n + r.length, 0);
        let base = 0;
        for (const r of runs) {
          await flash.erase(r.start, r.length, opts.progress && ((p, d) => opts.progress!(p, base + d, total)));
          base += r.length;
        }
        result.erasedBytes = total;
      }
      const merged = mergeWrites(fl, unitOf(flash));
      const total = merged.reduce((n, r) => n + r.data.length, 0);
      let base = 0;
      for (const r of merged) {
        await flash.program(r.address, r.data, opts.progress && ((p, d) => opts.progress!(p, base + d, total)));
        base += r.data.length;
      }
      result.programmedBytes = total;
    } finally {
      await flash.done();
    }
  }
  for (const s of other) await mem.writeBlock(s.address, s.data);
  if (opts.verify) {
    const all = [...fl, ...other];
    const total = all.reduce((n, s) => n + s.data.length, 0);
    opts.progress?.('verify', 0, total);
    for (const s of all) {
      const back = await mem.readBlock(s.address, s.data.length);
      for (let i = 0; i < back.length; i++) {
        if (back[i] !== s.data[i]) {
          const a = s.address + i;
          throw new FlashError(`verify failed at ${hex(a)}: wrote 0x${s.data[i]!.toString(16).padStart(2, '0')}, read back 0x${back[i]!.toString(16).padStart(2, '0')}`, a);
        }
      }
      result.verifiedBytes += s.data.length;
      opts.progress?.('verify', result.verifiedBytes, total);
    }
  }
  return result;
}
