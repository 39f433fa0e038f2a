// RTT ("Real-Time Transfer"): ring buffers in target RAM, described by a control block
// that starts with the id "SEGGER RTT", read and written by the debugger through plain
// memory accesses while the core runs. Layout (SEGGER's public description, also what
// OpenOCD and probe-rs read): id[16], max_up, max_down, then max_up up-buffer and max_down
// down-buffer descriptors of 6 words: name, buffer, size, wr_off, rd_off, flags. Up
// buffers carry target -> host (the host owns rd_off), down buffers host -> target (the
// host owns wr_off).
import type { MemAccessPort } from '../adi/mem-ap.js';
import { PollLoop } from '../util/poll-loop.js';

export const RTT_ID = 'SEGGER RTT';
const DESCRIPTOR_BYTES = 24;
const HEADER_BYTES = 24;
/** More channels than this in a block found by scanning means it is not one. */
const MAX_CHANNELS = 32;
/** Scanning reads RAM in pieces of this size (overlapping by the id's length). */
const SCAN_CHUNK = 0x10000;

export class RttError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RttError';
  }
}

export interface RttChannel {
  readonly index: number;
  readonly direction: 'up' | 'down';
  readonly name: string;
  /** Where its descriptor is. */
  readonly descriptor: number;
  readonly buffer: number;
  readonly size: number;
  readonly flags: number;
}

export interface RttSearch {
  /** The control block's address (e.g. the ELF symbol `_SEGGER_RTT`). */
  address?: number;
  /** Ranges to scan for the id when the address is not known. */
  ranges?: readonly { start: number; length: number }[];
  /** The id to look for (default "SEGGER RTT"). */
  id?: string;
}

/**
 * Where to scan when nobody says: the chip's RAM regions (detection's memory map), else
 * the first 64 KiB of the ARMv7-M SRAM region, where small firmware keeps its data.
 */
export function ramSearchRanges(regions: readonly { type: string; start: number; length: number }[]): { start: number; length: number }[] {
  const ram = regions.filter((r) => r.type === 'ram');
  return ram.length ? ram.map((r) => ({ start: r.start, length: r.length })) : [{ start: 0x20000000, length: 0x10000 }];
}

/** A control block found in target memory and its channels. */
export class Rtt {
  private constructor(
    private readonly mem: MemAccessPort,
    readonly address: number,
    readonly up: readonly RttChannel[],
    readonly down: readonly RttChannel[],
  ) {}

  /** Find the control block (at `address`, or by scanning `ranges`) and read its channels. */
  static async find(mem: MemAccessPort, search: RttSearch): Promise<Rtt> {
    const id = search.id ?? RTT_ID;
    const address = search.address ?? (await scan(mem, id, search.ranges ?? []));
    const head = await mem.readBlock(address, HEADER_BYTES);
    const idHere = Buffer.from(head.subarray(0, 16)).toString('latin1').replace(/\0.*$/s, '');
    if (idHere !== id) throw new RttError(`no RTT control block at 0x${hex(address)}: its id reads '${printable(idHere)}', not '${id}' (the firmware may not have initialised RTT yet)`);
    const view = new DataView(head.buffer, head.byteOffset);
    const maxUp = view.getInt32(16, true);
    const maxDown = view.getInt32(20, true);
    if (maxUp < 0 || maxDown < 0 || maxUp > MAX_CHANNELS || maxDown > MAX_CHANNELS) {
      throw new RttError(`RTT control block at 0x${hex(address)} claims ${maxUp} up and ${maxDown} down buffers: not a valid block`);
    }
    const descs = await mem.readWords(address + HEADER_BYTES, 6 * (maxUp + maxDown));
    const channels: RttChannel[] = [];
    for (let i = 0; i < maxUp + maxDown; i++) {
      const w = (k: number) => descs[6 * i + k];
      const up = i < maxUp;
      const namePtr = w(0);
      channels.push({
        index: up ? i : i - maxUp,
        direction: up ? 'up' : 'down',
        name: namePtr ? await readCString(mem, namePtr) : '',
        descriptor: address + HEADER_BYTES + DESCRIPTOR_BYTES * i,
        buffer: w(1),
        size: w(2),
        flags: w(5),
      });
    }
    return new Rtt(mem, address, channels.slice(0, maxUp), channels.slice(maxUp));
  }

