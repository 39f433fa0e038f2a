// A MEM-AP from the host: memory reads and writes of 8, 16 and 32 bits and blocks,
// with CSW and TAR cached, blocks split at the 1 KiB TAR auto-increment boundary, and
// packed 8/16-bit transfers when the AP supports them.
import { AP_ADDR, CSW, CSW_ADDRINC, CSW_SIZE, IDR, AP_CLASS_MEM } from '../arch/ap.js';
import { hex32 } from '../arch/register.js';
import { DP_ADDR } from '../arch/dp.js';
import type { BlockStep } from '../wire/debug-wire.js';
import { WaitRetry, type Dap } from './dap.js';
import { AdiError, TransferError } from './errors.js';

const C = CSW.fields;

export interface MemApOptions {
  /** What is at an address, for error messages ("no memory is mapped there on mps2-an385"). */
  describeAddress?: (addr: number) => string | undefined;
}

export class MemoryAccessError extends AdiError {
  constructor(
    message: string,
    readonly address: number,
    readonly transferError?: TransferError,
  ) {
    super(message);
    this.name = 'MemoryAccessError';
  }
}

export class MemAccessPort {
  idr = 0;
  cfg = 0;
  base = 0;
  /** CSW bits kept from the AP's reset value (Prot, DbgSwEnable). */
  private cswKeep = 0;
  packedSupported = false;
  /**
   * TAR auto-increment range the host relies on: 1 KiB as ADIv5 guarantees, unless the
   * caller knows better (the Cortex-M3/M4 AHB-AP increments across 4 KiB).
   */
  autoIncrementBlock = 0x400;
  private csw: number | undefined;
  private tar: number | undefined;

  constructor(
    readonly dap: Dap,
    readonly apsel: number,
    readonly options: MemApOptions = {},
  ) {
    dap.onRecover.push(() => {
      this.csw = undefined;
      this.tar = undefined;
    });
  }

  /** Read IDR, CFG, BASE and CSW; find out whether packed transfers work. */
  init(): Promise<this> {
    return this.dap.exclusive(() => this.initUnlocked());
  }

  private async initUnlocked(): Promise<this> {
    const b = this.dap.batch();
    const idr = b.apRead(this.apsel, AP_ADDR.IDR);
    const cfg = b.apRead(this.apsel, AP_ADDR.CFG);
    const base = b.apRead(this.apsel, AP_ADDR.BASE);
    const csw = b.apRead(this.apsel, AP_ADDR.CSW);
    await b.run();
    this.idr = idr.value;
    this.cfg = cfg.value;
    this.base = base.value;
    if (((this.idr & IDR.fields.CLASS.mask) >>> IDR.fields.CLASS.lsb) !== AP_CLASS_MEM) {
      throw new AdiError(`AP${this.apsel} is not a MEM-AP (IDR ${hex32(this.idr)})`);
    }
    this.cswKeep = (csw.value & (C.Prot.mask | C.DbgSwEnable.mask)) >>> 0;
    const packed = this.cswValue(CSW_SIZE.BYTE, CSW_ADDRINC.PACKED);
    const b2 = this.dap.batch();
    b2.apWrite(this.apsel, AP_ADDR.CSW, packed);
    const back = b2.apRead(this.apsel, AP_ADDR.CSW);
    await b2.run();
    this.packedSupported = ((back.value & C.AddrInc.mask) >>> C.AddrInc.lsb) === CSW_ADDRINC.PACKED;
    this.csw = back.value & ~(C.TrInProg.mask | C.DeviceEn.mask);
    return this;
  }

  private cswValue(size: number, inc: number): number {
    return (this.cswKeep | (inc << C.AddrInc.lsb) | size) >>> 0;
  }

  /** Queue CSW and TAR writes as needed for an access of `size` at `addr`. */
  private setup(b: ReturnType<Dap['batch']>, size: number, inc: number, addr: number): void {
    const csw = this.cswValue(size, inc);
    if (this.csw !== csw) {
      b.apWrite(this.apsel, AP_ADDR.CSW, csw);
      this.csw = csw;
    }
    if (this.tar !== addr >>> 0) {
      b.apWrite(this.apsel, AP_ADDR.TAR, addr);
      this.tar = addr >>> 0;
    }
  }