  private channel(direction: 'up' | 'down', index: number): RttChannel {
    const c = (direction === 'up' ? this.up : this.down)[index];
    if (!c) throw new RttError(`RTT ${direction} channel ${index} does not exist (the block has ${(direction === 'up' ? this.up : this.down).length})`);
    if (c.size < 2 || c.buffer === 0) throw new RttError(`RTT ${direction} channel ${index} has no buffer`);
    return c;
  }

  /** Take what up channel `index` holds (target -> host), and hand the space back. */
  async read(index = 0): Promise<Uint8Array> {
    const c = this.channel('up', index);
    return takeFromRing(this.mem, { buffer: c.buffer, size: c.size, writeIndex: c.descriptor + 12, readIndex: c.descriptor + 16 }, `RTT up channel ${index}`);
  }

  /** Put as much of `data` as fits into down channel `index` (host -> target); returns how many bytes went. */
  async write(index: number, data: Uint8Array): Promise<number> {
    const c = this.channel('down', index);
    const [wr, rd] = await this.mem.readWords(c.descriptor + 12, 2);
    if (wr >= c.size || rd >= c.size) throw new RttError(`RTT down channel ${index}: offsets ${wr}/${rd} outside its ${c.size}-byte buffer (memory overwritten?)`);
    const free = (rd + c.size - wr - 1) % c.size;
    const n = Math.min(free, data.length);
    if (n === 0) return 0;
    const first = Math.min(n, c.size - wr);
    await this.mem.writeBlock(c.buffer + wr, data.subarray(0, first));
    if (n > first) await this.mem.writeBlock(c.buffer, data.subarray(first, n));
    await this.mem.write32(c.descriptor + 12, (wr + n) % c.size);
    return n;
  }

  describe(): string {
    const list = (cs: readonly RttChannel[]) => cs.map((c) => `${c.index} '${c.name}' ${c.size} B`).join(', ') || 'none';
    return `RTT control block at 0x${hex(this.address)}: up ${list(this.up)}; down ${list(this.down)}`;
  }
}

/** A ring buffer in target RAM that the target fills: where its bytes and its two indexes are. */
export interface TargetRing {
  buffer: number;
  size: number;
  /** Where the target keeps the offset it writes next. */
  writeIndex: number;
  /** Where the offset to read next is kept (the host advances it). */
  readIndex: number;
}

/**
 * Take what a target-filled ring holds (read offset up to write offset, wrapping) and
 * give the space back by moving the read offset: RTT's up channels and the old probe's
 * bmp.tracebuf ring both work so.
 */
export async function takeFromRing(mem: MemAccessPort, r: TargetRing, what: string): Promise<Uint8Array> {
  const [wr, rd] = await mem.readMany32([r.writeIndex, r.readIndex]);
  if (wr >= r.size || rd >= r.size) throw new RttError(`${what}: offsets ${wr}/${rd} outside its ${r.size}-byte buffer (memory overwritten?)`);
  if (wr === rd) return new Uint8Array(0);
  let data: Uint8Array;
  if (wr > rd) data = await mem.readBlock(r.buffer + rd, wr - rd);
  else {
    const tail = await mem.readBlock(r.buffer + rd, r.size - rd);
    const head = wr > 0 ? await mem.readBlock(r.buffer, wr) : new Uint8Array(0);
    data = new Uint8Array(tail.length + head.length);
    data.set(tail);
    data.set(head, tail.length);
  }
  await mem.write32(r.readIndex, wr);
  return data;
}

/** Look for the id (NUL-terminated in its 16 bytes) in `ranges`. */
async function scan(mem: MemAccessPort, id: string, ranges: readonly { start: number; length: number }[]): Promise<number> {
  if (ranges.length === 0) throw new RttError('no RTT control block address and no RAM to search: give the address (e.g. of _SEGGER_RTT) or a range');
  const needle = Buffer.from(id + '\0', 'latin1');
  for (const r of ranges) {
    for (let off = 0; off < r.length; off += SCAN_CHUNK) {
      const len = Math.min(SCAN_CHUNK + needle.length, r.length - off);
      if (len < needle.length) break;
      // Word-aligned reads; the block itself is word-aligned (it holds words).
      const start = (r.start + off) >>> 0;
      const bytes = Buffer.from(await mem.readBlock(start, len & ~3));
      for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1)) {
        if ((at & 3) === 0) return (start + at) >>> 0;
      }
    }
  }
  throw new RttError(`no RTT control block ('${id}') in ${ranges.map((r) => `0x${hex(r.start)}+0x${r.length.toString(16)}`).join(', ')} (has the firmware initialised RTT?)`);
}

async function readCString(mem: MemAccessPort, addr: number, max = 32): Promise<string> {
  try {
    const b = await mem.readBlock(addr & ~3, max + 4);
    const s = b.subarray(addr & 3);
    const end = s.indexOf(0);
    return Buffer.from(s.subarray(0, end < 0 ? max : Math.min(end, max))).toString('latin1');
  } catch {
    return '?';
  }
}

const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
const printable = (s: string) => s.replace(/[^\x20-\x7e]/g, '.');

export interface RttPollerHandlers {
  /** Bytes from up channel `channel`. */
  data(channel: number, bytes: Uint8Array): void;
}

/**
 * Polls a control block: takes what the up channels hold and hands it out, and feeds
 * queued input into down channel 0 as space frees. `run()` polls until stop(), as the
 * SWO stream does; every poll is a few memory reads while the core runs.
 */
export class RttPoller {
  private readonly input: Uint8Array[] = [];
  private readonly loop = new PollLoop(() => this.poll());
  /** Bytes taken from the up channels and given to the down channel. */
  readonly counts = { up: 0, down: 0 };

  constructor(
    readonly rtt: Rtt,
    private readonly on: RttPollerHandlers,
    private readonly channels: readonly number[] = [0],
  ) {}

  /** Queue bytes for down channel 0. */
  send(bytes: Uint8Array): void {
    if (bytes.length) this.input.push(bytes);
    this.loop.nudge();
  }

  /** One round: read the up channels, write what input fits. True when anything moved. */
  async poll(): Promise<boolean> {
    let moved = false;
    for (const ch of this.channels) {
      const d = await this.rtt.read(ch);
      if (d.length) {
        moved = true;
        this.counts.up += d.length;
        this.on.data(ch, d);
      }
    }
    while (this.input.length && this.rtt.down.length) {
      const chunk = this.input[0];
      const n = await this.rtt.write(0, chunk);
      this.counts.down += n;
      if (n === 0) break;
      moved = true;
      if (n === chunk.length) this.input.shift();
      else this.input[0] = chunk.subarray(n);
    }
    return moved;
  }

  /** Poll every `intervalMs` until stop() (or `untilMs`). */
  run(intervalMs: number, untilMs = Infinity): Promise<void> {
    return this.loop.run(intervalMs, untilMs);
  }

  /** Make run() finish; resolves once its last poll has been handed out. */
  stop(): Promise<void> {
    return this.loop.stop();
  }
}

/** Find the block, retrying while the firmware has not set it up yet (it does so at start-up). */
export async function findRtt(mem: MemAccessPort, search: RttSearch, timeoutMs = 2000): Promise<Rtt> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    try {
      return await Rtt.find(mem, search);
    } catch (e) {
      if (!(e instanceof RttError) || performance.now() >= until) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