  private advanceTar(bytes: number): void {
    if (this.tar === undefined) return;
    const t = this.tar;
    const m = this.autoIncrementBlock - 1;
    this.tar = ((t & ~m) | ((t + bytes) & m)) >>> 0;
  }

  private fail(op: 'read' | 'write', addr: number, e: unknown): never {
    if (!(e instanceof TransferError)) throw e;
    this.csw = undefined;
    this.tar = undefined;
    const where = e.busFault ? this.options.describeAddress?.(addr) : undefined;
    throw new MemoryAccessError(`${op} at ${hex32(addr)} failed: ${e.message.replace(/^.* failed: /, '')}${where ? ` - ${where}` : ''}`, addr >>> 0, e);
  }

  /** Redo an operation that WAIT interrupted (Dap bounds how often). */
  private async retrying<T>(fn: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await fn();
      } catch (e) {
        if (!(e instanceof WaitRetry)) throw e;
        this.csw = undefined;
        this.tar = undefined;
      }
    }
  }

  private single(size: 1 | 2 | 4, addr: number, value?: number): Promise<number> {
    return this.retrying(() => this.singleOnce(size, addr, value));
  }

  /** One access of 1, 2 or 4 bytes; data in/out of the byte lanes. */
  private async singleOnce(size: 1 | 2 | 4, addr: number, value?: number): Promise<number> {
    addr >>>= 0;
    const sz = size === 4 ? CSW_SIZE.WORD : size === 2 ? CSW_SIZE.HALF : CSW_SIZE.BYTE;
    const b = this.dap.batch();
    try {
      this.setup(b, sz, CSW_ADDRINC.SINGLE, addr);
      const shift = (addr & (size === 4 ? 0 : 3)) * 8;
      let r: { value: number } | undefined;
      if (value === undefined) r = b.apRead(this.apsel, AP_ADDR.DRW);
      else b.apWrite(this.apsel, AP_ADDR.DRW, (value << shift) >>> 0);
      await b.run();
      this.advanceTar(size);
      if (!r) return 0;
      const mask = size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
      return ((r.value >>> shift) & mask) >>> 0;
    } catch (e) {
      this.fail(value === undefined ? 'read' : 'write', addr, e);
    }
  }

  // Every public operation runs alone on the DAP (Dap.exclusive): CSW and TAR are cached.
  read32(addr: number): Promise<number> {
    return this.dap.exclusive(() => this.single(4, addr));
  }
  read16(addr: number): Promise<number> {
    return this.dap.exclusive(() => this.single(2, addr));
  }
  read8(addr: number): Promise<number> {
    return this.dap.exclusive(() => this.single(1, addr));
  }
  async write32(addr: number, v: number): Promise<void> {
    await this.dap.exclusive(() => this.single(4, addr, v >>> 0));
  }
  async write16(addr: number, v: number): Promise<void> {
    await this.dap.exclusive(() => this.single(2, addr, v & 0xffff));
  }
  async write8(addr: number, v: number): Promise<void> {
    await this.dap.exclusive(() => this.single(1, addr, v & 0xff));
  }

  /** Several 32-bit writes in one round trip (register set-up sequences). */
  writeMany32(pairs: readonly [number, number][]): Promise<void> {
    return this.dap.exclusive(() => this.retrying(() => this.writeManyOnce(pairs)));
  }

  private async writeManyOnce(pairs: readonly [number, number][]): Promise<void> {
    const b = this.dap.batch();
    try {
      for (const [a, v] of pairs) {
        this.setup(b, CSW_SIZE.WORD, CSW_ADDRINC.SINGLE, a);
        b.apWrite(this.apsel, AP_ADDR.DRW, v >>> 0);
        this.advanceTar(4);
      }
      await b.run();
    } catch (e) {
      this.fail('write', pairs[0]?.[0] ?? 0, e);
    }
  }

  /** Several 32-bit reads in one round trip. */
  readMany32(addrs: readonly number[]): Promise<number[]> {
    return this.dap.exclusive(() => this.retrying(() => this.readManyOnce(addrs)));
  }

  private async readManyOnce(addrs: readonly number[]): Promise<number[]> {
    const b = this.dap.batch();
    const rs: { value: number }[] = [];
    try {
      for (const a of addrs) {
        this.setup(b, CSW_SIZE.WORD, CSW_ADDRINC.SINGLE, a);
        rs.push(b.apRead(this.apsel, AP_ADDR.DRW));
        this.advanceTar(4);
      }
      await b.run();
    } catch (e) {
      this.fail('read', addrs[0] ?? 0, e);
    }
    return rs.map((r) => r.value >>> 0);
  }

  /**
   * 32-bit reads and writes at scattered addresses in one round trip, through the banked
   * data registers: TAR is set to each 16-byte block once and BD0-BD3 reach its words
   * (the debug registers DHCSR, DCRSR, DCRDR, DEMCR share one block). Returns the reads.
   */
  transact(ops: readonly { addr: number; value?: number }[]): Promise<number[]> {
    return this.dap.exclusive(() => this.retrying(() => this.transactOnce(ops)));
  }

  private async transactOnce(ops: readonly { addr: number; value?: number }[]): Promise<number[]> {
    const b = this.dap.batch();
    const rs: { value: number }[] = [];
    try {
      const csw = this.cswValue(CSW_SIZE.WORD, CSW_ADDRINC.SINGLE);
      if (this.csw !== csw) {
        b.apWrite(this.apsel, AP_ADDR.CSW, csw);
        this.csw = csw;
      }
      for (const op of ops) {
        const block = (op.addr & ~0xf) >>> 0;
        if (this.tar === undefined || (this.tar & ~0xf) >>> 0 !== block) {
          b.apWrite(this.apsel, AP_ADDR.TAR, block);
          this.tar = block;
        }
        const bd = AP_ADDR.BD0 + (op.addr & 0xc);
        if (op.value === undefined) rs.push(b.apRead(this.apsel, bd));
        else b.apWrite(this.apsel, bd, op.value >>> 0);
      }
      await b.run();
    } catch (e) {
      this.fail(ops.some((o) => o.value === undefined) ? 'read' : 'write', ops[0]?.addr ?? 0, e);
    }
    return rs.map((r) => r.value >>> 0);
  }

  /** Where a failed block transfer stopped: TAR after the error (it does not advance past a failed access). */
  private async faultAddress(fallback: number): Promise<number> {
    try {
      return await this.dap.apRead(this.apsel, AP_ADDR.TAR);
    } catch {
      return fallback;
    }
  }

  /**
   * Words from/to `addr` through a wire that takes several blocks in one call: each
   * auto-increment range is a step (its TAR write, then its block). WAIT resumes at the
   * first word not done; a failure is reported at the word where it stopped.
   */
  private async wordsMulti(op: 'read' | 'write', addr: number, count: number, words?: Uint32Array): Promise<Uint32Array> {
    const out = new Uint32Array(op === 'read' ? count : 0);
    const stepMax = this.dap.independentStepWords(op === 'read');
    let done = 0;
    while (done < count) {
      const start = done;
      if (stepMax !== undefined) {
        // Steps that each write SELECT, CSW and TAR: a probe keeps many in flight.
        const cswv = this.cswValue(CSW_SIZE.WORD, CSW_ADDRINC.SINGLE);
        const sel = { ap: false, read: false, addr: DP_ADDR.SELECT, value: this.dap.selectFor(this.apsel, AP_ADDR.DRW) };
        const csw = { ap: true, read: false, addr: AP_ADDR.CSW & 0xc, value: cswv };
        const steps: BlockStep[] = [];
        const starts: number[] = [];
        const BLOCK = this.autoIncrementBlock;
        for (let w = start; w < count; ) {
          const a = (addr + 4 * w) >>> 0;
          const n = Math.min(count - w, (BLOCK - (a & (BLOCK - 1))) >>> 2, Math.max(1, stepMax));
          steps.push({ setup: [sel, csw, { ap: true, read: false, addr: AP_ADDR.TAR & 0xc, value: a }], req: { ap: true, read: op === 'read', addr: AP_ADDR.DRW & 0xc }, count: n, data: words?.subarray(w, w + n), independent: true });
          starts.push(w);
          w += n;
        }
        this.tar = undefined; // where it ends is not worth tracking
        this.csw = undefined;
        try {
          const data = await this.dap.runBlocks(steps, (k) => `${op} at ${hex32((addr + 4 * starts[k]!) >>> 0)}`);
          if (op === 'read') out.set(data, start);
          this.csw = cswv;
          done = count;
          continue;
        } catch (e) {
          if (e instanceof WaitRetry) {
            done = start + e.completed;
            continue;
          }
          const stopped = (addr + 4 * (start + this.dap.lastBlocksWords)) >>> 0;
          const at = e instanceof TransferError && e.busFault ? await this.faultAddress(stopped) : stopped;
          this.fail(op, at, e);
        }
      }
      const b = this.dap.batch();
      const steps: { opsEnd: number; count: number; data?: Uint32Array }[] = [];
      const starts: number[] = [];
      const BLOCK = this.autoIncrementBlock;
      for (let w = start; w < count; ) {
        const a = (addr + 4 * w) >>> 0;
        const n = Math.min(count - w, (BLOCK - (a & (BLOCK - 1))) >>> 2);
        this.setup(b, CSW_SIZE.WORD, CSW_ADDRINC.SINGLE, a);
        steps.push({ opsEnd: b.ops.length, count: n, data: words?.subarray(w, w + n) });
        starts.push(w);
        this.advanceTar(4 * n);
        w += n;
      }
      const what = (k: number) => `${op} at ${hex32((addr + 4 * starts[k]!) >>> 0)}`;
      try {
        const data = await this.dap.apBlocks(b, this.apsel, AP_ADDR.DRW, op === 'read', steps, what);
        if (op === 'read') out.set(data, start);
        done = count;
      } catch (e) {
        if (e instanceof WaitRetry) {
          // Keep what was read; resume where the block stopped, TAR set afresh.
          done = start + e.completed;
          this.csw = undefined;
          this.tar = undefined;
          continue;
        }
        const stopped = (addr + 4 * (start + this.dap.lastBlocksWords)) >>> 0;
        const at = e instanceof TransferError && e.busFault ? await this.faultAddress(stopped) : stopped;
        this.fail(op, at, e);
      }
    }
    return out;
  }

  /** `count` words from a word-aligned address, in blocks that never cross 1 KiB. */
  readWords(addr: number, count: number): Promise<Uint32Array> {
    return this.dap.exclusive(() => this.readWordsUnlocked(addr, count));
  }

  private async readWordsUnlocked(addr: number, count: number): Promise<Uint32Array> {
    if (addr & 3) throw new AdiError(`readWords at ${hex32(addr)}: the address must be word-aligned`);
    if (this.dap.multiBlock && count > 0) return this.wordsMulti('read', addr, count);
    const out = new Uint32Array(count);
    let done = 0;
    while (done < count) {
      const a = (addr + 4 * done) >>> 0;
      const BLOCK = this.autoIncrementBlock;
      const n = Math.min(count - done, (BLOCK - (a & (BLOCK - 1))) >>> 2);
      try {
        const chunk = await this.retrying(async () => {
          const b = this.dap.batch();
          this.setup(b, CSW_SIZE.WORD, CSW_ADDRINC.SINGLE, a);
          if (b.ops.length) await b.run();
          return this.dap.apBlock(this.apsel, AP_ADDR.DRW, n, undefined, `read at ${hex32(a)}`);
        });
        out.set(chunk, done);
        this.advanceTar(4 * n);
      } catch (e) {
        const at = e instanceof TransferError && e.busFault ? await this.faultAddress(a) : a;
        this.fail('read', at, e);
      }
      done += n;
    }
    return out;
  }

  writeWords(addr: number, words: Uint32Array): Promise<void> {
    return this.dap.exclusive(() => this.writeWordsUnlocked(addr, words));
  }

  private async writeWordsUnlocked(addr: number, words: Uint32Array): Promise<void> {
    if (addr & 3) throw new AdiError(`writeWords at ${hex32(addr)}: the address must be word-aligned`);
    if (this.dap.multiBlock && words.length > 0) {
      await this.wordsMulti('write', addr, words.length, words);
      return;
    }
    let done = 0;
    while (done < words.length) {
      const a = (addr + 4 * done) >>> 0;
      const BLOCK = this.autoIncrementBlock;
      const n = Math.min(words.length - done, (BLOCK - (a & (BLOCK - 1))) >>> 2);
      try {
        await this.retrying(async () => {
          const b = this.dap.batch();
          this.setup(b, CSW_SIZE.WORD, CSW_ADDRINC.SINGLE, a);
          if (b.ops.length) await b.run();
          await this.dap.apBlock(this.apsel, AP_ADDR.DRW, n, words.subarray(done, done + n), `write at ${hex32(a)}`);
        });
        this.advanceTar(4 * n);
      } catch (e) {
        const at = e instanceof TransferError && e.busFault ? await this.faultAddress(a) : a;
        this.fail('write', at, e);
      }
      done += n;
    }
  }

  /** Any byte range: byte accesses at unaligned edges, word blocks in between. */
  readBlock(addr: number, length: number): Promise<Uint8Array> {
    return this.dap.exclusive(() => this.readBlockUnlocked(addr >>> 0, length));
  }

  private async readBlockUnlocked(addr: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    let i = 0;
    while (i < length && ((addr + i) & 3) !== 0) out[i] = await this.single(1, addr + i++);
    const words = (length - i) >>> 2;
    if (words > 0) {
      const w = await this.readWordsUnlocked((addr + i) >>> 0, words);
      out.set(new Uint8Array(w.buffer, w.byteOffset, words * 4), i);
      i += words * 4;
    }
    while (i < length) out[i] = await this.single(1, addr + i++);
    return out;
  }

  writeBlock(addr: number, data: Uint8Array): Promise<void> {
    return this.dap.exclusive(() => this.writeBlockUnlocked(addr >>> 0, data));
  }

  private async writeBlockUnlocked(addr: number, data: Uint8Array): Promise<void> {
    let i = 0;
    while (i < data.length && ((addr + i) & 3) !== 0) await this.single(1, addr + i, data[i++] & 0xff);
    const words = (data.length - i) >>> 2;
    if (words > 0) {
      // A fresh, aligned copy: Uint8Array.prototype.slice copies even for a Node Buffer,
      // whose own slice() would share (possibly unaligned) memory.
      const copy = Uint8Array.prototype.slice.call(data, i, i + words * 4);
      await this.writeWordsUnlocked((addr + i) >>> 0, new Uint32Array(copy.buffer, 0, words));
      i += words * 4;
    }
    while (i < data.length) await this.single(1, addr + i, data[i++] & 0xff);
  }

  /**
   * Bytes or halfwords with accesses of exactly that width (for peripherals that need it):
   * packed transfers (4 bytes or 2 halfwords per DRW access) when the AP has them.
   */
  readNarrow(size: 1 | 2, addr: number, count: number): Promise<number[]> {
    return this.dap.exclusive(() => this.retrying(() => this.readNarrowOnce(size, addr >>> 0, count)));
  }

  private async readNarrowOnce(size: 1 | 2, addr: number, count: number): Promise<number[]> {
    const out: number[] = [];
    if (!this.packedSupported || addr & (size - 1)) {
      for (let i = 0; i < count; i++) out.push(await this.single(size, addr + i * size));
      return out;
    }
    let a = addr;
    const end = addr + count * size;
    while (a < end) {
      const BLOCK = this.autoIncrementBlock;
      const chunkEnd = Math.min(end, (a & ~(BLOCK - 1)) + BLOCK);
      const b = this.dap.batch();
      const reads: { value: number; at: number }[] = [];
      try {
        this.setup(b, size === 1 ? CSW_SIZE.BYTE : CSW_SIZE.HALF, CSW_ADDRINC.PACKED, a);
        for (let p = a; p < chunkEnd; p = (p & ~3) + 4) {
          const r = b.apRead(this.apsel, AP_ADDR.DRW);
          reads.push(Object.assign(r, { at: p }));
        }
        await b.run();
      } catch (e) {
        this.fail('read', a, e);
      }
      for (const r of reads) {
        for (let p = r.at; p < Math.min(chunkEnd, (r.at & ~3) + 4); p += size) out.push((r.value >>> ((p & 3) * 8)) & (size === 1 ? 0xff : 0xffff));
      }
      this.tar = undefined; // packed increments are easier to re-set than to track
      a = chunkEnd;
    }
    return out;
  }
}
